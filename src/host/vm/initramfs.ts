// Builds the test VM's initramfs: busybox-static, guest/init, the appliance's guest agent
// (the one protocol of agent.ts), the Debian kernel modules asked for (with their dependencies from modules.dep, in load
// order, .ko.xz/.ko.zst decompressed), extra files (liscal.ko, scripts) and a newc cpio.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { missingTools } from './qemu';

const codeDir = path.resolve(__dirname, '..', '..', '..');
const guestInit = path.join(codeDir, 'src', 'host', 'vm', 'guest', 'init');
const guestAgent = path.join(codeDir, 'rootfs', 'opt', 'pairha', 'lib', 'sh', 'agent.sh');

export interface KernelInfo { version: string; vmlinuz: string; modules: string }

/** the kernel release a .ko was built for (its vermagic) */
export function moduleRelease(ko: string): string | undefined {
  const b = fs.readFileSync(ko);
  const i = b.indexOf('vermagic=');
  if (i < 0) return undefined;
  return b.toString('latin1', i + 9, b.indexOf(0, i)).split(' ')[0];
}

/** an installed Debian kernel with its modules: the given release, else the newest */
export function findKernel(release?: string): KernelInfo | undefined {
  if (!fs.existsSync('/boot')) return undefined;
  const versions = fs.readdirSync('/boot').filter((f) => f.startsWith('vmlinuz-')).map((f) => f.slice(8))
    .filter((v) => fs.existsSync(`/lib/modules/${v}/modules.dep`)).sort();
  const version = release ? versions.find((v) => v === release) : versions[versions.length - 1];
  if (!version) return undefined;
  return { version, vmlinuz: `/boot/vmlinuz-${version}`, modules: `/lib/modules/${version}` };
}

export function findBusybox(): string | undefined {
  return ['/bin/busybox', '/usr/bin/busybox'].find((p) => {
    if (!fs.existsSync(p)) return false;
    // a dynamic busybox would need its libc in the initramfs
    const r = spawnSync('file', ['-L', p], { encoding: 'utf8' });
    return r.status !== 0 || !/dynamically linked/.test(r.stdout);
  });
}

/** why VM tests cannot run here ('' when they can) */
export function vmSkipReason(release?: string): string {
  const missing = missingTools(['cpio', 'objcopy']);
  if (missing) return missing;
  const k = findKernel(release);
  if (!k) return release ? `no /boot/vmlinuz-${release} with its /lib/modules (the kernel the module was built for)`
    : 'no /boot/vmlinuz-* with /lib/modules (linux-image-amd64)';
  try { fs.accessSync(k.vmlinuz, fs.constants.R_OK); } catch { return `${k.vmlinuz} is not readable (run as root)`; }
  if (!findBusybox()) return 'no static busybox (busybox-static)';
  return '';
}

