// A failover group (floating IP + exec service) in the lab, reached from the client namespace.
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { rcOps } from '../../src/group/protocol';
import type { ClusterGroups } from '../../src/group/types';
import { defaultLabConfig, nsOf } from '../../src/host/lab/lab';
import { isRoot, startLab, until } from '../helpers/lab';

if (!isRoot) { t.skip('LAB TESTS SKIPPED: network namespaces need root', () => {}); process.exit(0); }
t.setTimeout(240000); // several labs in a row on a shared, loaded machine

const FIP = '10.77.1.50';

t.test('the group starts on server1, SIGKILL moves it to server2, clpgrp -m moves it back', async (t) => {
  const { lab, s, clp } = await startLab(t);
  const answer = async () => (await lab.client('socat', ['-T2', '-', `TCP:${FIP}:8080`], 5000)).stdout.trim();
  const groups = async (server: string) => (await lab.call(s, server, rcOps.cluster)).data as ClusterGroups;
  await until(async () => (await answer()) === 'server1', 15000, 'the service on server1 answering the client');
  const g = (await groups('server2')).groups[0];
  t.same([g.name, g.state, g.current], ['failover1', 'Online', ['server1']], 'server2 sees the group Online on server1');
  t.match((await clp('server1', 'clpstat')).out, /<group>\n {4}failover1 +: Online\n {6}current +: server1\n {6}fip1 +: Online\n {6}exec1 +: Online/);
  const json = JSON.parse((await clp('server2', 'clpstat', '--json')).out);
  t.equal(json.groups[0].resources[0].state, 'Online', 'clpstat --json carries resource states');

  const t0 = Date.now();
  await lab.signal(s, 'server1', 'SIGKILL');
  await until(async () => (await answer()) === 'server2', 20000, 'the service answering from server2');
  t.pass(`the client reaches the floating IP on server2 ${Date.now() - t0} ms after SIGKILL`);
  const alerts = (await clp('server2', 'clpalert', '-n', '60')).out;
  t.match(alerts, /server2 rc INFO 60 The failover processing of a group failover1 started\./);
  t.match(alerts, /server2 rc INFO 61 The failover processing of a group failover1 ended\./);
  t.match(fs.readFileSync(path.join(s.dir, 'server1', 'power.log'), 'utf8'), /reset softdog/, 'the lab softdog reset server1');

  await lab.start(s, 'server1');
  await lab.waitOnline(s, 20000);
  t.equal((await groups('server1')).groups[0].current.join(), 'server2', 'no failback by default');
  const m = await clp('server1', 'clpgrp', '-m', 'failover1', '-h', 'server1');
  t.equal(m.code, 0, `clpgrp -m: ${m.err}`);
  const moved = Date.now();
  await until(async () => (await answer()) === 'server1', 5000, 'the service answering from server1 after the move');
  t.pass(`the service answers from server1 ${Date.now() - moved} ms after clpgrp -m returned`);
  const a1 = (await clp('server2', 'clpalert', '-n', '30')).out;
  t.match(a1, /server2 rc INFO 50 The move processing of a group failover1 started\./);
  t.match(a1, /server2 rc INFO 51 The move processing of a group failover1 ended\./);
  t.match((await clp('server2', 'clpgrp', '-m', 'failover1', '-h', 'nosuch')).err, /unknown server 'nosuch'/);
});

t.test('clpgrp -t stops the group where it runs, -s starts it on the server named', async (t) => {
  const { lab, s, clp } = await startLab(t);
  const answer = async () => (await lab.client('socat', ['-T2', '-', `TCP:${FIP}:8080`], 5000)).stdout.trim();
  await until(async () => (await answer()) === 'server1', 15000, 'the service on server1');
  t.equal((await clp('server2', 'clpgrp', '-t', 'failover1')).code, 0, 'stopped from server2');
  t.equal(await answer(), '', 'nobody answers');
  const ping = await lab.client('ping', ['-c', '1', '-W', '1', FIP]);
  t.not(ping.code, 0, 'the floating IP is gone');
  t.equal((await clp('server1', 'clpgrp', '-s', 'failover1', '-h', 'server2')).code, 0, 'started on server2 from server1');
  const started = Date.now();
  await until(async () => (await answer()) === 'server2', 5000, 'the service answering from server2');
  t.pass(`served by server2 ${Date.now() - started} ms after clpgrp -s returned`);
  const again = await clp('server1', 'clpgrp', '-s', 'failover1');
  t.not(again.code, 0, 'a second start elsewhere is refused');
  t.match(again.err, /active on server2/);
});

t.test('pidw: a service that keeps dying is restarted N times, failed over, then the final action runs', async (t) => {
  const template = path.join(fs.mkdtempSync('/tmp/pairha-conf-'), 'lab.conf');
  fs.writeFileSync(template, fs.readFileSync(defaultLabConfig, 'utf8').replace('restart_count = 2', 'restart_count = 2\nfinal_action = stop-group'));
  const { lab, s, clp } = await startLab(t, template);
  const answer = async () => (await lab.client('socat', ['-T2', '-', `TCP:${FIP}:8080`], 5000)).stdout.trim();
  await until(async () => (await answer()) === 'server1', 15000, 'the service on server1');
  fs.writeFileSync(path.join(s.dir, 'broken'), ''); // from now on the service dies at once
  // Kill the running service in server1's namespace (its pid is in that namespace's list).
  const pids = (await lab['os'].run('ip', ['netns', 'pids', nsOf('server1')])).stdout.split('\n').filter(Boolean);
  const service = pids.filter((p) => { try { return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('TCP-LISTEN:8080'); } catch { return false; } });
  t.ok(service.length, 'the service process is found');
  for (const p of service) process.kill(Number(p), 'SIGKILL');
  await until(async () => (await clp('server2', 'clpalert', '-n', '200')).out.includes('server2 rm INFO 12 failover1 was stopped for failure in pidw1.'), 30000, 'the final action on server2');
  const a1 = (await clp('server1', 'clpalert', '-n', '200')).out;
  t.equal(a1.match(/server1 rm INFO 13 exec1 was restarted for failure in pidw1\./g)?.length, 2, 'restarted twice on server1');
  t.match(a1, /server1 rm INFO 14 failover1 was failover for failure in pidw1\./);
  const a2 = (await clp('server2', 'clpalert', '-n', '200')).out;
  t.equal(a2.match(/server2 rm INFO 13 exec1 was restarted for failure in pidw1\./g)?.length, 2, 'restarted twice on server2');
  t.notMatch(a2, /server2 rm INFO 14/, 'no second failover: the threshold is used up');
  t.match(a2, /server2 rm ERR 9 Monitor pidw1 failed\. \(1 : Process does not exist\. \(pid=\d+\)\)/);
  // The alert says the final action began; the group's stop completes after it.
  const current = async () => ((await lab.call(s, 'server2', rcOps.cluster)).data as ClusterGroups).groups[0].current;
  await until(async () => (await current()).length === 0, 30000, 'the group stopped everywhere');
  t.same(await current(), [], 'the group is stopped everywhere');
});
