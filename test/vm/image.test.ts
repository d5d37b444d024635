// The appliance image: built from scratch twice with the same inputs it is byte-identical;
// the GPT layout is docs/image.md's; the system partition holds what the box runs.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { HostPlatform } from '../../src/platform/host';
import { vmSkipReason } from '../../src/host/pair/fixture';

const skip = vmSkipReason();
if (skip) { t.skip(`IMAGE TESTS SKIPPED: ${skip}`, () => {}); process.exit(0); }

const repo = path.resolve(__dirname, '..', '..');
const host = new HostPlatform({ powerRecord: '' });
const MiB = 1024 * 1024;

async function build(out: string, liscalKo: string, dist: string): Promise<void> {
  const r = await host.run('bash', [path.join(repo, 'image', 'build.sh')], {
    timeoutMs: 1800000, env: { ...process.env, PAIRHA_IMAGE_OUT: out, SOURCE_DATE_EPOCH: '1080691200', PAIRHA_VERSION: 'test', PAIRHA_LISCAL_KO: liscalKo, PAIRHA_DIST: dist },
  });
  if (r.code !== 0) throw new Error(`image/build.sh failed: ${r.stderr}`);
}
const sha = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');

/** The GPT partition entries of a disk image: name, first byte, size. */
function gpt(file: string): Array<{ name: string; start: number; size: number }> {
  const fd = fs.openSync(file, 'r');
  const head = Buffer.alloc(512 * 34);
  fs.readSync(fd, head, 0, head.length, 0);
  fs.closeSync(fd);
  if (head.toString('latin1', 512, 520) !== 'EFI PART') throw new Error('no GPT header');
  const entries = Number(head.readBigUInt64LE(512 + 72));
  const count = head.readUInt32LE(512 + 80);
  const size = head.readUInt32LE(512 + 84);
  const out = [];
  for (let i = 0; i < count; i++) {
    const e = head.subarray(entries * 512 + i * size, entries * 512 + (i + 1) * size);
    const first = Number(e.readBigUInt64LE(32));
    if (!first) continue;
    out.push({ name: e.toString('utf16le', 56, 128).replace(/\0+$/, ''), start: first * 512, size: (Number(e.readBigUInt64LE(40)) - first + 1) * 512 });
  }
  return out;
}

