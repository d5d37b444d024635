// A small qemu (TCG) VM for kernel tests: the Debian kernel, an initramfs from
// initramfs.ts, virtio disks from raw files, an optional socket link to a second VM.
// The console (ttyS0, kernel messages) goes to a file; ttyS1 carries the agent's
// command protocol (guest/agent.sh); the monitor socket cuts links and quits.
import { spawn, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export interface DiskSpec {
  file: string;
  /** a qemu blkdebug rules file: I/O errors injected on this disk */
  blkdebug?: string;
}

export interface VmSpec {
  name: string;
  dir: string;           // where sockets and the console log go
  kernel: string;
  initrd: string;
  disks: DiskSpec[];     // /dev/vda, /dev/vdb, ... in this order
  ip?: string;           // eth0 address (/24)
  /** a UDP link to another VM (survives either side's restart) */
  link?: { localPort: number; remotePort: number; mac: string };
  memMb?: number;
  append?: string;
  /** qemu -cpu model (default: qemu's, without SSE4.2) */
  cpu?: string;
}

export interface CmdResult { out: string; rc: number }

export class Vm {
  readonly console: string;
  private proc?: ChildProcess;
  private agent?: net.Socket;
  private buf = '';
  private nextId = 1;
  private waiters: Array<() => void> = [];
  private exitCode: number | null | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(readonly spec: VmSpec) {
    this.console = path.join(spec.dir, `${spec.name}.console`);
  }

  private sock(kind: string) { return path.join(this.spec.dir, `${this.spec.name}.${kind}`); }

  args(): string[] {
    const s = this.spec;
    const a = ['-accel', 'tcg', '-m', String(s.memMb ?? 256), '-smp', '1',
      '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
      '-kernel', s.kernel, '-initrd', s.initrd,
      '-append', `console=ttyS0 loglevel=7 panic=-1 rdinit=/init lsc.name=${s.name}` +
        (s.ip ? ` lsc.ip=${s.ip}` : '') + (s.append ? ` ${s.append}` : ''),
      '-serial', `file:${this.console}`,
      '-serial', `unix:${this.sock('agent')},server=on,wait=off`,
      '-monitor', `unix:${this.sock('mon')},server=on,wait=off`];
    if (s.cpu) a.push('-cpu', s.cpu);
    s.disks.forEach((d, i) => {
      const id = `d${i}`;
      if (d.blkdebug) {
        a.push('-drive', `if=none,id=${id},format=raw,cache=none,aio=threads,file.driver=blkdebug,` +
          `file.config=${d.blkdebug},file.image.filename=${d.file}`);
      } else {
        a.push('-drive', `if=none,id=${id},format=raw,cache=none,file=${d.file}`);
      }
      a.push('-device', `virtio-blk-pci,drive=${id}`);
    });
    if (s.link) {
      a.push('-netdev', `socket,id=n0,udp=127.0.0.1:${s.link.remotePort},localaddr=127.0.0.1:${s.link.localPort}`, '-device', `virtio-net-pci,netdev=n0,mac=${s.link.mac}`);
    }
    return a;
  }

  /** starts qemu and waits until the agent answers */
  async start(timeoutMs = 120000): Promise<void> {
    fs.rmSync(this.console, { force: true });
    const proc = spawn('qemu-system-x86_64', this.args(), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    let stderr = '';
    proc.stderr!.on('data', (d) => { stderr += d; });
    proc.stdout!.on('data', () => {});
    this.exitCode = undefined;
    this.exited = new Promise((res) => proc.on('exit', (code) => {
      this.exitCode = code;
      if (stderr.trim()) fs.appendFileSync(this.console, `\n[qemu stderr] ${stderr}`);
      this.wake();
      res();
    }));
    const deadline = Date.now() + timeoutMs;
    while (!this.agent) {
      if (this.exitCode !== undefined) throw new Error(`${this.spec.name}: qemu exited (${this.exitCode}): ${stderr}`);
      if (Date.now() > deadline) throw new Error(`${this.spec.name}: agent socket never appeared`);
      try { this.agent = await connectUnix(this.sock('agent')); } catch { await sleep(200); }
    }
    this.agent.setEncoding('utf8');
    this.agent.on('data', (d: string) => { this.buf += d; this.wake(); });
    this.agent.on('error', () => {});
    // the agent may have printed @@READY before we connected: probe until it answers
    for (;;) {
      if (Date.now() > deadline) throw new Error(`${this.spec.name}: no agent after ${timeoutMs} ms\n${this.tail()}`);
      try { await this.sh('true', 3000); return; } catch (e) {
        if (this.exitCode !== undefined) throw e;
      }
    }
  }

  private wake() { const w = this.waiters; this.waiters = []; w.forEach((f) => f()); }

  /** runs a shell script in the guest; rejects on timeout or VM exit */
  async sh(script: string, timeoutMs = 60000): Promise<CmdResult> {
    if (!this.agent) throw new Error(`${this.spec.name}: not started`);
    const id = `${this.nextId++}`;
    this.agent.write(`C ${id} ${Buffer.from(script).toString('base64')}\n`);
    const re = new RegExp(`@@OUT ${id}\\n([\\s\\S]*?)\\n@@RC ${id} (\\d+)\\n`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = re.exec(this.buf);
      if (m) {
        this.buf = this.buf.slice(m.index + m[0].length);
        return { out: m[1], rc: Number(m[2]) };
      }
      if (this.exitCode !== undefined) throw new Error(`${this.spec.name}: VM exited during: ${script}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.spec.name}: timeout (${timeoutMs} ms): ${script}`);
      await new Promise<void>((res) => { this.waiters.push(res); setTimeout(res, Math.min(left, 500)).unref(); });
    }
  }

  /** like sh but fails unless the exit code is 0 */
  async ok(script: string, timeoutMs = 60000): Promise<string> {
    const r = await this.sh(script, timeoutMs);
    if (r.rc !== 0) throw new Error(`${this.spec.name}: rc=${r.rc}: ${script}\n${r.out}`);
    return r.out;
  }

  /** one human monitor command (set_link n0 off, quit, ...) */
  async monitor(cmd: string): Promise<void> {
    const s = await connectUnix(this.sock('mon'));
    await new Promise<void>((res) => s.write(`${cmd}\n`, () => res()));
    await sleep(300);
    s.destroy();
  }

  consoleText(): string {
    try { return fs.readFileSync(this.console, 'utf8'); } catch { return ''; }
  }

  tail(n = 40): string { return this.consoleText().split('\n').slice(-n).join('\n'); }

  get running(): boolean { return !!this.proc && this.exitCode === undefined; }

  /** waits for qemu to exit by itself (poweroff, reboot with -no-reboot) */
  async waitExit(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise((r) => { timer = setTimeout(r, timeoutMs); })]);
    clearTimeout(timer);
    return this.exitCode !== undefined;
  }

  /** SIGKILL: the power cord (nothing is flushed in the guest) */
  async kill(): Promise<void> {
    if (this.running) this.proc!.kill('SIGKILL');
    await this.exited;
    this.agent?.destroy();
    this.agent = undefined;
  }

  /** orderly stop: sync in the guest, then poweroff */
  async stop(): Promise<void> {
    if (!this.running) return this.kill();
    try { await this.sh('sync', 10000); } catch { /* already gone */ }
    this.agent?.write(`C 0 ${Buffer.from('poweroff -f').toString('base64')}\n`);
    if (!(await this.waitExit(15000))) await this.kill();
    this.agent?.destroy();
    this.agent = undefined;
  }
}

function connectUnix(p: string): Promise<net.Socket> {
  return new Promise((res, rej) => {
    const s = net.connect(p);
    s.once('connect', () => res(s));
    s.once('error', rej);
  });
}

export function sleep(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, ms)); }
