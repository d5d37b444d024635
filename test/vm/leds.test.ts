// Front-panel LEDs on the qemu board: the kmod/leds module registers the panel in the LED
// class, and the LED role (src/leds) run inside server1 against the live runtime drives it;
// sysfs read back inside the box matches docs/leds.md in the normal, warning (COM cable
// pulled), failover (server2 off) and daemon-stopped states.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { panel, type LedSetting, type PanelState } from '../../src/leds';
import { Pair, defaultImageDir, defaultPairConfig, type PairState } from '../../src/pair/pair';
import { HostPlatform } from '../../src/platform/host';
import { until } from '../helpers/lab';
import { testPairNs, vmSkipReason } from './pair-helpers';

const skip = vmSkipReason();
if (skip) { t.skip(`LED VM TESTS SKIPPED: ${skip}`); process.exit(0); }

// The configuration's own timeout: shorter ones give false downs when other jobs load the machine.
const HB_TIMEOUT = 30000;
const APP = '/opt/pairha/lib/pairha/dist';
// One pass of the LED role inside the box, with the state taken from the running runtime
// and the LED names from the box's clp.conf; prints the state it showed.
const showState = `
const { LedRole, statusOf } = require('${APP}/leds');
const { request } = require('${APP}/control/local');
const { Logger } = require('${APP}/logger');
const { loadConfig } = require('${APP}/config');
(async () => {
  const config = loadConfig('/opt/pairha/etc/clp.conf');
  const r = await request('/opt/pairha/run/pairha.sock', { op: 'nm.view' }, 5000).catch((e) => ({ code: 1, message: e.message }));
  const state = { daemon: r.code === 0, status: r.code === 0 ? statusOf(r.data) : 'error', mirror: 'none' };
  const role = new LedRole({ config: { ...config.leds, enabled: true }, root: '/sys/class/leds', log: new Logger(), state: () => state, intervalMs: 3600000 });
  await role.start();
  console.log(JSON.stringify(state));
  process.exit(0);
})();`;
const names = ['pairha:green:run', 'pairha:green:status', 'pairha:red:status', 'pairha:green:mirror', 'pairha:red:mirror'];
const roles = ['run', 'status', 'statusError', 'mirror', 'mirrorError'] as const;

t.test('LEDs in sysfs follow the mapping', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-leds-'));
  const pair = new Pair(dir, new HostPlatform({ powerRecord: '' }), testPairNs('t'));
  await pair.down();
  t.teardown(() => pair.down());
  await pair.ensureImage(defaultImageDir, () => {});
  const config = `${dir}.conf`;
  fs.writeFileSync(config, fs.readFileSync(defaultPairConfig, 'utf8').replace(/^hb_timeout = \d+$/m, `hb_timeout = ${HB_TIMEOUT}`));
  t.teardown(() => fs.rmSync(config, { force: true }));
  const s: PairState = await pair.up({ config, imageDir: defaultImageDir, memoryMb: 512 });
  await pair.waitOnline(s, 300000);
  const run = async (...argv: string[]) => (await pair.run(s, 'server1', argv, 120000)).stdout;

  const listed = (await run('ls', '/sys/class/leds')).split(/\s+/).filter(Boolean);
  for (const n of names) t.ok(listed.includes(n), `${n} is in /sys/class/leds`);

  // What the LEDs show, read back from sysfs inside the box.
  const readBack = async (): Promise<LedSetting[]> => {
    const out = await run('sh', '-c', names.map((n) => `d=/sys/class/leds/${n}; echo "$(cat $d/brightness) $(cat $d/trigger) $(cat $d/delay_on 2>/dev/null) $(cat $d/delay_off 2>/dev/null)"`).join('; '));
    return out.trim().split('\n').map((line) => {
      const trigger = /\[([^\]]+)\]/.exec(line)?.[1];
      if (trigger === 'timer') { const n = line.trim().split(/\s+/); return { mode: 'blink', onMs: Number(n[n.length - 2]), offMs: Number(n[n.length - 1]) }; }
      return Number(line.split(' ')[0]) > 0 ? { mode: 'on' } : { mode: 'off' };
    });
  };
  const check = async (what: string, want: PanelState['status'], daemon = true) => {
    const r = await pair.run(s, 'server1', ['node', '-e', showState], 120000);
    if (r.code !== 0) throw new Error(`the LED role failed in the box: ${r.stderr}`);
    const shown = JSON.parse(r.stdout) as PanelState;
    t.same(shown, { daemon, status: want, mirror: 'none' }, `${what}: the runtime's state is ${daemon ? want : 'daemon stopped'}`);
    const expected = panel(shown);
    t.same(await readBack(), roles.map((r) => expected[r]), `${what}: sysfs matches the mapping`);
  };

  await check('normal', 'normal');
  await pair.link(s, 'comhb1', false);
  await until(async () => /x$/m.test(await run('clpstat', '-n')), HB_TIMEOUT * 3, 'comhb1 down');
  await check('COM cable pulled', 'warning');
  await pair.link(s, 'comhb1', true);
  await pair.powerOff(s, 'server2');
  await until(async () => /server2\s+: Offline$/m.test(await run('clpstat')), HB_TIMEOUT * 3, 'server2 Offline');
  await check('server2 off (failover)', 'warning');
  await run('clpcl', '-t');
  await check('cluster daemon stopped', 'error', false);
});
