// The command line as a user meets it: every clp* command is on PATH through bin/, answers
// --help, and refuses bad arguments or a missing runtime with a message and an exit code.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { commands } from '../../src/cli/pairha';

const bin = path.resolve(__dirname, '..', '..', 'bin');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
const run = (cmd: string, ...args: string[]) => {
  const r = spawnSync(path.join(bin, cmd), args, { env: { ...process.env, PAIRHA_ROOT: root }, encoding: 'utf8', timeout: 30000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const clp = Object.keys(commands).filter((n) => n.startsWith('clp'));

t.test('every clp* command has its name in bin/ and answers --help', async (t) => {
  t.ok(clp.length >= 4);
  for (const name of clp) {
    t.equal(fs.readlinkSync(path.join(bin, name)), 'pairha', `bin/${name} -> pairha`);
    const r = run(name, '--help');
    t.equal(r.code, 0, `${name} --help exits 0`);
    t.equal(r.out, `${commands[name].usage}\n`, `${name} --help prints its usage`);
    t.same(run('pairha', name, '--help'), r, `pairha ${name} is the same command`);
  }
  t.same(fs.readdirSync(bin).sort(), ['pairha', ...clp].sort(), 'nothing else in bin/');
});

t.test('errors: usage, unknown command, no runtime', async (t) => {
  let r = run('pairha');
  t.equal(r.code, 2); t.match(r.out, /usage: pairha <command>/);
  r = run('pairha', 'clpnothing');
  t.equal(r.code, 2); t.equal(r.err, "pairha: unknown command 'clpnothing'\n");
  r = run('clpcl', '-x');
  t.equal(r.code, 2); t.match(r.err, /^clpcl: unknown option '-x'\nusage: clpcl /);
  r = run('clpstat', '-n', 'extra');
  t.equal(r.code, 2); t.match(r.err, /^clpstat: unexpected argument 'extra'/);
  r = run('clpalert', '-n', 'zero');
  t.equal(r.code, 2); t.match(r.err, /invalid count 'zero'/);
  r = run('clpstat');
  t.equal(r.code, 1); t.equal(r.err, 'clpstat: the cluster daemon is not running\n', 'no runtime: said plainly');
});
