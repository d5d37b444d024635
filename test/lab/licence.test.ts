// Licences in the lab (seed §4, §11.1 (8), §12.1 rm 50-59): the lab's servers start licensed
// (rm 50); server2 without a licence raises rm 53 and rm 57 and its cluster daemon stays
// stopped; an expired trial raises rm 54; a running trial rm 51 with its date; then the
// trial-to-product procedure of §4 with clplcncs, the lab's key standing for the vendor's.
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { issue, readPrivateKey } from '../../src/host/licence';
import { pmOps } from '../../src/pm/protocol';
import { isRoot, startLab, until } from '../helpers/lab';

if (!isRoot) { t.skip('LAB TESTS SKIPPED: network namespaces need root', () => {}); process.exit(0); }
t.setTimeout(300000);

const day = (n: number) => new Date(Date.now() + n * 86400_000).toISOString().slice(0, 10);
const slash = (d: string) => d.replaceAll('-', '/');

t.test('licence check at daemon start; a missing or expired licence stops the cluster; seed §4', async (t) => {
  const { lab, s, clp, view } = await startLab(t);
  const alerts = async (srv: string) => (await clp(srv, 'clpalert', '-n', '300')).out;
  const key = readPrivateKey(path.join(s.dir, 'licence-keys', 'vendor.key'));
  const daemon = async (srv: string) => ((await lab.call(s, srv, pmOps.status)).data as { daemon: string }).daemon;
  const restart = async (srv: string) => { await lab.signal(s, srv, 'SIGTERM'); await lab.start(s, srv); };
  const licDir = path.join(s.dir, 'server2', 'license');

  t.match(await alerts('server1'), /server1 rm INFO 50 The number of license is \d+\. \(SE30\)/, 'licensed at start: rm 50');
  t.equal((await clp('server1', 'clplcncs', '-l', '-p', 'SE30')).code, 0, 'clplcncs -l -p SE30: a licence in effect');

  // No licence on server2: rm 53, rm 57, the cluster daemon does not run there.
  t.equal((await clp('server2', 'clplcncs', '-d', '-p', 'SE30')).code, 0);
  await restart('server2');
  await until(async () => /rm ERR 57/.test(await alerts('server2')), 20000, 'rm 57 on server2');
  const a = await alerts('server2');
  t.match(a, 'server2 rm ERR 53 The license is not registered. (SE30)');
  t.match(a, 'server2 rm ERR 57 Stop of cluster was required because license (SE30) was invalid.');
  t.ok(a.lastIndexOf('rm ERR 53') < a.lastIndexOf('rm ERR 57'), 'rm 53 before rm 57');
  t.equal(await daemon('server2'), 'stopped', 'the cluster daemon is stopped on server2');
  await until(async () => (await view('server1')).servers[1].status !== 'Online', 20000, 'server2 not Online for server1');
  const refused = await clp('server2', 'clpcl', '-s');
  t.equal(refused.code, 1, 'clpcl -s is refused');
  t.match(refused.err, 'the cluster daemon did not start: the licence of SE30 is not registered (clplcncs -l -p SE30)');

  // An expired trial left in the licence directory: rm 54 with its last day, then rm 57.
  fs.writeFileSync(path.join(licDir, 'SE30-0000000000000001.lic'), issue(key, { product: 'SE30', kind: 'trial', count: 2, validFrom: day(-30), validUntil: day(-1) }));
  await restart('server2');
  await until(async () => (await alerts('server2')).includes(`rm ERR 54 The license of trial expired by ${slash(day(-1))}. (SE30)`), 20000, 'rm 54 on server2');
  t.equal(await daemon('server2'), 'stopped', 'an expired trial stops the cluster too');
  t.match((await clp('server2', 'clplcncs', '-l', '-p', 'SE30')).out, `in effect: none (trial expired ${slash(day(-1))})`);

  // Seed §4: a running trial registered with clplcncs, the daemon started: rm 51 with its date.
  const trialFile = path.join(s.dir, 'trial.lic');
  fs.writeFileSync(trialFile, issue(key, { product: 'SE30', kind: 'trial', count: 2, validFrom: day(-1), validUntil: day(30) }));
  const reg = await clp('server2', 'clplcncs', '-i', trialFile, '-p', 'SE30');
  t.equal(reg.code, 0, reg.err);
  t.equal((await clp('server2', 'clpcl', '-s')).code, 0, 'clpcl -s starts the daemon with the trial');
  t.match(await alerts('server2'), `server2 rm INFO 51 Period of trial is till ${slash(day(30))}. (SE30)`);
  await lab.waitOnline(s, 30000);

  // §4 (1)-(3): register the product licence, cluster shutdown, start every server, check.
  const productFile = path.join(s.dir, 'product.lic');
  fs.writeFileSync(productFile, issue(key, { product: 'SE30', kind: 'product', count: 4, issuedTo: 'lab customer' }));
  t.equal((await clp('server2', 'clplcncs', '-i', productFile, '-p', 'SE30')).code, 0);
  t.equal((await clp('server2', 'clpstdn')).code, 0, 'clpstdn');
  await until(async () => s.servers.every((x) => fs.existsSync(path.join(x.root, 'power.log')) && /cluster shutdown/.test(fs.readFileSync(path.join(x.root, 'power.log'), 'utf8'))), 20000, 'both servers shut down');
  for (const x of s.servers) { await lab.signal(s, x.name, 'SIGTERM').catch(() => {}); await lab.start(s, x.name); }
  await lab.waitOnline(s, 30000);
  t.match(await alerts('server2'), /server2 rm INFO 50 The number of license is 4\. \(SE30\)\n(?![\s\S]*rm INFO 51)/, 'the product licence is in effect (rm 50, no rm 51 after it)');
  const listed = await clp('server2', 'clplcncs', '-l', '-p', 'SE30');
  t.match(listed.out, 'product, 4 CPU, issued to lab customer: valid');
  t.match(listed.out, '  in effect: product, 4 CPU');
});
