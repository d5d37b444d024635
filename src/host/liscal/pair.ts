// Two liscal VMs (a = 10.0.0.1, b = 10.0.0.2) on a UDP link, each with a data disk
// (/dev/vda) and a cluster partition (/dev/vdb) as raw files; control-file and
// liscalstat helpers; the cluster partition layout read back on the host.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildInitramfs, findKernel, moduleRelease, KernelInfo } from '../vm/initramfs';
import { Vm, sleep } from '../vm/vm';

export const KO = path.resolve(__dirname, '../../../kmod/liscal/liscal.ko');
/** the VMs boot the kernel liscal.ko was built for */
export const koKernel = (): KernelInfo | undefined => (fs.existsSync(KO) ? findKernel(moduleRelease(KO)) : undefined);
export const DATA_MB = 64;
export const CHUNK = 64 * 1024;
export const CHUNKS = (DATA_MB << 20) / CHUNK;
export const DATAPORT = 29051;
export const KEY = '0123456789abcdef0123456789abcdef';

export const IPS: Record<string, string> = { a: '10.0.0.1', b: '10.0.0.2' };
const PEER: Record<string, string> = { a: 'b', b: 'a' };

export function initrd(dir: string, kernel: KernelInfo,
  extra: { modules?: string[]; earlyModules?: string[]; files?: Record<string, string>; ko?: string } = {}): string {
  return buildInitramfs({
    out: path.join(dir, 'initrd.cpio'), kernel,
    // liscal uses the kernel's crc32c() (libcrc32c, which picks the best crc32c loaded when
    // it loads: earlyModules such as crc32c_intel come before it)
    modules: ['virtio_pci', 'virtio_blk', 'virtio_net', ...(extra.earlyModules ?? []), 'libcrc32c', ...(extra.modules ?? [])],
    extraModules: [extra.ko ?? KO],
    files: extra.files,
  });
}

export interface PairOptions {
  dataMb?: number;                              // /dev/vda size (default DATA_MB)
  extraDisks?: Array<{ name: string; mb: number }>;   // /dev/vdc, ... (e.g. a DRBD disk)
  modules?: string[];                           // more Debian modules loaded at boot
  earlyModules?: string[];                      // loaded before libcrc32c (e.g. crc32c_intel)
  files?: Record<string, string>;               // more guest files (guest path -> host file)
  cpu?: string;                                 // qemu -cpu model of both VMs
  ko?: string;                                  // another build of liscal.ko (named so) than KO (A/B benchmarks)
  /** disk files written out in full: a sparse file allocates blocks on first write, and
   * the host's journal commit then couples both guests' flushes (benchmarks) */
  preallocate?: boolean;
}

/** a C source built static into dir; returns the binary's path (for PairOptions.files) */
export function guestTool(dir: string, source: string): string {
  const out = path.join(dir, path.basename(source, '.c'));
  execFileSync('gcc', ['-O2', '-static', '-Wall', '-o', out, source]);
  return out;
}

export function makeDisk(file: string, bytes: number, preallocate = false): string {
  fs.writeFileSync(file, '');
  if (!preallocate) {
    fs.truncateSync(file, bytes);
    return file;
  }
  const fd = fs.openSync(file, 'w');
  const zeros = Buffer.alloc(1 << 20);
  for (let off = 0; off < bytes; off += zeros.length) fs.writeSync(fd, zeros, 0, Math.min(zeros.length, bytes - off), off);
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  return file;
}

export class Pair {
  readonly kernel: KernelInfo;
  readonly initrd: string;
  readonly vms: Record<string, Vm> = {};
  private ports: Record<string, number>;

  constructor(readonly dir: string, readonly opts: PairOptions = {}) {
    this.kernel = koKernel()!;
    this.initrd = initrd(dir, this.kernel, opts);
    const base = 20000 + Math.floor(Math.random() * 20000);
    this.ports = { a: base, b: base + 1 };
    for (const n of ['a', 'b']) {
      makeDisk(this.file(n, 'data'), (opts.dataMb ?? DATA_MB) << 20, opts.preallocate);
      makeDisk(this.file(n, 'cp'), 1 << 20, opts.preallocate);
      for (const d of opts.extraDisks ?? []) makeDisk(this.file(n, d.name), d.mb << 20, opts.preallocate);
    }
  }

  file(n: string, kind: string): string { return path.join(this.dir, `${n}.${kind}`); }

