// clpstdn: every group stops, then every server records its shutdown (or, with -r, reboot)
// through the runtime's power path; nothing fails over, nothing is reset.
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { alive } from '../../src/host/lab/lab';
import { isRoot, sleep, startLab, until } from '../helpers/lab';

if (!isRoot) { t.skip('LAB TESTS SKIPPED: network namespaces need root', () => {}); process.exit(0); }
t.setTimeout(240000);

const read = (f: string) => { try { return fs.readFileSync(f, 'utf8'); } catch { return ''; } };

t.test('clpstdn shuts every server down; clpstdn -r reboots every server', async (t) => {
  const { lab, s, clp } = await startLab(t);
  const answer = async () => (await lab.client('socat', ['-T2', '-', 'TCP:10.77.1.50:8080'], 5000)).stdout.trim();
  await until(async () => (await answer()) === 'server1', 15000, 'the service on server1');
  const power = (srv: string) => read(path.join(s.dir, srv, 'power.log'));
  const alerts = (srv: string) => read(path.join(s.dir, srv, 'alert', 'alert.log'));
  const r = await clp('server2', 'clpstdn');
  t.equal(r.code, 0, `clpstdn: ${r.err}`);
  await until(async () => /shutdown cluster shutdown requested by clpstdn on server2/.test(power('server1')) && /shutdown cluster shutdown requested by clpstdn\n/.test(power('server2')), 10000, 'both servers recording their shutdown');
  await until(async () => s.servers.every((x) => !alive(x.pid!)), 5000, 'both runtimes gone');
  t.match(alerts('server1'), 'There was a request to halt system from the clpstdn on server2.');
  t.match(alerts('server1'), 'The stop processing of a group failover1 ended.');
  t.notMatch(alerts('server2'), 'The failover processing of a group', 'nothing failed over');
  t.equal(await answer(), '', 'the service is down');
  await sleep(2500);
  t.notMatch(power('server1') + power('server2'), /reset/, 'finished shutdowns are not reset');

  for (const x of s.servers) await lab.start(s, x.name);
  await lab.waitOnline(s, 20000);
  await until(async () => (await answer()) === 'server1', 15000, 'the service on server1 again');
  const rr = await clp('server1', 'clpstdn', '-r');
  t.equal(rr.code, 0, `clpstdn -r: ${rr.err}`);
  await until(async () => s.servers.every((x) => /reboot cluster reboot requested by clpstdn/.test(power(x.name))), 10000, 'both servers recording a reboot');
  t.match(alerts('server2'), 'There was a request to reboot system from the clpstdn on server1.');
  t.equal((await clp('server1', 'clpstdn', 'x')).code, 2, 'usage error');
});
