// One runtime per run directory (pm 10 for a second): eight runtimes started at the same
// instant leave exactly one running (the pid file's check-then-write let two through in the
// lab campaign: step 142 of seed 1001); the lock dies with its holder, even by SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import t from 'tap';
import { claimInstance } from '../../../src/runtime/instance';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'instance-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
const lib = path.join(__dirname, '..', '..', '..', 'dist', 'runtime', 'instance.js');

/** A process that claims `run` and says won/lost; a winner holds the lock until killed. */
function contender(run: string): { child: ChildProcess; verdict: Promise<string> } {
  const code = `require(${JSON.stringify(lib)}).claimInstance(${JSON.stringify(run)}).then((s) => { console.log(s ? 'won' : 'lost'); if (s) setInterval(() => {}, 1000); }, (e) => { console.log('error ' + e.message); process.exit(2); });`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const verdict = new Promise<string>((resolve) => {
    readline.createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', () => resolve('exited'));
  });
  return { child, verdict };
}

t.test('a claim in this process', async (t) => {
  const run = path.join(dir, 'own', 'run');
  const lock = await claimInstance(run);
  t.ok(lock, 'the first claim wins');
  t.equal(fs.readFileSync(path.join(run, 'pairha.pid'), 'utf8'), String(process.pid), 'the pid file names this process');
  t.equal(await claimInstance(run), undefined, 'a second claim of the same directory loses');
  t.ok(await claimInstance(path.join(dir, 'other', 'run')), 'another directory (another lab server) is its own');
  lock!.close();
  t.ok(await claimInstance(run), 'released, it can be claimed again');
});

t.test('eight runtimes started at once: one wins', async (t) => {
  const run = path.join(dir, 'race', 'run');
  fs.mkdirSync(run, { recursive: true });
  const all = Array.from({ length: 8 }, () => contender(run));
  t.teardown(() => all.forEach((c) => c.child.kill('SIGKILL')));
  const verdicts = await Promise.all(all.map((c) => c.verdict));
  t.same(verdicts.filter((v) => v === 'won').length, 1, `exactly one won (${verdicts.join(' ')})`);
  t.same(verdicts.filter((v) => v === 'lost').length, 7, 'the seven others were refused');
  const winner = all[verdicts.indexOf('won')].child;
  t.equal(fs.readFileSync(path.join(run, 'pairha.pid'), 'utf8'), String(winner.pid), 'the pid file names the winner');

  const exited = new Promise((r) => winner.once('exit', r));
  winner.kill('SIGKILL');
  await exited;
  const next = contender(run);
  t.teardown(() => next.child.kill('SIGKILL'));
  t.equal(await next.verdict, 'won', 'after a SIGKILL of the holder (the pid file left behind) a new runtime starts');
});
