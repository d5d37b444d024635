// clplogcc against a running lab: server2's part comes over the real peer channel (TCP
// between network namespaces, authenticated with the cluster key) and lands next to
// server1's in one archive, with no form of the key in it.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { keyForms } from '../../src/logs/collect';
import { isRoot, startLab } from '../helpers/lab';

if (!isRoot) { t.skip('LAB TESTS SKIPPED: network namespaces need root', () => {}); process.exit(0); }

t.test('clplogcc collects both servers of the lab into one archive', async (t) => {
  const { s, clp } = await startLab(t);
  const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-logcc-lab-'));
  t.teardown(() => fs.rmSync(dest, { recursive: true, force: true }));
  // The command finds its own server as the runtime does; here it runs inside the test process.
  const was = process.env.PAIRHA_SERVER;
  process.env.PAIRHA_SERVER = 'server1';
  t.teardown(() => { if (was === undefined) delete process.env.PAIRHA_SERVER; else process.env.PAIRHA_SERVER = was; });

  const r = await clp('server1', 'clplogcc', '-t', 'type2', '-o', dest);
  t.equal(r.code, 0, `clplogcc: ${r.out}${r.err}`);
  t.match(r.out, /^Collect Log server1 : success\nCollect Log server2 : success\n/);
  const [archive] = fs.readdirSync(dest);
  const list = execFileSync('tar', ['-tzf', path.join(dest, archive)], { encoding: 'utf8' });
  for (const server of ['server1', 'server2']) {
    t.match(list, new RegExp(`/${server}/etc/clp\\.conf$`, 'm'), `${server}'s configuration`);
    t.match(list, new RegExp(`/${server}/alert/`, 'm'), `${server}'s alert log`);
    t.match(list, new RegExp(`/${server}/MANIFEST\\.txt$`, 'm'), `${server}'s manifest`);
  }
  execFileSync('tar', ['-xzf', path.join(dest, archive), '-C', dest]);
  const all = execFileSync('sh', ['-c', 'find . -type f -name "*" ! -name "*.tar.gz" -exec cat {} +'], { cwd: dest, maxBuffer: 256 << 20 });
  const key = fs.readFileSync(path.join(s.dir, 'cluster.key'));
  t.ok(keyForms(key).every((f) => all.indexOf(f) < 0), 'no form of the cluster key in the archive');

  const one = await clp('server1', 'clplogcc', '-t', 'type3', '-h', 'server2', '-o', dest);
  t.equal(one.code, 0, `clplogcc -h server2: ${one.err}`);
  t.match(one.out, /^Collect Log server2 : success\n/, 'one server only');
});
