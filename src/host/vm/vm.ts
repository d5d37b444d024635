// A small VM for kernel tests and benchmarks, a child of this process: a Debian kernel, an
// initramfs from initramfs.ts, virtio disks from raw files, an optional UDP link to a second
// VM. The console (ttyS0, kernel messages) goes to a file; the guest agent (agent.ts) runs
// the host's scripts; QMP cuts the link.
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GuestAgent } from './agent';
import { qmp } from './qmp';
import { agentArgs, machineArgs, qmpArgs, spawnQemu } from './qemu';

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

/** A script's exit code and its output, stdout and stderr in the order written. */
export interface CmdResult { out: string; rc: number }

export class Vm {
  readonly console: string;
  private proc?: ChildProcess;
  private agent?: GuestAgent;
  private exitCode: number | null | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(readonly spec: VmSpec) {
    this.console = path.join(spec.dir, `${spec.name}.console`);
  }

  private sock(kind: string) { return path.join(this.spec.dir, `${this.spec.name}.${kind}`); }

  args(): string[] {
    const s = this.spec;
    const a = [
      ...machineArgs({
        name: s.name, memoryMb: s.memMb ?? 256, kernel: s.kernel, initrd: s.initrd, cpu: s.cpu,
        append: `console=ttyS0 loglevel=7 panic=-1 rdinit=/init lsc.name=${s.name}` + (s.ip ? ` lsc.ip=${s.ip}` : '') + (s.append ? ` ${s.append}` : ''),
      }),
      '-no-reboot', '-serial', `file:${this.console}`, ...qmpArgs(this.sock('qmp')), ...agentArgs(this.sock('agent')),
    ];
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
    for (const k of ['agent', 'qmp']) fs.rmSync(this.sock(k), { force: true });
    const proc = spawnQemu(this.args());
    this.proc = proc;
    let stderr = '';
    proc.stderr!.on('data', (d) => { stderr += d; });
    proc.stdout!.on('data', () => {});
    this.exitCode = undefined;
    this.exited = new Promise((res) => proc.on('exit', (code) => {
      this.exitCode = code;
      if (stderr.trim()) fs.appendFileSync(this.console, `\n[qemu stderr] ${stderr}`);
      res();
    }));
    const deadline = Date.now() + timeoutMs;
    while (!this.agent) {
      if (this.exitCode !== undefined) throw new Error(`${this.spec.name}: qemu exited (${this.exitCode}): ${stderr}`);
      if (Date.now() > deadline) throw new Error(`${this.spec.name}: agent socket never appeared`);
      try { this.agent = await GuestAgent.connect(this.sock('agent')); } catch { await sleep(200); }
    }
    // qemu holds what we send until the guest's agent opens its port: probe until it answers
    for (;;) {
      if (Date.now() > deadline) throw new Error(`${this.spec.name}: no agent after ${timeoutMs} ms\n${this.tail()}`);
      try { await this.sh('true', 3000); return; } catch (e) {
        if (this.exitCode !== undefined) throw e;
      }
    }
  }

  /** runs a shell script in the guest; rejects on timeout or VM exit */
  async sh(script: string, timeoutMs = 60000): Promise<CmdResult> {
    if (!this.agent) throw new Error(`${this.spec.name}: not started`);
    const exited = this.exited.then((): never => { throw new Error(`${this.spec.name}: VM exited during: ${script}`); });
    try {
      // one stream, as on a terminal: the tests look for messages in either
      const r = await Promise.race([this.agent.run(`exec 2>&1\n${script}`, timeoutMs), exited]);
      return { out: r.stdout, rc: r.code };
    } catch (e) {
      if (this.exitCode !== undefined) throw new Error(`${this.spec.name}: VM exited during: ${script}`);
      throw new Error(`${this.spec.name}: ${(e as Error).message}: ${script}`);
    }
  }

  /** like sh but fails unless the exit code is 0 */
  async ok(script: string, timeoutMs = 60000): Promise<string> {
    const r = await this.sh(script, timeoutMs);
    if (r.rc !== 0) throw new Error(`${this.spec.name}: rc=${r.rc}: ${script}\n${r.out}`);
    return r.out;
  }

  /** the cable of the link to the other VM: unplugged (false) or plugged (true) */
  async setLink(up: boolean): Promise<void> {
    await qmp(this.sock('qmp'), 'set_link', { name: 'n0', up });
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
    this.agent?.close();
    this.agent = undefined;
  }

  /** orderly stop: sync in the guest, then poweroff */
  async stop(): Promise<void> {
    if (!this.running) return this.kill();
    try { await this.sh('sync', 10000); } catch { /* already gone */ }
    this.agent?.send('poweroff -f');
    if (!(await this.waitExit(15000))) await this.kill();
    this.agent?.close();
    this.agent = undefined;
  }
}

export function sleep(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, ms)); }
