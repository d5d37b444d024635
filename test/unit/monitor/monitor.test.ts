// Monitor framework, checks and the watchdog keeper against real parts: ping, scripts,
// files, a FIFO read by a real process.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import type { MonitorConfig } from '../../../src/config/types';
import type { EventArg, EventId } from '../../../src/events/types';
import { nullLogger } from '../../../src/logger';
import { genw } from '../../../src/monitor/genw';
import { ipw } from '../../../src/monitor/ipw';
import { miiw } from '../../../src/monitor/miiw';
import { pidw } from '../../../src/monitor/pidw';
import { MonitorRunner } from '../../../src/monitor/runner';
import { WatchdogKeeper } from '../../../src/monitor/userw';
import { HostPlatform } from '../../../src/platform/host';
import { platformVia } from '../../helpers/platform';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-mon-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
const platform = new HostPlatform({ powerRecord: '' });
const deps = { platform, log: nullLogger, pidOf: (_: string) => undefined as number | undefined };
const mon = (over: Partial<MonitorConfig>): MonitorConfig => ({
  name: 'm1', type: 'genw', interval: 100, timeout: 2000, retry: 0, startWait: 0, when: 'always', recoveryAction: 'none',
  restartCount: 1, finalAction: 'none', params: {}, ...over,
});
const recorder = () => { const seen: string[] = []; return { seen, emit: ({ type, id }: EventId, ...a: EventArg[]) => { seen.push(`${type} ${id} ${a.join('|')}`); } }; };

t.test('ipw: the loopback answers; an address nobody has fails with return 1', async (t) => {
  t.equal(await ipw(mon({ type: 'ipw', params: { targets: '127.0.0.1' } }), deps).run(), undefined);
  if (process.getuid?.() !== 0) { t.skip('the unreachable case needs a network namespace (root)', () => {}); return; }
  // In a namespace of our own, an address on a directly connected link with nobody else on it answers to nobody.
  const ns = `${process.env.PAIRHA_LAB_NS || 'pairha'}-unit-ipw`;
  await platform.run('ip', ['netns', 'del', ns]);
  t.equal((await platform.run('ip', ['netns', 'add', ns])).code, 0);
  t.teardown(() => platform.run('ip', ['netns', 'del', ns]));
  for (const a of [['link', 'set', 'lo', 'up'], ['link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1'], ['link', 'set', 'v0', 'up'], ['link', 'set', 'v1', 'up'], ['addr', 'add', '10.99.0.1/24', 'dev', 'v0']]) await platform.run('ip', ['-n', ns, ...a]);
  const inNs = platformVia(platform, { run: (f, a, o) => platform.run('ip', ['netns', 'exec', ns, f, ...a], o) });
  const f = await ipw(mon({ type: 'ipw', timeout: 1000, params: { targets: '10.99.0.2,10.99.0.3' } }), { ...deps, platform: inNs }).run();
  t.same(f, { code: 1, message: 'Ping cannot reach. (ret=1) IP=10.99.0.2 10.99.0.3...' });
  t.equal(await ipw(mon({ type: 'ipw', params: { targets: '10.99.0.2,10.99.0.1' } }), { ...deps, platform: inNs }).run(), undefined, 'one answer is enough');
});

t.test("ipw with BusyBox's ping, the appliance's: whole seconds of wait (it refuses 1.5)", async (t) => {
  const bb = ['/usr/bin/busybox', '/bin/busybox'].find((f) => fs.existsSync(f));
  if (!bb) { t.skip('BUSYBOX MISSING: apt-get install busybox-static (bash scripts/setup.sh)', () => {}); return; }
  const viaBusybox = platformVia(platform, { run: (f, a, o) => platform.run(f === 'ping' ? bb : f, f === 'ping' ? ['ping', ...a] : a, o) });
  for (const timeout of [1500, 2000, 120000]) {
    t.equal(await ipw(mon({ type: 'ipw', timeout, params: { targets: '127.0.0.1' } }), { ...deps, platform: viaBusybox }).run(), undefined, `timeout ${timeout} ms`);
  }
});

