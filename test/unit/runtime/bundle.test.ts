// The runtime in one file (dist/runtime/pairha-runtime.js, scripts/build-cli.js), which the
// box's services start, behaves as its compiled modules (dist/runtime/main.js, which the lab
// runs): the same refusal of a missing configuration, and with the shipped clp.conf, in a
// network namespace holding server1's addresses, the same start, the same files found from
// its own directory (the messages, the native addons), and the same orderly end.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { HostPlatform } from '../../../src/platform/host';

const repo = path.resolve(__dirname, '..', '..', '..');
const entries = ['main.js', 'pairha-runtime.js'].map((f) => path.join(repo, 'dist', 'runtime', f));
const host = new HostPlatform({ powerRecord: '' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A root of its own per entry: etc/clp.conf (the shipped one), its key, nothing else of a box. */
function makeRoot(withConfig: boolean): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'runtime-bundle-'));
  fs.mkdirSync(path.join(root, 'etc'));
  if (withConfig) {
    const conf = fs.readFileSync(path.join(repo, 'rootfs', 'opt', 'pairha', 'etc', 'clp.conf'), 'utf8');
    fs.writeFileSync(path.join(root, 'etc', 'clp.conf'), conf.replace(/^key_file = .*$/m, `key_file = ${path.join(root, 'etc', 'cluster.key')}`));
    fs.writeFileSync(path.join(root, 'etc', 'cluster.key'), Buffer.alloc(32, 7), { mode: 0o600 });
  }
  return root;
}

const env = (root: string) => ({
  ...process.env, PAIRHA_ROOT: root, PAIRHA_SERVER: 'server1', PAIRHA_DAEMON: 'stopped',
  PAIRHA_LISCAL_PROC: path.join(root, 'no-liscal'), PAIRHA_DEVLOG: path.join(root, 'no-devlog'),
  PAIRHA_WATCHDOG: path.join(root, 'no-watchdog'), PAIRHA_LEDS: path.join(root, 'no-leds'),
});

/** The distinct log lines but warnings (the LEDs' and the syslog sink's come after the start
 * at their own pace), without time stamps and the root's own path (a retried line counts once). */
const lines = (text: string, root: string) => [...new Set(text.split('\n').filter((l) => l && !/ WARN /.test(l)).map((l) => l.replace(/^\S+Z /, '').split(root).join('ROOT')))].sort();

function start(argv: string[], root: string): { exited: Promise<number | null>; out: () => string; pid: number } {
  let out = '';
  const child = spawn(argv[0], argv.slice(1), { env: env(root), stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  return { exited: new Promise((r) => child.once('exit', (code) => r(code))), out: () => out, pid: child.pid! };
}

t.test('the bundle is built', async (t) => {
  for (const e of entries) t.ok(fs.existsSync(e), `${path.relative(repo, e)} (npm run build)`);
});

t.test('a missing configuration: the same refusal', async (t) => {
  const seen = await Promise.all(entries.map(async (e) => {
    const root = makeRoot(false);
    t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
    const r = start([process.execPath, e], root);
    const code = await r.exited;
    return { code, lines: lines(r.out(), root) };
  }));
  t.equal(seen[0].code, 1);
  t.ok(seen[0].lines.some((l) => l.includes('Configuration file is not exist.')), seen[0].lines.join('\n'));
  t.same(seen[1], seen[0], 'the bundle: the same exit and the same lines');
});

t.test('the shipped configuration in a namespace with server1\'s addresses: the same start and end', async (t) => {
  if (process.getuid?.() !== 0) { t.skip('needs root (a network namespace)', () => {}); return; }
  const ns = `${process.env.PAIRHA_LAB_NS || 'pairha'}-unit-bundle`;
  await host.run('ip', ['netns', 'del', ns]);
  t.equal((await host.run('ip', ['netns', 'add', ns])).code, 0, `netns ${ns}`);
  t.teardown(() => host.run('ip', ['netns', 'del', ns]).then(() => {}));
  await host.run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  // Every IPv4 address the shipped config names goes on the namespace's loopback: server1's among them.
  const conf = fs.readFileSync(path.join(repo, 'rootfs', 'opt', 'pairha', 'etc', 'clp.conf'), 'utf8');
  for (const a of new Set([...conf.matchAll(/\b(\d+\.\d+\.\d+\.\d+)\b/g)].map((m) => m[1]))) {
    t.equal((await host.run('ip', ['-n', ns, 'addr', 'add', `${a}/32`, 'dev', 'lo'])).code, 0, `${a} on lo`);
  }
  const seen: string[][] = [];
  for (const e of entries) {
    const root = makeRoot(true);
    t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
    const r = start(['ip', 'netns', 'exec', ns, process.execPath, e], root);
    const pidFile = path.join(root, 'run', 'pairha.pid');
    const sock = path.join(root, 'run', 'pairha.sock');
    let up = false;
    for (let i = 0; i < 300 && !up; i++) { up = fs.existsSync(pidFile) && fs.existsSync(sock); if (!up) await sleep(50); }
    t.ok(up, `${path.basename(e)}: started (pid file and control socket)`);
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    t.match(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'), path.basename(e), `${path.basename(e)}: the pid file names it`);
    // Its last role to start is the mirror agent: stopped once it has said so, each has logged its start.
    for (let i = 0; i < 600 && !r.out().includes('Agent has started successfully.'); i++) await sleep(50);
    t.match(r.out(), 'Agent has started successfully.', `${path.basename(e)}: the mirror agent started`);
    process.kill(pid, 'SIGTERM');
    t.equal(await r.exited, 0, `${path.basename(e)}: SIGTERM ends it, status 0`);
    seen.push(lines(r.out(), root));
  }
  t.notOk(seen[0].some((l) => / ERROR /.test(l) && !/liscal/.test(l)), `main.js started without errors other than liscal's:\n${seen[0].join('\n')}`);
  t.same(seen[1], seen[0], 'the bundle logged the same lines');
});
