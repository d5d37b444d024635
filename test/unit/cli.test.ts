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

t.test('each command\'s own entry point answers as pairha does, run by its name or through the wrapper', async (t) => {
  // As the image links them (post-build.sh): a clp* name to its entry
  // point of dist/cli/bin (scripts/build-cli.js, run by its #! line), `pairha` to the wrapper
  // (rootfs/opt/pairha/bin), given a tree holding only those entry points: no pairha.js to
  // fall back on.
  const wrapper = path.resolve(__dirname, '..', '..', 'rootfs', 'opt', 'pairha', 'bin', 'pairha');
  const built = path.resolve(__dirname, '..', '..', 'dist', 'cli', 'bin');
  const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-entry-'));
  t.teardown(() => fs.rmSync(tree, { recursive: true, force: true }));
  fs.mkdirSync(path.join(tree, 'bin'));
  for (const name of Object.keys(commands)) fs.symlinkSync(path.join(built, `${name}.js`), path.join(tree, 'bin', `${name}.js`));
  const links = path.join(tree, 'links');
  fs.mkdirSync(links);
  fs.symlinkSync(wrapper, path.join(links, 'pairha'));
  const box = (cmd: string, ...args: string[]) => {
    if (cmd !== 'pairha' && !fs.existsSync(path.join(links, cmd))) fs.symlinkSync(path.join(tree, 'bin', `${cmd}.js`), path.join(links, cmd));
    const r = spawnSync(path.join(links, cmd), args, { env: { ...process.env, PAIRHA_ROOT: root, PAIRHA_CLI_DIR: tree }, encoding: 'utf8', timeout: 30000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const conf = path.resolve(__dirname, '..', '..', 'rootfs', 'opt', 'pairha', 'etc', 'clp.conf');
  for (const name of Object.keys(commands)) {
    // Its usage, a refused option, and no arguments (a usage error, or no runtime to ask).
    for (const args of [['--help'], ['-x'], []]) {
      const r = box(name, ...args);
      t.same(r, run('pairha', name, ...args), `${name} ${args.join(' ')}: as pairha ${name}`);
      t.same(box('pairha', name, ...args), r, `pairha ${name} ${args.join(' ')} through the wrapper: the same`);
    }
  }
  const exp = box('pairha', 'config', 'export-sh', '--config', conf, '--server', 'server1');
  t.equal(exp.code, 0, exp.err);
  t.same(exp, run('pairha', 'config', 'export-sh', '--config', conf, '--server', 'server1'), 'config export-sh: the same settings');
  t.equal(box('clpstat').err, 'clpstat: the cluster daemon is not running\n');
});