t.test('two builds from scratch with the same inputs are identical', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-image-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  // liscal.ko and dist/ are inputs like the others: one copy for both builds (they may be
  // rebuilt meanwhile by someone working in the same tree).
  const dist = path.join(dir, 'dist');
  fs.cpSync(path.join(repo, 'dist'), dist, { recursive: true });
  const liscalKo = path.join(dir, 'liscal.ko');
  const built = path.join(repo, 'kmod', 'liscal', 'liscal.ko');
  if (fs.existsSync(built)) fs.copyFileSync(built, liscalKo);
  const started = Date.now();
  await build(path.join(dir, 'a'), liscalKo, dist);
  t.comment(`build time ${((Date.now() - started) / 1000).toFixed(0)} s`);
  await build(path.join(dir, 'b'), liscalKo, dist);
  for (const f of ['disk.img', 'vmlinuz', 'initramfs.cpio.gz']) t.equal(sha(path.join(dir, 'b', f)), sha(path.join(dir, 'a', f)), `${f} is byte-identical`);
  t.comment(fs.readFileSync(path.join(dir, 'a', 'manifest.txt'), 'utf8').trim().replace(/^/gm, '  '));

  const parts = gpt(path.join(dir, 'a', 'disk.img'));
  t.same(parts.map((p) => p.name), ['system', 'config', 'cluster', 'data'], 'partitions in docs/image.md\'s order');
  t.same(parts.map((p) => p.size / MiB), [256, 64, 32, 256], 'partition sizes (MiB)');
  t.ok(parts.every((p) => p.start % MiB === 0), 'every partition starts on a MiB boundary');

  // What the system partition holds, through debugfs (no mount needed).
  const sys = `${path.join(dir, 'a', 'disk.img')}?offset=${parts[0].start}`;
  const ls = async (p: string) => (await host.run('debugfs', ['-R', `ls -l ${p}`, sys])).stdout;
  const exists = async (p: string) => (await host.run('debugfs', ['-R', `stat ${p}`, sys])).stdout.includes('Inode:');
  for (const p of ['/usr/bin/node', '/bin/busybox', '/sbin/chkconfig', '/sbin/e2fsck', '/usr/bin/logger', '/opt/pairha/lib/pairha/dist/runtime/main.js', '/opt/pairha/lib/pairha/dist/runtime/pairha-runtime.js', '/opt/pairha/lib/pairha/dist/cli/bin/clpstat.js',
    '/opt/pairha/lib/pairha/messages', '/usr/share/pairha/factory/etc/clp.conf', '/etc/inittab', '/lib/modules']) {
    t.ok(await exists(p), `${p} is in the system partition`);
  }
  if (fs.existsSync(path.join(repo, 'dist', 'native'))) t.match(await ls('/opt/pairha/lib/pairha/dist/native'), /\.node\s*$/m, 'the runtime\'s native addons are there');
  const bindings = await ls('/opt/pairha/lib/pairha/node_modules/@serialport/bindings-cpp/prebuilds/linux-x64');
  t.match(bindings, /bindings-cpp\.glibc\.node/, 'serialport\'s linux-x64 glibc binding is there');
  t.notMatch(await ls('/opt/pairha/lib/pairha/node_modules/@serialport/bindings-cpp/prebuilds'), /win32|darwin|android/, 'other platforms\' bindings are not');
  t.notOk(await exists('/opt/pairha/lib/pairha/node_modules/typescript'), 'no development dependencies');
  t.notOk(await exists('/opt/pairha/lib/pairha/dist/host'), 'no host tools (lab, pair, the qemu layer)');
  // Licence trust (docs/licences.md): the public keys of the manifest, nothing else.
  const keys = (await ls('/opt/pairha/lib/pairha/trusted-keys')).split('\n').map((l) => l.trim().split(/\s+/).pop()!).filter((n) => n && !n.startsWith('.'));
  const listed = [...fs.readFileSync(path.join(dir, 'a', 'manifest.txt'), 'utf8').matchAll(/^trusted-key (\S+) sha256/gm)].map((m) => m[1]);
  t.ok(listed.length > 0, 'the manifest lists the trusted licence keys');
  t.same(keys.sort(), listed.sort(), 'trusted-keys holds exactly the public keys the manifest lists');
  const initd = await ls('/etc/init.d');
  for (const s of ['clusterpro_evt', 'clusterpro_trn', 'clusterpro_md', 'clusterpro', 'clusterpro_webmgr', 'clusterpro_alertsync']) t.match(initd, new RegExp(` ${s}\\s*$`, 'm'), `/etc/init.d/${s}`);
  const factory = await ls('/usr/share/pairha/factory/rc.d');
  t.match(factory.replace(/\s+/g, ' '), /S10clusterpro_evt.*S20clusterpro_trn.*S30clusterpro_md.*S40clusterpro .*S50clusterpro_webmgr.*S60clusterpro_alertsync/, 'services enabled in the seed\'s start order');
  const opt = await ls('/opt/pairha');
  for (const d of ['alert', 'bin', 'drivers', 'etc', 'lib', 'license', 'log', 'messages', 'scripts', 'tmp', 'webmgr', 'work']) t.match(opt, new RegExp(` ${d}\\s*$`, 'm'), `/opt/pairha/${d} (seed §7)`);
  t.match(await ls('/usr/sbin'), /clpstat/, 'clp* links in /usr/sbin');
  t.match((await host.run('debugfs', ['-R', 'stat /opt/pairha/bin/clpstat', sys])).stdout, /Fast link dest: "\.\.\/lib\/pairha\/dist\/cli\/bin\/clpstat\.js"/, 'clpstat runs its own bundled entry point');
  const mods = (await host.run('debugfs', ['-R', 'cat /lib/modules/' + fs.readFileSync(path.join(dir, 'a', 'manifest.txt'), 'utf8').match(/^kernel (\S+)/m)![1] + '/modules.dep', sys])).stdout;
  for (const m of ['softdog.ko', 'ledtrig-timer.ko', 'virtio_net.ko', 'ext4.ko', 'pairha_leds.ko']) t.match(mods, m, `${m} in modules.dep`);
});