/** module names -> relative paths in load order (dependencies first) */
export function resolveModules(modulesDir: string, names: string[]): string[] {
  const dep = new Map<string, string[]>();
  const byName = new Map<string, string>();
  for (const line of fs.readFileSync(path.join(modulesDir, 'modules.dep'), 'utf8').split('\n')) {
    const m = /^([^:]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    dep.set(m[1], m[2].split(/\s+/).filter(Boolean));
    byName.set(path.basename(m[1]).replace(/\.ko(\.\w+)?$/, '').replace(/-/g, '_'), m[1]);
  }
  const builtin = new Set(fs.readFileSync(path.join(modulesDir, 'modules.builtin'), 'utf8').split('\n')
    .map((l) => path.basename(l).replace(/\.ko$/, '').replace(/-/g, '_')));
  // "softdep X pre: Y" (e.g. libcrc32c needs the crc32c algorithm first); Y may be an alias
  const aliases = new Map<string, string[]>();
  for (const line of fs.readFileSync(path.join(modulesDir, 'modules.alias'), 'utf8').split('\n')) {
    const m = /^alias (\S+) (\S+)$/.exec(line);
    if (m) aliases.set(m[1], [...(aliases.get(m[1]) ?? []), m[2].replace(/-/g, '_')]);
  }
  const softPre = new Map<string, string[]>();
  const softdep = path.join(modulesDir, 'modules.softdep');
  for (const line of fs.existsSync(softdep) ? fs.readFileSync(softdep, 'utf8').split('\n') : []) {
    const m = /^softdep (\S+) pre: (.*?)(?: post:.*)?$/.exec(line);
    if (m) softPre.set(m[1].replace(/-/g, '_'), m[2].split(/\s+/).filter(Boolean));
  }
  // every provider of an alias (e.g. crc32c-intel needs SSE4.2, which TCG's CPU lacks: generic too)
  const lookup = (n: string): string[] => {
    const direct = byName.get(n.replace(/-/g, '_'));
    if (direct) return [direct];
    return (aliases.get(n) ?? []).map((a) => byName.get(a)).filter((p): p is string => !!p);
  };
  const order: string[] = [];
  const visit = (p: string) => {
    if (order.includes(p)) return;
    order.push(p);   // placeholder against cycles, moved to its place below
    const name = path.basename(p).replace(/\.ko(\.\w+)?$/, '').replace(/-/g, '_');
    for (const pre of softPre.get(name) ?? []) lookup(pre).forEach(visit);
    for (const d of dep.get(p) ?? []) visit(d);
    order.splice(order.indexOf(p), 1);
    order.push(p);
  };
  for (const n of names) {
    const key = n.replace(/-/g, '_');
    const p = byName.get(key);
    if (p) visit(p);
    else if (!builtin.has(key)) throw new Error(`module ${n} is neither in modules.dep nor built in`);
  }
  return order;
}

export interface InitramfsSpec {
  out: string;                       // the .cpio to write
  kernel: KernelInfo;
  modules: string[];                 // Debian modules by name (dependencies added)
  extraModules?: string[];           // .ko files loaded after them (e.g. liscal.ko)
  files?: Record<string, string>;    // guest path -> host file
  text?: Record<string, string>;     // guest path -> content (scripts: made executable)
}

export function buildInitramfs(spec: InitramfsSpec): string {
  const root = `${spec.out}.d`;
  fs.rmSync(root, { recursive: true, force: true });
  const mk = (p: string) => fs.mkdirSync(path.join(root, p), { recursive: true });
  ['bin', 'lib/mod', 'proc', 'sys', 'dev', 'tmp', 'run', 'root'].forEach(mk);
  fs.copyFileSync(findBusybox()!, path.join(root, 'bin/busybox'));
  fs.chmodSync(path.join(root, 'bin/busybox'), 0o755);
  for (const [f, src] of Object.entries({ init: guestInit, 'agent.sh': guestAgent })) {
    fs.copyFileSync(src, path.join(root, f));
    fs.chmodSync(path.join(root, f), 0o755);
  }
  const order: string[] = [];
  // the agent's port is a virtio serial port (qemu.ts)
  for (const rel of resolveModules(spec.kernel.modules, ['virtio_pci', 'virtio_console', ...spec.modules])) {
    const src = path.join(spec.kernel.modules, rel);
    const name = path.basename(rel).replace(/\.ko(\.\w+)?$/, '.ko');
    const dst = path.join(root, 'lib/mod', name);
    if (rel.endsWith('.ko.xz')) fs.writeFileSync(dst, execFileSync('xz', ['-dc', src], { maxBuffer: 1 << 28 }));
    else if (rel.endsWith('.ko.zst')) fs.writeFileSync(dst, execFileSync('zstd', ['-dc', src], { maxBuffer: 1 << 28 }));
    else if (rel.endsWith('.ko.gz')) fs.writeFileSync(dst, execFileSync('gzip', ['-dc', src], { maxBuffer: 1 << 28 }));
    else fs.copyFileSync(src, dst);
    order.push(name);
  }
  for (const ko of spec.extraModules ?? []) {
    const name = path.basename(ko);
    // debug info only makes the cpio big
    execFileSync('objcopy', ['--strip-debug', ko, path.join(root, 'lib/mod', name)]);
    order.push(name);
  }
  fs.writeFileSync(path.join(root, 'modules.order'), order.join('\n') + '\n');
  for (const [g, h] of Object.entries(spec.files ?? {})) {
    mk(path.dirname(g));
    fs.copyFileSync(h, path.join(root, g));
  }
  for (const [g, content] of Object.entries(spec.text ?? {})) {
    mk(path.dirname(g));
    fs.writeFileSync(path.join(root, g), content, { mode: 0o755 });
  }
  const list = execFileSync('find', ['.', '-mindepth', '1'], { cwd: root, encoding: 'utf8' });
  const cpio = spawnSync('cpio', ['-o', '-H', 'newc', '--quiet', '-R', '0:0'], { cwd: root, input: list, maxBuffer: 1 << 30 });
  if (cpio.status !== 0) throw new Error(`cpio: ${cpio.stderr}`);
  fs.writeFileSync(spec.out, cpio.stdout);
  fs.rmSync(root, { recursive: true, force: true });
  return spec.out;
}
