// Server-down rules of seed §10 in the lab: a deactivation failure during clpcl -t shuts the
// server down (10.4); a stalled runtime (SIGSTOP) stops feeding the watchdog and is reset (10.5).
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { rcOps } from '../../src/group/protocol';
import { isRoot, startLab, until } from '../helpers/lab';

if (!isRoot) { t.skip('LAB TESTS SKIPPED: network namespaces need root', () => {}); process.exit(0); }
t.setTimeout(240000); // several labs in a row on a shared, loaded machine

const powerLog = (dir: string, server: string) => { try { return fs.readFileSync(path.join(dir, server, 'power.log'), 'utf8'); } catch { return ''; } };
const groupState = async (L: Awaited<ReturnType<typeof startLab>>, server: string) => ((await L.lab.call(L.s, server, rcOps.status)).data as Array<{ state: string }>)[0].state;

t.test('a deactivation failure during clpcl -t shuts the server down (10.4)', async (t) => {
  const L = await startLab(t);
  await until(async () => (await groupState(L, 'server1')) === 'Online', 15000, 'the group on server1');
  fs.writeFileSync(path.join(L.s.dir, 'stop-fails'), '');
  const r = await L.clp('server1', 'clpcl', '-t');
  t.equal(r.code, 0, 'the daemon stops');
  await until(async () => /shutdown deactivation failed/.test(powerLog(L.s.dir, 'server1')), 10000, 'the recorded shutdown');
  t.match(fs.readFileSync(path.join(L.s.dir, 'server1', 'alert', 'alert.log'), 'utf8'), 'The stop processing of a resource exec1 failed. (1 : Termination code 1 was returned.)');
  t.notMatch(powerLog(L.s.dir, 'server2'), /shutdown/, 'server2 stays up');
});

t.test('SIGSTOP of the runtime: no watchdog feed, the server is reset (10.5); SIGTERM is an orderly stop', async (t) => {
  const L = await startLab(t);
  await L.lab.signal(L.s, 'server2', 'SIGTERM');
  await new Promise((r) => setTimeout(r, 2500));
  t.equal(powerLog(L.s.dir, 'server2'), '', 'the magic close disarmed the watchdog');
  await L.lab.signal(L.s, 'server1', 'SIGSTOP');
  const t0 = Date.now();
  await until(async () => /reset softdog/.test(powerLog(L.s.dir, 'server1')), 10000, 'the softdog reset');
  t.ok(Date.now() - t0 < 4000, `reset within the margin (${Date.now() - t0} ms)`);
});
