// The console commands' launcher and start-up snapshot (native/launcher/clp.c,
// src/cli/snapshot.ts): a command run by the launcher from the snapshot answers exactly as
// the host's `pairha NAME`, with or without the blob, and the blob built here loads on a CPU
// with fewer features (qemu's default CPU, under qemu-user) because the launcher pins the V8
// flags V8 would otherwise derive from the CPU; two builds of the blob give the same bytes.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { commands } from '../../src/cli/pairha';

const repo = path.resolve(__dirname, '..', '..');
const dist = path.join(repo, 'dist');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clp-root-'));
const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'clp-tree-'));
t.teardown(() => { fs.rmSync(root, { recursive: true, force: true }); fs.rmSync(tree, { recursive: true, force: true }); });

// The image's layout: <app>/dist/native/clp, <app>/dist/cli/bin/NAME.js, <app>/messages.
const app = (...p: string[]) => path.join(tree, ...p);
fs.mkdirSync(app('dist', 'native'), { recursive: true });
fs.mkdirSync(app('dist', 'cli', 'bin'), { recursive: true });
fs.mkdirSync(app('links'));
fs.copyFileSync(path.join(dist, 'native', 'clp'), app('dist', 'native', 'clp')); // copied: it finds <dist> from its own path
fs.chmodSync(app('dist', 'native', 'clp'), 0o755);
for (const f of fs.readdirSync(path.join(dist, 'cli', 'bin'))) fs.copyFileSync(path.join(dist, 'cli', 'bin', f), app('dist', 'cli', 'bin', f));
fs.symlinkSync(path.join(repo, 'messages'), app('messages'));
const blob = app('dist', 'cli', 'clp.blob');
const flags = spawnSync(app('dist', 'native', 'clp'), ['--snapshot-flags'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);

const env = { ...process.env, PAIRHA_ROOT: root };
const res = (r: ReturnType<typeof spawnSync>) => ({ code: r.status, out: String(r.stdout), err: String(r.stderr) });
const host = (name: string, args: string[]) => res(spawnSync(path.join(repo, 'bin', 'pairha'), [name, ...args], { env, encoding: 'utf8', timeout: 60000 }));
const box = (name: string, args: string[]) => {
  const link = app('links', name);
  if (!fs.existsSync(link)) fs.symlinkSync(app('dist', 'native', 'clp'), link);
  return res(spawnSync(link, args, { env, encoding: 'utf8', timeout: 60000 }));
};
const buildBlob = (out: string, entry: string, pinned = flags) => {
  const r = spawnSync(process.execPath, [...pinned, '--snapshot-blob', out, '--build-snapshot', entry], { cwd: tree, encoding: 'utf8', timeout: 120000 });
  if (r.status !== 0) throw new Error(`building ${out}: ${r.stderr}`);
};
const cases: Array<[string, string[]]> = [];
for (const name of Object.keys(commands)) for (const args of [['--help'], ['-x'], []]) cases.push([name, args]);

t.test('the launcher pins the CPU-derived V8 flags', async (t) => {
  t.ok(flags.length >= 10, flags.join(' '));
  for (const f of ['--no-enable-ssse3', '--no-enable-popcnt', '--no-enable-lzcnt', '--no-enable-bmi1', '--no-enable-bmi2']) t.ok(flags.includes(f), f);
});

/** The blob as the image builds it (scripts/build-snapshot.sh). */
const buildImageBlob = (out: string) => {
  const r = spawnSync('bash', [path.join(repo, 'scripts', 'build-snapshot.sh'), process.execPath, dist, out], { encoding: 'utf8', timeout: 120000 });
  if (r.status !== 0) throw new Error(`build-snapshot.sh: ${r.stderr}`);
};

t.test('two builds of the blob are byte-identical (the image must be)', async (t) => {
  const again = app('again.blob');
  buildImageBlob(blob);
  buildImageBlob(again);
  t.ok(fs.statSync(blob).size > 1e6, `a blob of ${fs.statSync(blob).size} bytes`);
  t.ok(fs.readFileSync(blob).equals(fs.readFileSync(again)), 'the same bytes');
  fs.rmSync(again);
  const bad = spawnSync('bash', [path.join(repo, 'scripts', 'build-snapshot.sh'), process.execPath, root, app('x.blob')], { encoding: 'utf8' });
  t.equal(bad.status, 2);
  t.match(bad.stderr, /^build-snapshot: no bundle at .*cli\/clp-snapshot\.js \(npm run build\)/, 'a tree without the bundle is named');
});

t.test('from the snapshot: every command answers as pairha does', async (t) => {
  if (!fs.existsSync(blob)) buildImageBlob(blob);
  for (const [name, args] of cases) t.same(box(name, args), host(name, args), `${name} ${args.join(' ')}`);
  const conf = path.join(repo, 'rootfs', 'opt', 'pairha', 'etc', 'clp.conf');
  const exp = box('config', ['export-sh', '--config', conf, '--server', 'server1']);
  t.equal(exp.code, 0, exp.err);
  t.same(exp, host('config', ['export-sh', '--config', conf, '--server', 'server1']), 'config export-sh: the same settings');
});

t.test('the blob is what the launcher runs, and without one the bundle runs', async (t) => {
  const marker = app('marker.js');
  fs.writeFileSync(marker, "require('node:v8').startupSnapshot.setDeserializeMainFunction(() => { console.log('snapshot', require('node:path').basename(process.argv[1]), process.argv.slice(2).join(' ')); });\n");
  const saved = app('saved.blob');
  fs.renameSync(blob, saved);
  buildBlob(blob, marker);
  t.same(box('clpstat', ['-n', 'x']), { code: 0, out: 'snapshot clpstat.js -n x\n', err: '' }, 'the blob ran, given the bundle and the arguments');
  const wrapper = path.join(repo, 'rootfs', 'opt', 'pairha', 'bin', 'pairha');
  t.same(res(spawnSync(wrapper, ['config', 'export-sh'], { env: { ...env, PAIRHA_CLI_DIR: app('dist', 'cli') }, encoding: 'utf8' })), { code: 0, out: 'snapshot config.js export-sh\n', err: '' }, 'pairha NAME: the wrapper runs the launcher');
  fs.rmSync(blob);
  for (const [name, args] of cases.slice(0, 6)) t.same(box(name, args), host(name, args), `no blob: ${name} ${args.join(' ')}`);
  fs.renameSync(saved, blob);
});

t.test('the launcher run as clp takes the command from its first argument; the pairha wrapper runs it', async (t) => {
  if (!fs.existsSync(blob)) buildImageBlob(blob);
  const clp = (args: string[]) => res(spawnSync(app('dist', 'native', 'clp'), args, { env, encoding: 'utf8', timeout: 60000 }));
  t.same(clp(['clpstdn', '-x']), host('clpstdn', ['-x']), 'clp clpstdn -x');
  t.same(clp([]), { code: 2, out: '', err: 'usage: clp COMMAND [ARGS...] | clp --snapshot-flags\n' }, 'clp alone: its usage');
  const wrapper = path.join(repo, 'rootfs', 'opt', 'pairha', 'bin', 'pairha');
  const conf = path.join(repo, 'rootfs', 'opt', 'pairha', 'etc', 'clp.conf');
  const viaWrapper = res(spawnSync(wrapper, ['config', 'export-sh', '--config', conf, '--server', 'server1'], { env: { ...env, PAIRHA_CLI_DIR: app('dist', 'cli') }, encoding: 'utf8', timeout: 60000 }));
  t.equal(viaWrapper.code, 0, viaWrapper.err);
  t.same(viaWrapper, host('config', ['export-sh', '--config', conf, '--server', 'server1']), 'pairha config export-sh (boot step 45) through the launcher');
});

t.test('a name that is no command is refused', async (t) => {
  let r = box('clpnosuch', []);
  t.equal(r.code, 2); t.match(r.err, /^clp: no command named 'clpnosuch'/);
  fs.symlinkSync(app('dist', 'native', 'clp'), app('links', 'Bad.Name'));
  r = res(spawnSync(app('links', 'Bad.Name'), [], { encoding: 'utf8' }));
  t.equal(r.code, 2); t.equal(r.err, "clp: 'Bad.Name' is not a command name\n");
});

const qemu = ['/usr/bin/qemu-x86_64', '/usr/bin/qemu-x86_64-static'].find((p) => fs.existsSync(p));
t.test('the blob built here loads on qemu\'s default CPU (no SSSE3, POPCNT, LZCNT, BMI)', { skip: process.arch !== 'x64' ? 'not x86-64' : !qemu ? 'SKIPPED: qemu-user is not installed (scripts/setup.sh installs it)' : false }, async (t) => {
  const bundle = app('dist', 'cli', 'bin', 'clpstdn.js');
  const onQemu64 = (b: string, pinned: string[]) => res(spawnSync(qemu!, ['-cpu', 'qemu64', process.execPath, '--snapshot-blob', b, ...pinned, bundle, '-x'], { env, encoding: 'utf8', timeout: 180000 }));
  t.same(onQemu64(blob, flags), host('clpstdn', ['-x']), 'pinned: the same answer');
  const unpinned = app('unpinned.blob');
  buildBlob(unpinned, path.join(dist, 'cli', 'clp-snapshot.js'), []);
  const r = onQemu64(unpinned, []);
  t.equal(r.code, 14, 'not pinned: node refuses the blob');
  t.match(r.err, /built with a different version of V8 or with different V8 configurations/);
});
