// The virtual pair: two boxes of the appliance image in qemu, wired as a real pair would be.
// Networks live in a hub namespace (a bridge per LAN, the boxes' taps, a veth to the client
// namespace on the public LAN); the COM cable is a socat relay between the boxes' second
// serial ports. State lives in <dir>/pair.json so separate `pairha pair ...` calls share it.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConfig } from '../../config/load';
import { alive } from '../lab/lab';
import { devImageKey, productsFor, provision, readPrivateKey } from '../licence';
import type { MembershipView } from '../../nm/types';
import type { HostPlatform } from '../../platform/host';
import { waitAllOnline, type ViewAnswer } from '../online';
import { agentRun, shellQuote, type AgentResult } from '../vm/agent';
import { boxFiles, qemuArgs, tapName } from './qemu';
import { qmp } from '../vm/qmp';
import { QEMU } from '../vm/qemu';
import { linksOf, PairError, topology, type Topology } from './topology';

export interface PairState {
  dir: string;
  configFile: string;
  imageDir: string;
  memoryMb: number;
  boxes: Array<{ name: string; index: number; pid?: number; /** a disk was added (addDisk) */ disk2?: boolean }>;
  relay?: number;
  /** Links cut by `pair cut` (LAN heartbeat names, and the COM heartbeat's). */
  cut: string[];
}

export interface PairOptions {
  config: string; imageDir: string; memoryMb: number;
  /** More files at the top of each box's config stick, imported at boot (e.g. dmtab). */
  stickFiles?: Record<string, string>;
}

const codeDir = path.resolve(__dirname, '..', '..', '..');
export const defaultPairConfig = path.join(codeDir, 'rootfs', 'opt', 'pairha', 'etc', 'clp.conf');
const buildDir = path.join(codeDir, 'build');
export const defaultImageDir = path.join(buildDir, 'image');

export class Pair {
  readonly hub: string;
  readonly clientNs: string;

  constructor(readonly dir: string, private readonly os: HostPlatform, ns = 'pairvm') {
    this.hub = `${ns}-hub`;
    this.clientNs = `${ns}-client`;
  }

  private get stateFile(): string { return path.join(this.dir, 'pair.json'); }
  load(): PairState {
    try { return JSON.parse(fs.readFileSync(this.stateFile, 'utf8')) as PairState; } catch { throw new PairError('the pair is not up (pairha pair up)'); }
  }
  private save(s: PairState): void { fs.writeFileSync(this.stateFile, JSON.stringify(s, null, 2)); }
  topology(s: PairState): Topology { return topology(parseConfig(fs.readFileSync(s.configFile, 'utf8'), s.configFile)); }

  private async sh(file: string, args: string[], timeoutMs = 30000): Promise<string> {
    const r = await this.os.run(file, args, { timeoutMs });
    if (r.code !== 0) throw new PairError(`${file} ${args.join(' ')}: ${r.stderr.trim() || `exit ${r.code}`}`);
    return r.stdout;
  }

