// The virtual pair for real: two boxes of the appliance image in qemu (TCG). Both reach
// Online over LAN and COM, pulling the COM cable shows in clpstat -n, powering server2 off
// makes server1 report it down, power on brings it back, pair down leaves nothing behind.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { Pair, defaultImageDir, defaultPairConfig } from '../../src/pair/pair';
import { HostPlatform } from '../../src/platform/host';
import { until } from '../helpers/lab';
import { vmSkipReason } from './pair-helpers';

const skip = vmSkipReason();
if (skip) { t.skip(`PAIR TESTS SKIPPED: ${skip}`); process.exit(0); }

const HB_TIMEOUT = 15000;

t.test('pair up, Online, COM cable pulled, server2 powered off and on, pair down', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-pair-'));
  const pair = new Pair(dir, new HostPlatform({ powerRecord: '' }), 'pairvmt');
  await pair.down();
  t.teardown(() => pair.down());
  await pair.ensureImage(defaultImageDir, () => {});
  const config = path.join(dir, '..', `${path.basename(dir)}.conf`);
  fs.writeFileSync(config, fs.readFileSync(defaultPairConfig, 'utf8').replace(/^hb_timeout = \d+$/m, `hb_timeout = ${HB_TIMEOUT}`));
  t.teardown(() => fs.rmSync(config, { force: true }));

  const started = Date.now();
  const s = await pair.up({ config, imageDir: defaultImageDir, memoryMb: 512 });
  await pair.waitOnline(s, 300000);
  t.comment(`power-on to Online: ${((Date.now() - started) / 1000).toFixed(1)} s under TCG`);
  const run = async (server: string, ...argv: string[]) => {
    const r = await pair.run(s, server, argv, 120000);
    return r.stdout;
  };
  for (const server of ['server1', 'server2']) {
    const out = await run(server, 'clpstat');
    t.match(out, /^\s+\*?server1\s+: Online$/m, `clpstat on ${server}: server1 Online`);
    t.match(out, /^\s+\*?server2\s+: Online$/m, `clpstat on ${server}: server2 Online`);
  }
  t.match(await run('server1', 'chkconfig', '--list', 'clusterpro'), /^clusterpro\s+on$/m, 'the services are enabled by default');

  await pair.link(s, 'comhb1', false);
  const comCut = /^\s+server\d : o {2}o {2}x$/m; // a row with lanhb1, lanhb2 up and comhb1 down
  await until(async () => comCut.test(await run('server1', 'clpstat', '-n')), HB_TIMEOUT * 3, 'comhb1 x in clpstat -n on server1');
  t.pass('clpstat -n on server1 shows the COM cable pulled');
  t.match(await run('server1', 'clpstat'), /^\s+server2\s+: Online$/m, 'server2 stays Online without the COM cable');
  await pair.link(s, 'comhb1', true);
  await until(async () => !/x/.test((await run('server1', 'clpstat', '-n')).split('HB2 : comhb1')[1] ?? 'x'), HB_TIMEOUT * 3, 'comhb1 back');
  t.pass('plugging the cable back brings comhb1 back');

  await pair.powerOff(s, 'server2');
  t.notOk(pair.isOn(s, 'server2'), 'server2 is off');
  await until(async () => /^\s+server2\s+: Offline$/m.test(await run('server1', 'clpstat')), HB_TIMEOUT * 3, 'server2 Offline on server1');
  t.match(await run('server1', 'clpalert'), /nm INFO 2 Server server2 down\.$/m, 'server1 reports "Server server2 down." in its alert log');
  t.match(await run('server1', 'cat', '/var/log/messages'), /CLUSTERPRO: <type: nm><event: 2> Server server2 down\./, 'and in syslog');

  await pair.powerOn(s, 'server2');
  await pair.waitOnline(s, 300000);
  t.pass('server2 powered on again and both are Online');

  await pair.down();
  t.notOk(fs.existsSync(dir), 'pair down removed its directory');
  const ns = (await new HostPlatform({ powerRecord: '' }).run('ip', ['netns', 'list'])).stdout;
  t.notMatch(ns, /pairvmt-/, 'pair down removed its namespaces');
});
