// clpcfctrl on the lab pair (seed §6.1): pull, push to both, the prompts, a change that needs a
// suspend/resume (a heartbeat timeout) taking effect at resume, an old generation refused, a
// change that needs a daemon stop/start, a server down (refused, then forced) catching up.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t, { type Test } from 'tap';
import { cli } from '../../src/cli/pairha';
import { defaultContext } from '../../src/cli/context';
import { generationOf } from '../../src/config/generation';
import { isRoot, startLab, until } from '../helpers/lab';

if (!isRoot) { t.skip('LAB TESTS SKIPPED: network namespaces need root', () => {}); process.exit(0); }

async function setup(t: Test) {
  const { lab, s, clp, view } = await startLab(t);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-cfctrl-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  /** clpcfctrl on `server`, answering `answer` to its prompt. */
  const cfctrl = async (server: string, answer: string, ...argv: string[]) => {
    let out = '', err = '';
    const prompts: string[] = [];
    const ctx = { ...defaultContext(lab.env(s, server)), out: (x: string) => { out += x; }, err: (x: string) => { err += x; }, ask: async (p: string) => { prompts.push(p); return answer; } };
    const code = await cli(['clpcfctrl', ...argv], ctx);
    return { code, out, err, prompts };
  };
  const conf = path.join(dir, 'clp.conf');
  const held = (server: string) => fs.readFileSync(path.join(s.servers.find((x) => x.name === server)!.root, 'clp.conf'), 'utf8');
  return { lab, s, clp, view, dir, cfctrl, conf, held };
}