  /** (re)creates and boots VM n with its disks */
  async boot(n: string): Promise<Vm> {
    const vm = new Vm({
      name: n, dir: this.dir, kernel: this.kernel.vmlinuz, initrd: this.initrd, ip: IPS[n], cpu: this.opts.cpu,
      disks: [{ file: this.file(n, 'data') }, { file: this.file(n, 'cp') },
        ...(this.opts.extraDisks ?? []).map((d) => ({ file: this.file(n, d.name) }))],
      link: { localPort: this.ports[n], remotePort: this.ports[PEER[n]], mac: `52:54:00:00:00:0${n === 'a' ? 1 : 2}` },
    });
    this.vms[n] = vm;
    await vm.start();
    await vm.ok('echo 2000 > /sys/module/liscal/parameters/ack_timeout_ms');
    return vm;
  }

  async bootBoth(): Promise<void> { await Promise.all([this.boot('a'), this.boot('b')]); }

  /** key, bind NMP1 to `data` (vda by default) and vdb with the peer's address */
  async bind(n: string, key = KEY, data = '/dev/vda'): Promise<void> {
    await ctlOk(this.vms[n], `key ${key}`);
    await ctlOk(this.vms[n], `bind 1 data=${data} cp=/dev/vdb peer=${IPS[PEER[n]]} dataport=${DATAPORT}`);
  }

  /** both bound, declared identical (blank disks), a dials b, a's port open */
  async mirrored(): Promise<void> {
    for (const n of ['a', 'b']) { await this.bind(n); await ctlOk(this.vms[n], 'force 1 green'); }
    await ctlOk(this.vms.a, 'connect 1');
    await waitStat(this.vms.b, (s) => s.conn === 'connected' && s.peerport === 'closed');
    await ctlOk(this.vms.a, 'open 1');
    await waitStat(this.vms.b, (s) => s.peerport === 'open');
  }

  async stop(): Promise<void> { await Promise.all(Object.values(this.vms).map((v) => v.stop())); }
  async kill(): Promise<void> { await Promise.all(Object.values(this.vms).map((v) => v.kill())); }
}

export function ctl(vm: Vm, cmd: string) {
  return vm.sh(`echo '${cmd}' > /proc/liscal/ctl`);
}

export async function ctlOk(vm: Vm, cmd: string): Promise<void> {
  const r = await ctl(vm, cmd);
  if (r.rc !== 0) throw new Error(`${vm.spec.name}: ctl '${cmd}' failed: ${r.out}\n${vm.tail(15)}`);
}

export type Stat = Record<string, string>;

export function parseStat(line: string): Stat {
  const s: Stat = { nmp: line.split(' ')[0] };
  for (const kv of line.split(' ').slice(1)) { const i = kv.indexOf('='); s[kv.slice(0, i)] = kv.slice(i + 1); }
  return s;
}

export async function stat(vm: Vm, nmp = 1): Promise<Stat> {
  const out = await vm.ok(`grep '^NMP${nmp} ' /proc/liscalstat`);
  return parseStat(out.trim());
}

export async function waitStat(vm: Vm, pred: (s: Stat) => boolean, timeoutMs = 60000, nmp = 1): Promise<Stat> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await stat(vm, nmp);
    if (pred(s)) return s;
    if (Date.now() > deadline) throw new Error(`${vm.spec.name}: liscalstat never matched; last: ${JSON.stringify(s)}\n${vm.tail(15)}`);
    await sleep(300);
  }
}

/** sha256 of the first `mb` MiB of a block device, read around the page cache */
export async function devSha(vm: Vm, dev: string, mb = DATA_MB): Promise<string> {
  const out = await vm.ok(`dd if=${dev} bs=1M count=${mb} iflag=direct 2>/dev/null | sha256sum`, 120000);
  return out.split(' ')[0];
}

export async function dmesg(vm: Vm): Promise<string> { return vm.ok('dmesg'); }

/** the cluster partition as the host sees it (README §2.1) */
export interface CpImage { magic: number; version: number; chunks: number; state: number; flags: number; gen: bigint; bits: Buffer }

export function readCp(file: string): CpImage {
  const b = fs.readFileSync(file);
  const chunks = Number(b.readBigUInt64LE(16));
  return {
    magic: b.readUInt32LE(0), version: b.readUInt32LE(4), flags: b.readUInt32LE(12), chunks,
    gen: b.readBigUInt64LE(32), state: b.readUInt32LE(64), bits: b.subarray(4096, 4096 + Math.ceil(chunks / 8)),
  };
}

export function bitSet(bits: Buffer, c: number): boolean { return ((bits[c >> 3] >> (c & 7)) & 1) === 1; }

/** chunks whose content differs between two data files */
export function differingChunks(f1: string, f2: string): number[] {
  const a = fs.readFileSync(f1), b = fs.readFileSync(f2);
  const out: number[] = [];
  for (let c = 0; c * CHUNK < a.length; c++) {
    if (!a.subarray(c * CHUNK, (c + 1) * CHUNK).equals(b.subarray(c * CHUNK, (c + 1) * CHUNK))) out.push(c);
  }
  return out;
}