  /** Build the image when it is missing or older than what it is made of (image/build.sh). */
  async ensureImage(imageDir: string, log: (s: string) => void): Promise<void> {
    devImageKey(buildDir); // before the staleness check: a new key is a new input
    const outputs = ['disk.img', 'vmlinuz', 'initramfs.cpio.gz'].map((f) => path.join(imageDir, f));
    const built = Math.min(...outputs.map((f) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : 0)));
    const inputs = [...imageInputs, ...liscalSources()].map((d) => path.join(codeDir, d));
    if (built > 0 && newest(inputs) <= built) return;
    log(`building the image in ${imageDir} (image/build.sh)\n`);
    const r = await this.os.run('bash', [path.join(codeDir, 'image', 'build.sh')], { timeoutMs: 1800000, env: { ...process.env, PAIRHA_IMAGE_OUT: imageDir } });
    if (r.code !== 0) throw new PairError(`image/build.sh failed:\n${r.stderr.trim()}`);
  }

  async up(o: PairOptions): Promise<PairState> {
    if (fs.existsSync(this.stateFile)) throw new PairError(`a pair is already up in ${this.dir} (pairha pair down first)`);
    let text: string;
    try { text = fs.readFileSync(o.config, 'utf8'); } catch (e) { throw new PairError(`${o.config}: ${(e as Error).message}`); }
    const t = topology(parseConfig(text, o.config));
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const configFile = path.join(this.dir, 'clp.conf');
    fs.writeFileSync(configFile, text);
    const s: PairState = { dir: this.dir, configFile, imageDir: o.imageDir, memoryMb: o.memoryMb, cut: [], boxes: t.servers.map((name, index) => ({ name, index })) };
    this.save(s);
    try {
      await this.writeSticks(s, text, o.stickFiles ?? {});
      for (const b of s.boxes) await this.flash(s, b.name);
      await this.wire(t);
      for (const b of s.boxes) await this.powerOn(s, b.name);
    } catch (e) {
      await this.down().catch(() => {});
      throw e;
    }
    return s;
  }

  /** Each box's config stick (label PAIRHA-CFG): the configuration, the key, its name. */
  private async writeSticks(s: PairState, config: string, extra: Record<string, string>): Promise<void> {
    const key = randomBytes(32);
    for (const b of s.boxes) {
      const d = path.join(this.dir, `${b.name}.stick`);
      fs.mkdirSync(d, { recursive: true });
      fs.writeFileSync(path.join(d, 'clp.conf'), config);
      fs.writeFileSync(path.join(d, 'cluster.key'), key, { mode: 0o600 });
      fs.writeFileSync(path.join(d, 'hostname'), `${b.name}\n`);
      for (const [name, text] of Object.entries(extra)) fs.writeFileSync(path.join(d, name), text);
      this.stickLicences(d, config);
      await this.sh('mke2fs', ['-q', '-F', '-t', 'ext2', '-L', 'PAIRHA-CFG', '-d', d, boxFiles(this.dir, b.name).stick, '4M']);
    }
  }

  /** Licences on the stick (its license/ directory, imported at boot): product licences of
   * the image's development key (devImageKey) for what the configuration needs. */
  private stickLicences(stick: string, config: string): void {
    const key = readPrivateKey(devImageKey(buildDir).privateFile);
    provision(path.join(stick, 'license'), key, productsFor(parseConfig(config, 'clp.conf')), 1);
  }

  private async wire(t: Topology): Promise<void> {
    await this.sh('ip', ['netns', 'add', this.hub]);
    await this.sh('ip', ['netns', 'add', this.clientNs]);
    await this.sh('ip', ['-n', this.clientNs, 'link', 'set', 'lo', 'up']);
    for (const l of t.lans) {
      const br = `br${l.index}`;
      await this.sh('ip', ['-n', this.hub, 'link', 'add', br, 'type', 'bridge']);
      await this.sh('ip', ['-n', this.hub, 'link', 'set', br, 'up']);
      for (const [i] of t.servers.entries()) {
        const tap = tapName(l.index, i);
        await this.sh('ip', ['-n', this.hub, 'tuntap', 'add', 'dev', tap, 'mode', 'tap']);
        await this.sh('ip', ['-n', this.hub, 'link', 'set', tap, 'master', br, 'up']);
      }
      if (t.client?.lan === l.name) {
        await this.sh('ip', ['link', 'add', 'client0', 'netns', this.clientNs, 'type', 'veth', 'peer', 'name', 'client-p', 'netns', this.hub]);
        await this.sh('ip', ['-n', this.hub, 'link', 'set', 'client-p', 'master', br, 'up']);
        await this.sh('ip', ['-n', this.clientNs, 'addr', 'add', `${t.client.address}/24`, 'dev', 'client0']);
        await this.sh('ip', ['-n', this.clientNs, 'link', 'set', 'client0', 'up']);
      }
    }
  }

  box(s: PairState, name: string): PairState['boxes'][number] {
    const b = s.boxes.find((x) => x.name === name);
    if (!b) throw new PairError(`unknown server '${name}' (${s.boxes.map((x) => x.name).join(', ')})`);
    return b;
  }

  isOn(s: PairState, name: string): boolean { const b = this.box(s, name); return !!b.pid && alive(b.pid); }

  async powerOn(s: PairState, name: string): Promise<void> {
    const b = this.box(s, name);
    if (this.isOn(s, name)) throw new PairError(`${name} is already on`);
    const files = boxFiles(this.dir, name);
    for (const f of [files.console, files.com, files.agent, files.qmp]) fs.rmSync(f, { force: true });
    const args = qemuArgs(this.topology(s), { index: b.index, server: name, files, imageDir: s.imageDir, memoryMb: s.memoryMb, disk2: b.disk2 });
    b.pid = this.os.daemon('ip', ['netns', 'exec', this.hub, QEMU, ...args], { logFile: path.join(this.dir, `${name}.qemu.log`) });
    this.save(s);
    for (let i = 0; i < 100 && !fs.existsSync(files.qmp); i++) {
      if (!alive(b.pid)) throw new PairError(`qemu of ${name} exited: ${fs.readFileSync(path.join(this.dir, `${name}.qemu.log`), 'utf8').trim().split('\n').pop()}`);
      await sleep(100);
    }
    await this.cable(s);
  }

  async powerOff(s: PairState, name: string): Promise<void> {
    const b = this.box(s, name);
    if (!this.isOn(s, name)) throw new PairError(`${name} is already off`);
    await qmp(boxFiles(this.dir, name).qmp, 'quit').catch(() => {});
    for (let i = 0; i < 50 && alive(b.pid!); i++) await sleep(100);
    if (alive(b.pid!)) process.kill(b.pid!, 'SIGKILL');
    b.pid = undefined;
    this.save(s);
  }

  /** A new disk from the image, as flashing the box would (its stick stays as it was). */
  private async flash(s: PairState, name: string): Promise<void> {
    await this.sh('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', path.join(s.imageDir, 'disk.img'), boxFiles(this.dir, name).disk]);
  }

  /** Re-flash a box that is off (seed §3.1.2, reinstalling one server). */
  async reflash(s: PairState, name: string): Promise<void> {
    if (this.isOn(s, name)) throw new PairError(`${name} is on: power it off before flashing it`);
    await this.flash(s, name);
  }

  /**
   * Re-flash a box that is off, keeping its mirror partitions (cluster and data): a new server
   * with the old server's mirror disk (seed §11.7.2). The disk becomes the image up to the
   * start of the partition labelled `cluster` (the GPT, system, config), and the box's own
   * bytes from there on.
   */
  async reflashSystem(s: PairState, name: string): Promise<void> {
    if (this.isOn(s, name)) throw new PairError(`${name} is on: power it off before flashing it`);
    const image = path.join(s.imageDir, 'disk.img');
    const from = gptPartitionStart(image, 'cluster');
    const disk = boxFiles(this.dir, name).disk;
    const raw = `${disk}.raw`;
    try {
      await this.sh('qemu-img', ['convert', '-q', '-f', 'qcow2', '-O', 'raw', disk, raw], 300000);
      await this.sh('dd', [`if=${image}`, `of=${raw}`, 'bs=1M', `count=${from / 1048576}`, 'conv=notrunc,sparse', 'status=none'], 300000);
      await this.sh('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'qcow2', raw, disk], 300000);
    } finally { fs.rmSync(raw, { force: true }); }
  }

  /**
   * Add a blank disk of `sizeMb` MiB to a box that is off (seed §6.6.2 (7), a disk added): a
   * new qcow2 file, attached from the box's next power-on as its third virtio disk, /dev/vdc
   * (after the system disk, vda, and the config stick, vdb). One added disk per box.
   */
  async addDisk(s: PairState, name: string, sizeMb: number): Promise<string> {
    const b = this.box(s, name);
    if (this.isOn(s, name)) throw new PairError(`${name} is on: power it off before adding a disk`);
    if (b.disk2) throw new PairError(`${name} already has an added disk`);
    if (!Number.isInteger(sizeMb) || sizeMb < 1) throw new PairError(`disk size must be a whole number of MiB, not '${sizeMb}'`);
    const file = boxFiles(this.dir, name).disk2;
    await this.sh('qemu-img', ['create', '-q', '-f', 'qcow2', file, `${sizeMb}M`]);
    b.disk2 = true;
    this.save(s);
    return file;
  }

  async reset(s: PairState, name: string): Promise<void> {
    if (!this.isOn(s, name)) throw new PairError(`${name} is off`);
    await qmp(boxFiles(this.dir, name).qmp, 'system_reset');
  }

  /** The COM cable: relayed while both boxes are on and it is not cut. */
  private async cable(s: PairState): Promise<void> {
    const t = this.topology(s);
    const want = !!t.com && !s.cut.includes(t.com) && s.boxes.every((b) => this.isOn(s, b.name));
    const running = !!s.relay && alive(s.relay);
    if (want && !running) {
      const [a, b] = s.boxes.map((x) => boxFiles(this.dir, x.name).com);
      s.relay = this.os.daemon('socat', [`UNIX-CONNECT:${a}`, `UNIX-CONNECT:${b}`], { logFile: path.join(this.dir, 'com.log') });
    } else if (!want && running) {
      process.kill(s.relay!, 'SIGTERM');
      s.relay = undefined;
    }
    this.save(s);
  }

  /** Cut or plug a link: a LAN heartbeat (both taps down/up), the COM heartbeat, mirror, all. */
  async link(s: PairState, name: string, plug: boolean): Promise<void> {
    const t = this.topology(s);
    const { lans, com } = linksOf(t, name);
    for (const l of lans) {
      for (const [i] of s.boxes.entries()) await this.sh('ip', ['-n', this.hub, 'link', 'set', tapName(l.index, i), plug ? 'up' : 'down']);
    }
    const names = [...lans.map((l) => l.name), ...(com && t.com ? [t.com] : [])];
    s.cut = plug ? s.cut.filter((n) => !names.includes(n)) : [...new Set([...s.cut, ...names])];
    this.save(s);
    await this.cable(s);
  }

  async run(s: PairState, name: string, argv: string[], timeoutMs: number): Promise<AgentResult> {
    if (!this.isOn(s, name)) throw new PairError(`${name} is off`);
    return agentRun(boxFiles(this.dir, name).agent, shellQuote(argv), timeoutMs);
  }

  /** Wait until every box's cluster daemon sees every server Online. */
  async waitOnline(s: PairState, timeoutMs: number): Promise<void> {
    // clpstat --json prints the membership view (and the groups) the box's daemon has.
    const script = '/opt/pairha/bin/clpstat --json';
    const ask = async (name: string, leftMs: number): Promise<ViewAnswer> => {
      const r = await agentRun(boxFiles(this.dir, name).agent, script, Math.max(1000, leftMs));
      try { return { code: r.code, message: r.stderr.trim(), data: JSON.parse(r.stdout) as MembershipView }; } catch { return { code: 1, message: r.stderr.trim() || 'no answer' }; }
    };
    const r = await waitAllOnline(s.boxes.map((b) => b.name), ask, timeoutMs, 2000);
    if (!r.online) throw new PairError(`servers not Online within ${timeoutMs} ms (${r.last})`);
  }

  /** Remove everything the pair made. Idempotent. */
  async down(): Promise<void> {
    let s: PairState | undefined;
    try { s = this.load(); } catch { /* nothing recorded */ }
    for (const b of s?.boxes ?? []) {
      if (b.pid && alive(b.pid)) {
        await qmp(boxFiles(this.dir, b.name).qmp, 'quit', undefined, 2000).catch(() => {});
        for (let i = 0; i < 30 && alive(b.pid); i++) await sleep(100);
        if (alive(b.pid)) process.kill(b.pid, 'SIGKILL');
      }
    }
    if (s?.relay && alive(s.relay)) process.kill(s.relay, 'SIGTERM');
    const names = (await this.os.run('ip', ['netns', 'list'])).stdout.split('\n').map((l) => l.split(' ')[0]);
    for (const ns of [this.hub, this.clientNs].filter((n) => names.includes(n))) {
      const pids = (await this.os.run('ip', ['netns', 'pids', ns])).stdout.split('\n').filter(Boolean);
      for (const p of pids) { try { process.kill(Number(p), 'SIGKILL'); } catch { /* gone */ } }
      await this.os.run('ip', ['netns', 'del', ns]);
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The byte offset of the GPT partition named `label` (PARTLABEL) in a disk image, 1 MiB aligned. */
export function gptPartitionStart(image: string, label: string): number {
  const fd = fs.openSync(image, 'r');
  try {
    const read = (pos: number, n: number) => { const b = Buffer.alloc(n); fs.readSync(fd, b, 0, n, pos); return b; };
    const hdr = read(512, 92);
    if (hdr.toString('latin1', 0, 8) !== 'EFI PART') throw new PairError(`${image}: no GPT`);
    const entries = Number(hdr.readBigUInt64LE(72)) * 512, count = hdr.readUInt32LE(80), size = hdr.readUInt32LE(84);
    for (let i = 0; i < count; i++) {
      const e = read(entries + i * size, size);
      if (e.readBigUInt64LE(32) === 0n) continue;
      if (e.toString('utf16le', 56, 128).replace(/\0+$/, '') !== label) continue;
      const start = Number(e.readBigUInt64LE(32)) * 512;
      if (start % 1048576) throw new PairError(`${image}: partition ${label} is not 1 MiB aligned`);
      return start;
    }
    throw new PairError(`${image}: no partition named ${label}`);
  } finally { fs.closeSync(fd); }
}

/** What the image is made of, in this repository (the Debian parts change only with packages). */
const imageInputs = ['build/trusted-keys', 'dist', 'messages', 'rootfs', 'web', 'image', 'buildroot/board/pairha', 'kmod/leds/pairha_leds.c', 'package-lock.json'];

/** liscal's sources (not the directory: its build products change with every build). */
function liscalSources(): string[] {
  const dir = path.join(codeDir, 'kmod', 'liscal');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => /\.(c|h)$|^(Kbuild|Makefile)$/.test(f)).map((f) => path.join('kmod', 'liscal', f));
}

/** The newest modification time under these paths (files and directories, recursively). */
function newest(paths: string[]): number {
  let t = 0;
  const walk = (p: string) => {
    let st: fs.Stats;
    try { st = fs.lstatSync(p); } catch { return; }
    t = Math.max(t, st.mtimeMs);
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
  };
  paths.forEach(walk);
  return t;
}
