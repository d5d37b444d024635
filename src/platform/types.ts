// The one adapter through which the runtime touches the OS: commands and power.
// No other module spawns processes or powers the box off.
export interface RunResult { code: number; stdout: string; stderr: string; signal?: string }
export interface RunOptions { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string; input?: string }

export type PowerAction = 'shutdown' | 'reboot' | 'halt' | 'reset';

export interface Platform {
  /** Run a program (no shell) and collect its output. Never rejects; failures are in code. */
  run(file: string, args: string[], opts?: RunOptions): Promise<RunResult>;
  /** Power the server off/reboot/reset (sysrq). In the lab this is recorded and the runtime stops. */
  power(action: PowerAction, reason: string): Promise<void>;
}