t.test('pidw and miiw', async (t) => {
  const child = spawn('sleep', ['30']);
  const d = { ...deps, pidOf: (r: string) => (r === 'exec1' ? child.pid : undefined) };
  t.equal(await pidw(mon({ type: 'pidw', params: { resource: 'exec1' } }), d).run(), undefined, 'process alive');
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  t.same(await pidw(mon({ type: 'pidw', params: { resource: 'exec1' } }), d).run(), { code: 1, message: `Process does not exist. (pid=${child.pid})` });
  t.equal(await miiw(mon({ type: 'miiw', params: { interface: 'lo' } }), deps).run(), undefined, 'lo is up');
  t.match(await miiw(mon({ type: 'miiw', params: { interface: 'nosuch0' } }), deps).run(), { message: 'NIC nosuch0 was not found.' });
});

t.test('runner: retry tolerated failures (rm 4), then rm 9 and recovery; back to normal is rm 26; timeout', async (t) => {
  const flag = path.join(dir, 'fail');
  const script = path.join(dir, 'check.sh');
  fs.writeFileSync(script, `#!/bin/sh\n[ -e ${flag} ] && exit 7\nexit 0\n`, { mode: 0o755 });
  const ev = recorder();
  let recovered = 0;
  const r = new MonitorRunner(mon({ retry: 1, params: { script } }), genw(mon({ params: { script } }), deps), ev, () => true, async () => { recovered++; });
  await r.probe();
  t.equal(r.state, 'Normal');
  fs.writeFileSync(flag, '');
  await r.probe();
  t.equal(recovered, 0, 'one failure is within retry');
  await r.probe();
  t.equal(recovered, 1, 'the second one recovers');
  t.equal(r.state, 'Error');
  fs.rmSync(flag);
  await r.probe();
  t.equal(r.state, 'Normal');
  t.same(ev.seen, ['rm 4 m1|7|Termination code 7 was returned.', 'rm 9 m1|7|Termination code 7 was returned.', 'rm 26 m1']);

  const slow = path.join(dir, 'slow.sh');
  fs.writeFileSync(slow, '#!/bin/sh\nsleep 3\n', { mode: 0o755 });
  const ev2 = recorder();
  const r2 = new MonitorRunner(mon({ timeout: 200, params: { script: slow } }), genw(mon({ timeout: 200, params: { script: slow } }), deps), ev2, () => true, async () => {});
  await r2.probe();
  t.same(ev2.seen, ['rm 9 m1|1|Command was not completed within 1 seconds.']);
  const idle = new MonitorRunner(mon({ params: { script } }), genw(mon({ params: { script } }), deps), ev2, () => false, async () => {});
  await idle.probe();
  t.equal(idle.state, 'Offline', 'a monitor of an inactive group idles');
});

t.test('userw feeds a FIFO while the loop runs, then writes the magic V on an orderly stop', async (t) => {
  const fifo = path.join(dir, 'watchdog');
  execFileSync('mkfifo', [fifo]);
  const reader = spawn('cat', [fifo]);
  let got = '';
  reader.stdout.on('data', (b: Buffer) => { got += b.toString('latin1'); });
  const ev = recorder();
  const k = new WatchdogKeeper(fifo, 1000, ev, nullLogger);
  t.ok(k.start(), 'opened');
  await new Promise((r) => setTimeout(r, 1100));
  k.stop();
  await new Promise((r) => reader.on('exit', r));
  t.ok(got.length >= 4, `fed ${got.length} times in 1.1 s (every 250 ms)`);
  t.equal(got[got.length - 1], 'V', 'magic close');
  t.same(ev.seen, ['rm 1 userw', 'rm 2 userw']);
});

t.test('userw: a stalled loop writes nothing; leaveArmed stops feeding without V; a missing device is return 1', async (t) => {
  const file = path.join(dir, 'wd-file');
  fs.writeFileSync(file, '');
  const k = new WatchdogKeeper(file, 1000, recorder(), nullLogger);
  k.start();
  const before = fs.statSync(file).size;
  const end = Date.now() + 700;
  while (Date.now() < end) { /* the event loop is stalled */ }
  t.equal(fs.statSync(file).size, before, 'no write during a stall');
  await new Promise((r) => setTimeout(r, 300));
  t.ok(fs.statSync(file).size > before, 'writes again once the loop answers');
  k.leaveArmed();
  const armed = fs.statSync(file).size;
  await new Promise((r) => setTimeout(r, 600));
  t.equal(fs.statSync(file).size, armed, 'no more writes');
  t.not(fs.readFileSync(file, 'latin1').slice(-1), 'V', 'and no magic close');
  const ev = recorder();
  t.notOk(new WatchdogKeeper(path.join(dir, 'no', 'such'), 1000, ev, nullLogger).start());
  t.same(ev.seen, ['rm 9 userw|1|Initialize error. (ENOENT)']);
});
