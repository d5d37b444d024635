// The one adapter through which the runtime touches the OS: commands, power and the
// network interfaces' addresses. No other module spawns processes or powers the box off.
import type { NetIf } from './netif';

export interface RunResult { code: number; stdout: string; stderr: string; signal?: string }
export interface RunOptions { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string; input?: string }

export type PowerAction = 'shutdown' | 'reboot' | 'halt' | 'reset';

export interface Platform {
  /** Run a program (no shell) and collect its output. Never rejects; failures are in code. */
  run(file: string, args: string[], opts?: RunOptions): Promise<RunResult>;
  /** Power the server off/reboot/reset (sysrq). In the lab this is recorded and the runtime stops. */
  power(action: PowerAction, reason: string): Promise<void>;
  /** Start a long-running process in its own process group, output appended to logFile; its pid. */
  daemon(file: string, args: string[], opts: { env?: NodeJS.ProcessEnv; logFile: string; cwd?: string }): number;
  /** Send a signal to a process (or, with group, its whole process group); false if it is gone. */
  signal(pid: number, sig: NodeJS.Signals | 0, group?: boolean): boolean;
  /** IPv4 addresses and ARP on the interfaces (netlink, packet sockets: no process). */
  readonly net: NetIf;
}