t.test('clpcfctrl --push / --pull across the pair', async (t) => {
  const { lab, s, clp, view, dir, cfctrl, conf, held } = await setup(t);

  // Backup (seed §1.2.2).
  let r = await cfctrl('server1', '', '--pull', '-l', '-x', dir);
  t.equal(r.code, 0, r.err);
  t.match(r.out, /success\.\(code:0\)\n$/);
  t.equal(fs.statSync(path.join(dir, 'cluster.key')).mode & 0o777, 0o600, 'the key is saved 0600');
  t.equal(generationOf(fs.readFileSync(conf, 'utf8')), 0);

  // §6.1.4: a heartbeat timeout needs a suspend/resume.
  fs.writeFileSync(conf, fs.readFileSync(conf, 'utf8').replace('hb_timeout = 1000', 'hb_timeout = 3000'));
  r = await cfctrl('server1', 'n', '--push', '-l', '-x', dir);
  t.same(r.prompts, ['Need to suspend cluster and resume\nAlready suspended? (y/n) : '], 'the seed\'s prompt');
  t.equal(r.code, 1, 'answered n: not pushed');
  r = await cfctrl('server1', 'y', '--push', '-l', '-x', dir);
  t.equal(r.code, 1, 'answered y without suspending: refused');
  t.match(r.err, /the cluster daemon is not suspended, and the change needs a suspend\/resume/);
  t.notMatch(r.out, /success/);
  t.equal((await clp('server1', 'clpcl', '--suspend')).code, 0);
  r = await cfctrl('server1', 'y', '--push', '-l', '-x', dir);
  t.equal(r.code, 0, r.err);
  t.match(r.out, /generation 0 -> 1; reflect method: suspend\n  \[timeouts\] hb_timeout: 1000 -> 3000 \(suspend\)\n/);
  t.match(r.out, /run clpcl --resume to apply it\nsuccess\.\(code:0\)\n$/);
  for (const srv of ['server1', 'server2']) {
    t.match(held(srv), /hb_timeout = 3000/, `${srv} holds the new file`);
    t.equal(generationOf(held(srv)), 1, `${srv}: generation 1`);
    t.equal((await view(srv)).timeoutMs, 1000, `${srv}: not in effect before the resume`);
  }
  t.equal((await clp('server2', 'clpcl', '--resume')).code, 0);
  for (const srv of ['server1', 'server2']) t.equal((await view(srv)).timeoutMs, 3000, `${srv}: the new timeout is in effect after the resume`);
  await lab.waitOnline(s, 10000);

  // A change by hand that a resume cannot apply: the resume says so, and runs on with what it had.
  const file1 = path.join(s.servers[0].root, 'clp.conf');
  const saved = held('server1');
  fs.writeFileSync(file1, saved.replace('hb_timeout = 3000', 'hb_timeout = 4000') + '\n[group byhand]\nservers = server1\n');
  t.equal((await clp('server1', 'clpcl', '--suspend')).code, 0);
  const resumed = await clp('server1', 'clpcl', '--resume');
  t.equal(resumed.code, 1, 'not a success');
  t.match(resumed.err, /server1: resumed with the configuration in use: these changes need a cluster daemon stop\/start or a reboot:\n\[group byhand\] servers: \(unset\) -> server1 \(daemon\)/);
  t.equal((await view('server1')).suspended, false, 'resumed all the same');
  t.equal((await view('server1')).timeoutMs, 3000, 'with the timeout it had');
  fs.writeFileSync(file1, saved);

  // The same file again: generation 0 is older than the cluster's 1.
  r = await cfctrl('server2', 'y', '--push', '-x', dir);
  t.equal(r.code, 1);
  t.match(r.err, /generation 0, older than the cluster's 1: pull the current one/);

  // §6.1.5: a new group needs a cluster daemon stop/start.
  t.equal((await cfctrl('server2', '', '--pull', '-w', '-x', dir)).code, 0);
  fs.appendFileSync(conf, '\n[group g2]\nservers = server2,server1\n');
  r = await cfctrl('server1', 'y', '--push', '-x', dir);
  t.same(r.prompts, ['Need to stop cluster and restart\nAlready stopped? (y/n) : ']);
  t.match(r.err, /server1: the cluster daemon is running, and the change needs a cluster daemon stop\/start: stop it first \(clpcl -t -a\)\n\[group g2\] servers/);
  t.equal((await clp('server1', 'clpcl', '-t', '-a')).code, 0);
  r = await cfctrl('server1', 'y', '--push', '-x', dir);
  t.equal(r.code, 0, r.err);
  t.match(r.out, /run clpcl -s -a to apply it\nsuccess\.\(code:0\)\n$/);
  t.equal((await clp('server1', 'clpcl', '-s', '-a')).code, 0);
  await lab.waitOnline(s, 10000);
  for (const srv of ['server1', 'server2']) t.match((await clp(srv, 'clpstat')).out, /g2/, `${srv} runs with group g2`);

  // A server down: refused, then forced; it takes the configuration when it starts again.
  t.equal((await clp('server1', 'clpcl', '-t', '-a')).code, 0);
  await lab.signal(s, 'server2', 'SIGTERM');
  t.equal((await cfctrl('server1', '', '--pull', '-x', dir)).code, 0);
  fs.appendFileSync(conf, '\n[group g3]\nservers = server1,server2\n');
  r = await cfctrl('server1', 'y', '--push', '-x', dir);
  t.equal(r.code, 1);
  t.match(r.err, /server2 cannot be reached; push with --force/);
  t.equal(generationOf(held('server1')), 2, 'nothing pushed');
  r = await cfctrl('server1', 'y', '--push', '-x', dir, '--force');
  t.equal(r.code, 0, r.err);
  t.match(r.out, /not reachable: server2 \(--force/);
  t.equal(generationOf(held('server1')), 3);
  t.equal(generationOf(held('server2')), 2, 'server2 was down');
  await lab.start(s, 'server2'); // its cluster daemon starts: it catches up first
  t.equal((await clp('server1', 'clpcl', '-s', '-h', 'server1')).code, 0);
  await lab.waitOnline(s, 20000);
  await until(async () => generationOf(held('server2')) === 3, 10000, 'server2 at generation 3');
  t.equal(held('server2'), held('server1'), 'the same file on both');
  for (const srv of ['server1', 'server2']) t.match((await clp(srv, 'clpstat')).out, /g3/, `${srv} runs with group g3`);
  t.match(fs.readFileSync(path.join(s.servers[1].root, 'runtime.log'), 'utf8'), /took the configuration of generation 3 from server1/);

  // Bad input: precise errors, nothing pushed.
  fs.writeFileSync(conf, '[cluster]\nname = c\nbogus\n');
  r = await cfctrl('server1', 'y', '--push', '-x', dir);
  t.equal(r.code, 1);
  t.match(r.err, /clp\.conf:3: \[cluster\]: expected 'key = value', got 'bogus'/);
  r = await cfctrl('server1', 'y', '--push', '-x', path.join(dir, 'nope'));
  t.match(r.err, /nope is not a directory/);
  r = await cfctrl('server1', 'y', '--push', '--pull');
  t.equal(r.code, 2);
  t.match(r.err, /give exactly one of --push, --pull/);
});

t.test('alert sync and web manager restarts (seed §6.1.2, §6.1.3) while the cluster runs', async (t) => {
  // The runtimes take PAIRHA_INITD from this process: a clusterpro_webmgr that records what it read.
  const initd = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-initd-'));
  t.teardown(() => fs.rmSync(initd, { recursive: true, force: true }));
  const script = path.join(initd, 'clusterpro_webmgr');
  fs.writeFileSync(script, `#!/bin/sh\necho "$1 $(grep '^manager' "$PAIRHA_CONFIG")" >> ${initd}/"$PAIRHA_SERVER".log\n`, { mode: 0o755 });
  process.env.PAIRHA_INITD = initd;
  t.teardown(() => { delete process.env.PAIRHA_INITD; });
  const { lab, s, clp, dir, cfctrl, conf } = await setup(t);
  t.equal((await cfctrl('server1', '', '--pull', '-x', dir)).code, 0);
  fs.appendFileSync(conf, '\n[ports]\nmanager = 29010\n');
  let r = await cfctrl('server2', '', '--push', '-x', dir);
  t.equal(r.code, 0, r.err);
  t.same(r.prompts, [], 'no question: the cluster keeps running');
  t.match(r.out, /reflect method: upload \(\+ webmgr restart\)[\s\S]*the web manager restarted with the new configuration\nthe configuration is in place \(upload only\)\nsuccess\.\(code:0\)\n$/);
  for (const srv of ['server1', 'server2']) t.equal(fs.readFileSync(path.join(initd, `${srv}.log`), 'utf8'), 'restart manager = 29010\n', `${srv}: clusterpro_webmgr restarted, reading the new clp.conf`);

  // The alert sync port moves; the restarted sync carries server2's events on it.
  t.equal((await cfctrl('server1', '', '--pull', '-x', dir)).code, 0);
  fs.writeFileSync(conf, fs.readFileSync(conf, 'utf8').replace('manager = 29010', 'manager = 29010\nalert_sync = 29013'));
  r = await cfctrl('server1', '', '--push', '-x', dir);
  t.equal(r.code, 0, r.err);
  t.match(r.out, /reflect method: upload \(\+ alertsync restart\)\n  \[ports\] alert_sync: \(unset\) -> 29013 \(alertsync\)\nalert synchronisation restarted/, 'only the new change: the first is in effect');
  t.equal((await clp('server1', 'clpcl', '-t', '-h', 'server2')).code, 0);
  t.equal((await clp('server1', 'clpcl', '-s', '-h', 'server2')).code, 0);
  await lab.waitOnline(s, 10000);
  await until(async () => / server2 pm INFO 1 /.test((await clp('server1', 'clpalert', '-n', '10')).out), 10000, "server2's start in server1's alert log");
  t.pass('alert sync works on the new port');
  const ss = await lab['os'].run('ip', ['netns', 'exec', s.servers[0].ns, 'ss', '-uln']);
  t.match(ss.stdout, /:29013\b/, 'server1 listens on 29013/UDP');
  t.notMatch(ss.stdout, /:29003\b/, 'and no longer on 29003');

  // A restart that fails: the configuration is pushed, but clpcfctrl does not report success.
  fs.rmSync(script);
  t.equal((await cfctrl('server1', '', '--pull', '-x', dir)).code, 0);
  fs.writeFileSync(conf, fs.readFileSync(conf, 'utf8').replace('manager = 29010', 'manager = 29011'));
  r = await cfctrl('server1', '', '--push', '-x', dir);
  t.equal(r.code, 1);
  t.match(r.err, /pushed, but not in effect:\nserver1: webmgr restart: the web manager is not installed \(no .*clusterpro_webmgr\)/);
  t.notMatch(r.out, /success/);
});
