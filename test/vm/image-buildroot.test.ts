// The Buildroot tree, checked offline as far as Buildroot allows: its structure and the
// shared partition layout (always); the kernel fragment merged into the 6.12 x86_64
// defconfig of linux-source-6.12 with every line surviving (Debian packages); and, with a
// Buildroot checkout in BUILDROOT_DIR, utils/check-package on every file and every line of
// both defconfigs surviving `make <board>_defconfig`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { HostPlatform } from '../../src/platform/host';

const repo = path.resolve(__dirname, '..', '..');
const br2 = path.join(repo, 'buildroot');
const host = new HostPlatform({ powerRecord: '' });
const read = (p: string) => fs.readFileSync(path.join(br2, p), 'utf8');
const defconfigs = fs.readdirSync(path.join(br2, 'configs')).filter((f) => f.endsWith('_defconfig'));
const settings = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#'));

t.test('the external tree: description, menus, packages, defconfig paths', async (t) => {
  t.match(read('external.desc'), /^name: PAIRHA$/m, 'external.desc names the tree PAIRHA');
  t.match(read('external.mk'), /\$\(BR2_EXTERNAL_PAIRHA_PATH\)\/package\/\*\/\*\.mk/, 'external.mk includes every package');
  const sourced = [...read('Config.in').matchAll(/source "\$BR2_EXTERNAL_PAIRHA_PATH\/(.+)"/g)].map((m) => m[1]);
  const packages = fs.readdirSync(path.join(br2, 'package'));
  t.same(sourced.sort(), packages.map((p) => `package/${p}/Config.in`).sort(), 'Config.in sources every package');
  for (const p of packages) {
    const upper = p.toUpperCase().replaceAll('-', '_');
    const mk = read(`package/${p}/${p}.mk`);
    t.match(read(`package/${p}/Config.in`), new RegExp(`^config BR2_PACKAGE_${upper}$`, 'm'), `${p}: BR2_PACKAGE_${upper}`);
    t.match(mk, new RegExp(`^${upper}_SITE = \\$\\(BR2_EXTERNAL_PAIRHA_PATH\\)/\\.\\.`, 'm'), `${p}: built from this repository`);
    t.match(mk, /\$\(eval \$\(generic-package\)\)/, `${p}: a generic package`);
    const site = /_SITE = \$\(BR2_EXTERNAL_PAIRHA_PATH\)\/(.*)$/m.exec(mk)![1];
    t.ok(fs.existsSync(path.join(br2, site)), `${p}: its source ${site} exists`);
  }
  for (const k of ['liscal', 'pairha-leds']) t.match(read(`package/${k}/${k}.mk`), /\$\(eval \$\(kernel-module\)\)/, `${k} uses the kernel-module infrastructure`);
  t.ok(defconfigs.length >= 2, `${defconfigs.length} defconfigs`);
  for (const d of defconfigs) {
    for (const m of read(`configs/${d}`).matchAll(/\$\(BR2_EXTERNAL_PAIRHA_PATH\)\/([^"]+)/g)) {
      t.ok(fs.existsSync(path.join(br2, m[1])), `${d}: ${m[1]} exists`);
    }
  }
});

t.test('every genimage configuration has the shared partitions, with the same sizes and UUIDs', async (t) => {
  const parts = (text: string) => {
    const disk = text.slice(text.indexOf('image disk.img'));
    return [...disk.matchAll(/partition (\w+) \{([^}]*)\}/g)].filter((m) => m[1] !== 'boot').map((m) => `${m[1]} ${m[2].replace(/\s+/g, ' ').trim()}`);
  };
  const shared = read('board/pairha/genimage.cfg');
  const configs = [...new Set(defconfigs.map((d) => /POST_IMAGE_SCRIPT="\$\(BR2_EXTERNAL_PAIRHA_PATH\)\/(.*)\/post-image.sh"/.exec(read(`configs/${d}`))![1]))];
  for (const dir of configs) {
    const text = read(`${dir}/genimage.cfg`);
    t.same(parts(text), parts(shared), `${dir}/genimage.cfg: the partitions of board/pairha/genimage.cfg`);
    for (const img of ['system.ext4', 'config.ext4', 'data.ext4']) {
      const block = (s: string) => s.slice(s.indexOf(`image ${img}`), s.indexOf('\n}', s.indexOf(`image ${img}`)));
      t.equal(block(text), block(shared), `${dir}: ${img} made the same way`);
    }
  }
});

t.test('the kernel fragment survives a merge into the 6.12 x86_64 defconfig', async (t) => {
  const tarball = '/usr/src/linux-source-6.12.tar.xz';
  if (!fs.existsSync(tarball)) { t.skip(`KERNEL FRAGMENT CHECK SKIPPED: ${tarball} missing (apt-get install linux-source-6.12; bash scripts/setup.sh does)`, () => {}); return; }
  for (const tool of ['flex', 'bison', 'gcc', 'make']) {
    if ((await host.run('sh', ['-c', `command -v ${tool}`])).code) { t.skip(`KERNEL FRAGMENT CHECK SKIPPED: ${tool} missing`, () => {}); return; }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-kconfig-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  // Only what Kconfig reads: Makefiles, scripts, Kconfig files, the x86 defconfigs.
  const x = await host.run('tar', ['-xJf', tarball, '-C', dir, '--wildcards', 'linux-source-6.12/Makefile', 'linux-source-6.12/scripts/*',
    'linux-source-6.12/arch/x86/configs/*', 'linux-source-6.12/arch/x86/Makefile*', '*Kconfig*', 'linux-source-6.12/include/*'], { timeoutMs: 600000 });
  t.equal(x.code, 0, `linux-source-6.12 extracted ${x.stderr}`);
  const src = path.join(dir, 'linux-source-6.12');
  const fragment = path.join(br2, 'board/pairha/linux.fragment');
  for (const [file, args] of [
    ['make', ['-s', 'ARCH=x86_64', 'x86_64_defconfig']],
    ['sh', ['scripts/kconfig/merge_config.sh', '-m', '.config', fragment]],
    ['make', ['-s', 'ARCH=x86_64', 'olddefconfig']],
  ] as Array<[string, string[]]>) {
    const r = await host.run(file, args, { cwd: src, timeoutMs: 600000 });
    t.equal(r.code, 0, `${file} ${args.join(' ')}${r.code ? `: ${r.stderr}` : ''}`);
  }
  const merged = fs.readFileSync(path.join(src, '.config'), 'utf8').split('\n');
  const lost = settings(fs.readFileSync(fragment, 'utf8')).filter((l) => !merged.includes(l));
  t.same(lost, [], 'every line of linux.fragment is in the merged .config');
});

t.test('the liscal package builds against the 6.12 tree', async (t) => {
  const build = fs.readdirSync('/lib/modules').filter((k) => k.startsWith('6.12')).map((k) => `/lib/modules/${k}/build`).find((b) => fs.existsSync(b));
  if (!build) { t.skip('LISCAL 6.12 BUILD SKIPPED: no 6.12 kernel headers (/lib/modules/6.12*/build)', () => {}); return; }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-liscal-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  // A copy, as Buildroot's local site method makes one: the tree is not touched.
  for (const f of fs.readdirSync(path.join(repo, 'kmod', 'liscal'))) {
    if (/\.(c|h)$|^Kbuild$|^Makefile$/.test(f)) fs.copyFileSync(path.join(repo, 'kmod', 'liscal', f), path.join(dir, f));
  }
  const r = await host.run('make', ['-C', build, `M=${dir}`, '-j2', 'modules'], { timeoutMs: 900000 });
  t.equal(r.code, 0, `liscal.ko built against ${build}${r.code ? `: ${r.stderr.slice(-2000)}` : ''}`);
  t.ok(fs.existsSync(path.join(dir, 'liscal.ko')), 'liscal.ko exists');
});

t.test('with a Buildroot checkout: check-package, and every defconfig line survives', async (t) => {
  const br = process.env.BUILDROOT_DIR;
  if (!br || !fs.existsSync(path.join(br, 'utils', 'check-package'))) {
    t.skip('BUILDROOT CHECKS SKIPPED: no Buildroot checkout (set BUILDROOT_DIR to one; nothing of Buildroot is in this repository)', () => {});
    return;
  }
  const files = (await host.run('find', ['.', '-type', 'f', '!', '-name', 'README.md'], { cwd: br2 })).stdout.split('\n').filter(Boolean).sort();
  const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const cp = await host.run(python, [path.join(br, 'utils', 'check-package'), '-b', ...files], { cwd: br2, timeoutMs: 300000 });
  t.equal(cp.code, 0, 'check-package exits 0');
  t.match(cp.stderr + cp.stdout, /\b0 warnings generated/, `check-package: no warnings\n${cp.stdout}${cp.stderr}`);
  for (const d of defconfigs) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-br-'));
    t.teardown(() => fs.rmSync(out, { recursive: true, force: true }));
    const r = await host.run('make', ['-s', `BR2_EXTERNAL=${br2}`, `O=${out}`, d], { cwd: br, timeoutMs: 300000 });
    t.equal(r.code, 0, `make ${d}${r.code ? `: ${r.stderr}` : ''}`);
    const config = fs.readFileSync(path.join(out, '.config'), 'utf8').split('\n');
    t.same(settings(read(`configs/${d}`)).filter((l) => !config.includes(l)), [], `${d}: every line survives into .config`);
  }
});
