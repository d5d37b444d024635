// Server-down rules of seed §10 driven by injected faults (PAIRHA_FAULTS, src/pm/faults.ts):
// a core role failing inside the runtime stops the groups and shuts down (10.3); a shutdown
// that stalls is reset by the shutdown stall monitor (10.6), one that ends is not.
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { pmOps, type FaultArgs } from '../../src/pm/protocol';
import { alive } from '../../src/host/lab/lab';
import { isRoot, sleep, startLab, until } from '../helpers/lab';

if (!isRoot) { t.skip('LAB TESTS SKIPPED: network namespaces need root', () => {}); process.exit(0); }
t.setTimeout(240000); // several labs in a row on a shared, loaded machine

const FIP = '10.77.1.50';
const read = (f: string) => { try { return fs.readFileSync(f, 'utf8'); } catch { return ''; } };

t.test('a core role failing (rm) stops the group, shuts server1 down, server2 takes over (10.3)', async (t) => {
  const { lab, s } = await startLab(t);
  const answer = async () => (await lab.client('socat', ['-T2', '-', `TCP:${FIP}:8080`], 5000)).stdout.trim();
  await until(async () => (await answer()) === 'server1', 15000, 'the service on server1');
  const power1 = path.join(s.dir, 'server1', 'power.log');
  t.same(await lab.call(s, 'server1', pmOps.fault, { kind: 'role', role: 'rm' }), { code: 0 }, 'fault injected');
  await until(async () => /shutdown rm failed: injected fault in rm/.test(read(power1)), 10000, 'server1 recording its shutdown');
  const alerts = read(path.join(s.dir, 'server1', 'alert', 'alert.log'));
  const order = ['rm process exit abnormally.', 'system will be halted.', 'The stop processing of a group failover1 ended.'].map((m) => alerts.indexOf(m));
  t.ok(order.every((i) => i >= 0) && order[0] < order[1] && order[1] < order[2], `pm 20, pm 23, then the group stopped (${order})`);
  await until(async () => (await answer()) === 'server2', 20000, 'the service answering from server2');
  const pid = s.servers[0].pid!;
  await until(async () => !alive(pid), 5000, 'server1 runtime gone (powered off)');
  await sleep(2500); // longer than the margin: a finished shutdown is not reset
  t.notMatch(read(power1), /reset/, 'a shutdown that finished is not reset');
  t.match(read(path.join(s.dir, 'server1', 'softdog.log')), /the server powered off/);
  const refused = await lab.call(s, 'server2', pmOps.fault, { kind: 'role', role: 'lanhb' } as unknown as FaultArgs);
  t.match(refused, { code: 2, message: 'role must be one of rc, rm, nm' }, 'only core roles');
});

t.test('a stall during the OS shutdown is reset by the shutdown stall monitor (10.6)', async (t) => {
  const { lab, s } = await startLab(t);
  const power1 = path.join(s.dir, 'server1', 'power.log');
  t.same(await lab.call(s, 'server1', pmOps.fault, { kind: 'stall-shutdown' }), { code: 0 });
  t.same(await lab.call(s, 'server1', pmOps.fault, { kind: 'role', role: 'nm' }), { code: 0 });
  await until(async () => /shutdown nm failed/.test(read(power1)), 10000, 'server1 recording its shutdown');
  const t0 = Date.now();
  await until(async () => /reset softdog/.test(read(power1)), 6000, 'the softdog reset of the stalled shutdown');
  t.ok(Date.now() - t0 < 4000, `reset ${Date.now() - t0} ms after the shutdown began (margin 1000 ms)`);
  t.match(read(power1), /shutdown nm failed.*\n.*reset softdog: no write for 1000 ms/, 'shutdown, then reset');
  t.match(read(path.join(s.dir, 'server1', 'alert', 'alert.log')), 'Shutdown stall monitor has started...');
  await until(async () => !alive(s.servers[0].pid!), 3000, 'the stalled runtime killed by the reset');
  t.pass('the reset killed the stalled runtime');
});
