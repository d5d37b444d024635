// The real OS adapter. Power actions go through sysrq/poweroff on a box; when
// paths.powerRecord is set (the lab), the action is appended there and the runtime is
// asked to stop, which is what a power-off looks like to the peer.
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { loadNetIf, type NetIf } from './netif';
import type { Platform, PowerAction, RunOptions, RunResult } from './types';

export interface HostPlatformOptions {
  powerRecord: string;
  /** Called after a recorded power action (lab): stop this runtime as a power-off would. */
  onRecordedPower?: (action: PowerAction) => void;
}

const powerCommands: Record<PowerAction, [string, string[]]> = {
  shutdown: ['poweroff', []],
  halt: ['halt', []],
  reboot: ['reboot', []],
  // Immediate reset without sync, as a hardware watchdog would (seed §10.5, §10.8).
  reset: ['sh', ['-c', 'echo b > /proc/sysrq-trigger']],
};

export class HostPlatform implements Platform {
  private netif?: NetIf;
  /** Set once the process runs SCHED_RR: every child is started through it at normal priority. */
  private childLauncher: string[] = [];
  constructor(private readonly opts: HostPlatformOptions) {}

  /**
   * SCHED_RR for every thread of this process, and for the threads it starts later (they
   * inherit it: the libuv pool does the disk heartbeat's I/O and is started on first use).
   * Not for its children: chrt's reset-on-fork would also reset the threads, so each child
   * is launched through `chrt -o 0` instead; fsck, mkfs or a resource script must not starve
   * the box.
   */
  async takeRealtime(priority: number): Promise<RunResult> {
    const r = await this.run('chrt', ['-a', '-r', '-p', String(priority), String(process.pid)]);
    if (r.code === 0) this.childLauncher = ['chrt', '-o', '0'];
    return r;
  }

  private launch(file: string, args: string[]): [string, string[]] {
    const [l, ...la] = this.childLauncher;
    return l ? [l, [...la, file, ...args]] : [file, args];
  }

  /** Loaded on first use: a clp* command that never touches an address never loads the addon. */
  get net(): NetIf { return (this.netif ??= loadNetIf()); }

  run(file: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
    const [f, a] = this.launch(file, args);
    return new Promise((resolve) => {
      const child = execFile(
        f, a,
        { timeout: opts.timeoutMs ?? 0, env: opts.env ?? process.env, cwd: opts.cwd, maxBuffer: 16 << 20, killSignal: 'SIGKILL' },
        (err, stdout, stderr) => {
          const e = err as (NodeJS.ErrnoException & { code?: number | string; signal?: string }) | null;
          let code = 0;
          if (e) code = typeof e.code === 'number' ? e.code : 127;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) || (e && typeof e.code === 'string' ? e.message : ''), signal: e?.signal ?? undefined });
        });
      if (opts.input !== undefined) {
        child.stdin?.on('error', () => { /* it ended without reading its input (EPIPE): its result says why */ });
        child.stdin?.end(opts.input);
      }
    });
  }

  /** Start a long-running process detached from us, output appended to logFile; returns its pid. */
  daemon(file: string, args: string[], opts: { env?: NodeJS.ProcessEnv; logFile: string; cwd?: string }): number {
    const out = fs.openSync(opts.logFile, 'a', 0o600);
    const [f, a] = this.launch(file, args);
    const child = spawn(f, a, { detached: true, stdio: ['ignore', out, out], env: opts.env ?? process.env, cwd: opts.cwd });
    child.on('error', () => { /* reported through the missing pid */ });
    fs.closeSync(out);
    child.unref();
    if (child.pid === undefined) throw new Error(`cannot start ${file}`);
    return child.pid;
  }

  signal(pid: number, sig: NodeJS.Signals | 0, group = false): boolean {
    try { process.kill(group ? -pid : pid, sig); } catch { return false; }
    if (sig !== 0) return true;
    // A zombie (our own exited child) still answers kill 0.
    try { return !/^\S+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
  }

  async power(action: PowerAction, reason: string): Promise<void> {
    if (this.opts.powerRecord) {
      fs.appendFileSync(this.opts.powerRecord, `${new Date().toISOString()} ${action} ${reason}\n`);
      this.opts.onRecordedPower?.(action);
      return;
    }
    // The reason in the kernel's log: a reset leaves no time for syslog, but ramoops keeps
    // the kernel's last messages across it (docs/logs.md).
    try { fs.writeFileSync('/dev/kmsg', `<4>pairha: ${action}: ${reason.replace(/\s+/g, ' ').slice(0, 400)}\n`); } catch { /* no kmsg: the reason is in the runtime's log */ }
    const [file, args] = powerCommands[action];
    await this.run(file, args);
  }
}
