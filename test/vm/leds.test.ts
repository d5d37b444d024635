// Front-panel LEDs on the qemu board, driven by the runtime itself: the kmod/leds module
// registers the panel in the LED class, the image's clp.conf enables [leds], and sysfs read
// back inside server1 (brightness, trigger, the timer trigger's delay_on/delay_off) matches
// docs/leds.md in the normal, warning (COM cable pulled), failover (server2 off) and
// daemon-stopped (clpcl -t, then the process's orderly end) states; with md1 configured, the
// mirror LED is steady green once the initial construction reaches GREEN/GREEN.
import t from 'tap';
import { panel, type LedSetting, type PanelState } from '../../src/leds';
import { parseConfig } from '../../src/config/load';
import { type PairState } from '../../src/host/pair/pair';
import { until } from '../helpers/lab';
import { HB_TIMEOUT, testPair, vmSkipReason } from '../../src/host/pair/fixture';

const skip = vmSkipReason();
if (skip) { t.skip(`LED VM TESTS SKIPPED: ${skip}`, () => {}); process.exit(0); }

const roles = ['run', 'status', 'statusError', 'mirror', 'mirrorError'] as const;

t.test('the runtime drives the LEDs in sysfs as the mapping says', async (t) => {
  // The shipped configuration has md1, so the mirror LEDs show a real mirror's colour.
  const { pair, config, text, imageDir } = await testPair(t, 'leds', 'l', undefined, ['server1']);
  const leds = parseConfig(text, config).leds;
  t.ok(leds.enabled, 'the image configuration enables [leds]');
  const withMirror = parseConfig(text, config).resources.some((r) => r.type === 'md');
  const names = roles.map((r) => leds.names[r]);

  const s: PairState = await pair.up({ config, imageDir, memoryMb: 512 });
  await pair.waitOnline(s, 300000);
  const run = async (...argv: string[]) => (await pair.run(s, 'server1', argv, 120000)).stdout;

  const listed = (await run('ls', '/sys/class/leds')).split(/\s+/).filter(Boolean);
  for (const n of names) t.ok(listed.includes(n), `${n} is in /sys/class/leds`);

  // What the LEDs show, read back from sysfs inside the box: brightness, the active trigger,
  // and the timer trigger's delays when it is active.
  const readBack = async (): Promise<LedSetting[]> => {
    const out = await run('sh', '-c', names.map((n) => `d=/sys/class/leds/${n}; echo "$(cat $d/brightness)|$(cat $d/trigger)|$(cat $d/delay_on 2>/dev/null)|$(cat $d/delay_off 2>/dev/null)"`).join('; '));
    return out.trim().split('\n').map((line): LedSetting => {
      const [brightness, trigger, on, off] = line.split('|');
      if (/\[timer\]/.test(trigger)) return { mode: 'blink', onMs: Number(on), offMs: Number(off) };
      if (!/\[none\]/.test(trigger)) return { mode: 'on', trigger } as unknown as LedSetting; // another trigger: shows as a mismatch
      return Number(brightness) > 0 ? { mode: 'on' } : { mode: 'off' };
    });
  };
  // mirror: the mirror LEDs' expected colour, checked when given (only with an md resource).
  const check = async (what: string, state: Omit<PanelState, 'mirror'>, mirror?: PanelState['mirror']) => {
    const want = panel({ ...state, mirror: mirror ?? 'none' });
    const expected = roles.map((r) => want[r]);
    const compared = (shown: LedSetting[]) => (withMirror && !mirror ? shown.slice(0, 3) : shown);
    // The runtime applies a change within its 500 ms tick; the box may be slow to answer.
    await until(async () => JSON.stringify(compared(await readBack())) === JSON.stringify(compared(expected)), 60000, what).catch(() => {});
    t.same(compared(await readBack()), compared(expected), `${what}: sysfs shows ${JSON.stringify({ ...state, ...(mirror ? { mirror } : {}) })}`);
  };

  if (withMirror) {
    // The initial construction ends GREEN/GREEN (docs/mirror.md): the mirror LED steady green.
    await until(async () => /^Mirror Color\tGREEN\tGREEN$/m.test(await run('clpmdstat', '--mirror', 'md1')), 600000, 'md1 GREEN/GREEN');
    await check('normal, mirror GREEN/GREEN', { daemon: true, status: 'normal' }, 'green');
  }
  await check('normal', { daemon: true, status: 'normal' });

  await pair.link(s, 'comhb1', false);
  await until(async () => /x$/m.test(await run('clpstat', '-n')), HB_TIMEOUT * 3, 'comhb1 down');
  await check('COM cable pulled', { daemon: true, status: 'warning' });
  await pair.link(s, 'comhb1', true);
  await until(async () => !/x/.test((await run('clpstat', '-n')).split('HB2 : comhb1')[1] ?? 'x'), HB_TIMEOUT * 3, 'comhb1 back');
  await check('COM cable plugged back', { daemon: true, status: 'normal' });

  await pair.powerOff(s, 'server2');
  await until(async () => /server2\s+: Offline$/m.test(await run('clpstat')), HB_TIMEOUT * 3, 'server2 Offline');
  await check('server2 off (failover)', { daemon: true, status: 'warning' });
  t.match(await run('clpstat'), /failover1\s+: Online\n\s+current\s+: server1$/m, 'the group is on server1 meanwhile');

  t.equal((await pair.run(s, 'server1', ['clpcl', '-t'], 120000)).code, 0, 'clpcl -t');
  await check('cluster daemon stopped', { daemon: false, status: 'error' });

  t.equal((await pair.run(s, 'server1', ['clpcl', '-s'], 120000)).code, 0, 'clpcl -s');
  await check('cluster daemon started again (server2 still off)', { daemon: true, status: 'warning' });

  // The orderly end of the runtime process (service stop, SIGTERM) turns the run LED off.
  await run('/etc/init.d/clusterpro_evt', 'stop');
  t.equal((await run('sh', '-c', '[ -f /opt/pairha/run/pairha.pid ] && kill -0 "$(cat /opt/pairha/run/pairha.pid)" 2>/dev/null && echo running || echo gone')).trim(), 'gone', 'the runtime process has ended');
  await check('runtime process stopped', { daemon: false, status: 'error' });
});
