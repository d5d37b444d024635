// EXEC resource: start and stop scripts. A synchronous script must end with 0 within the
// timeout; an asynchronous start script keeps running (pidw watches it). The environment
// tells the script why it runs. Messages: seed §12.4.3.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExecResourceConfig } from '../config/types';
import { ResourceError, type Resource, type ResourceDeps, type Why } from './types';

/** CLP_EVENT values, as the seed's scripts expect them. */
const events: Record<Why, string> = { start: 'START', failover: 'FAILOVER', move: 'MOVE', restart: 'RECOVER', stop: 'STOP', failback: 'FAILBACK' };

export class ExecResource implements Resource {
  pid?: number;

  constructor(readonly cfg: ExecResourceConfig, private readonly d: ResourceDeps) {}

  get logFile(): string { return this.cfg.logFile || path.join(this.d.paths.log, `exec-${this.cfg.name}.log`); }

  private env(why: Why, phase: 'start' | 'stop'): NodeJS.ProcessEnv {
    const group = this.d.config.groups.find((g) => g.name === this.cfg.group);
    return {
      ...process.env,
      CLP_EVENT: events[why],
      CLP_PHASE: phase.toUpperCase(),
      CLP_SERVER: group?.servers[0] === this.d.local.name ? 'HOME' : 'OTHER',
      CLP_SERVERNAME: this.d.local.name,
      CLP_GROUPNAME: this.cfg.group,
      CLP_RESOURCENAME: this.cfg.name,
    };
  }

  private check(script: string): void {
    if (!script || !path.isAbsolute(script)) throw new ResourceError(1, 'Command string was invalid.');
    try { fs.accessSync(script, fs.constants.X_OK); } catch (e) { throw new ResourceError(1, `Command was not found. (error=${(e as NodeJS.ErrnoException).code ?? 'EACCES'})`); }
    try { fs.mkdirSync(path.dirname(this.logFile), { recursive: true, mode: 0o700 }); } catch { throw new ResourceError(1, 'Log string was invalid.'); }
  }

  /** Run a script to its end, output appended to the log file. */
  private async runSync(script: string, why: Why, phase: 'start' | 'stop'): Promise<void> {
    this.check(script);
    const t0 = performance.now();
    const r = await this.d.platform.run(script, [], { timeoutMs: this.cfg.timeout, env: this.env(why, phase) });
    try { fs.appendFileSync(this.logFile, r.stdout + r.stderr); } catch { /* the log is best effort */ }
    if (r.signal === 'SIGKILL' && performance.now() - t0 >= this.cfg.timeout) throw new ResourceError(1, `Command was not completed within ${Math.ceil(this.cfg.timeout / 1000)} seconds.`);
    if (r.signal) throw new ResourceError(1, 'Command was aborted.');
    if (r.code === 127 && r.stderr.includes('ENOENT')) throw new ResourceError(1, 'Command was not found. (error=ENOENT)');
    if (r.code !== 0) throw new ResourceError(1, `Termination code ${r.code} was returned.`);
  }

  async activate(why: Why): Promise<void> {
    if (!this.cfg.async) return this.runSync(this.cfg.start, why, 'start');
    if (this.pid && this.d.platform.signal(this.pid, 0)) return;
    this.check(this.cfg.start);
    try {
      this.pid = this.d.platform.daemon(this.cfg.start, [], { env: this.env(why, 'start'), logFile: this.logFile });
    } catch (e) {
      throw new ResourceError(1, `Command was not found. (error=${(e as Error).message})`);
    }
  }

  async deactivate(why: Why): Promise<void> {
    await this.runSync(this.cfg.stop, why, 'stop');
    const pid = this.pid;
    this.pid = undefined;
    if (pid && this.d.platform.signal(pid, 0)) {
      // The stop script should have ended it; whatever is left of its process group goes.
      this.d.platform.signal(pid, 'SIGTERM', true);
      for (let i = 0; i < 20 && this.d.platform.signal(pid, 0); i++) await new Promise((r) => setTimeout(r, 100));
      if (this.d.platform.signal(pid, 0)) this.d.platform.signal(pid, 'SIGKILL', true);
    }
  }
}
