// Network partition (seed §10.7): both sides take the group; when the links return exactly
// one keeps it and the other shuts down. A partition-resolution target prevents the double
// activation in the first place.
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { rcOps } from '../../src/group/protocol';
import type { ClusterGroups } from '../../src/group/types';
import { defaultLabConfig } from '../../src/host/lab/lab';
import { isRoot, sleep, startLab, until } from '../helpers/lab';

if (!isRoot) { t.skip('LAB TESTS SKIPPED: network namespaces need root', () => {}); process.exit(0); }
t.setTimeout(240000); // several labs in a row on a shared, loaded machine

const local = async (lab: Awaited<ReturnType<typeof startLab>>, server: string) =>
  ((await lab.lab.call(lab.s, server, rcOps.status)).data as Array<{ name: string; state: string }>)[0].state;

t.test('partition then heal: rc 92 on both, server2 yields and shuts down, server1 keeps the group', async (t) => {
  const L = await startLab(t);
  const { lab, s, clp } = L;
  await until(async () => (await local(L, 'server1')) === 'Online', 15000, 'the group on server1');
  await lab.link(s, 'all', false);
  await until(async () => (await local(L, 'server2')) === 'Online', 15000, 'server2 taking the group over during the partition');
  t.equal(await local(L, 'server1'), 'Online', 'active on both sides');
  await lab.link(s, 'all', true);
  await until(async () => fs.existsSync(path.join(s.dir, 'server2', 'power.log')) && /shutdown/.test(fs.readFileSync(path.join(s.dir, 'server2', 'power.log'), 'utf8')), 15000, 'server2 recording its shutdown');
  t.match((await clp('server1', 'clpalert', '-n', '100')).out, /server1 rc ERR 92 group failover1 is started on more than one server\./);
  t.match(fs.readFileSync(path.join(s.dir, 'server2', 'alert', 'alert.log'), 'utf8'), /rc.*92.*group failover1 is started on more than one server\./);
  t.equal(await local(L, 'server1'), 'Online', 'server1 keeps the group');
  const p1 = path.join(s.dir, 'server1', 'power.log');
  t.notOk(fs.existsSync(p1) && /shutdown/.test(fs.readFileSync(p1, 'utf8')), 'server1 does not shut down');
  const answer = (await lab.client('socat', ['-T2', '-', 'TCP:10.77.1.50:8080'], 5000)).stdout.trim();
  t.equal(answer, 'server1', 'the client is served by server1');
});

t.test('with a partition-resolution target the cut-off server takes nothing over', async (t) => {
  const template = path.join(fs.mkdtempSync('/tmp/pairha-conf-'), 'lab.conf');
  fs.writeFileSync(template, `${fs.readFileSync(defaultLabConfig, 'utf8')}\n[partition]\ntargets = 10.77.1.254\n`);
  const L = await startLab(t, template);
  const { lab, s, clp } = L;
  await until(async () => (await local(L, 'server1')) === 'Online', 15000, 'the group on server1');
  await lab.link(s, 'all', false);
  await until(async () => (await L.view('server2')).servers[0].status === 'Offline', 10000, 'server2 seeing server1 down');
  await sleep(3000);
  t.equal(await local(L, 'server2'), 'Offline', 'server2 did not take the group');
  await lab.link(s, 'all', true);
  await lab.waitOnline(s, 10000);
  await sleep(1000);
  t.notMatch((await clp('server1', 'clpalert', '-n', '100')).out, /rc ERR 92/, 'no double activation');
  t.equal(await local(L, 'server1'), 'Online');
});
