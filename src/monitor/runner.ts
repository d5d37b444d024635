// The common monitor framework (seed §11.3): wait before the first probe, probe every
// interval with a timeout, tolerate `retry` failures, then hand the failure to recovery.
// A monitor limited to an active group idles (Offline) while that group is not active here.
import type { MonitorConfig } from '../config/types';
import { ev } from '../events/ids';
import type { Events } from '../events/types';
import type { Check, CheckFailure } from './types';

export type MonitorState = 'Normal' | 'Error' | 'Offline';

export class MonitorRunner {
  state: MonitorState = 'Offline';
  private failures = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private recovering = false;

  constructor(
    readonly cfg: MonitorConfig,
    private readonly check: Check,
    private readonly events: Events,
    private readonly enabled: () => boolean,
    private readonly onFailure: (f: CheckFailure) => Promise<void>,
  ) {}

  start(): void {
    this.events.emit(ev.rm.monitorStarted, this.cfg.name);
    this.timer = setTimeout(() => { void this.loop(); }, this.cfg.startWait);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.events.emit(ev.rm.monitorStopped, this.cfg.name);
  }

  private async loop(): Promise<void> {
    if (this.stopped) return;
    await this.probe();
    if (!this.stopped) this.timer = setTimeout(() => { void this.loop(); }, this.cfg.interval);
  }

  /** One probe; exported for tests that drive the clock themselves. */
  async probe(): Promise<void> {
    if (this.recovering) return;
    if (!this.enabled()) { this.state = 'Offline'; this.failures = 0; return; }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<CheckFailure>((r) => { timer = setTimeout(() => r(this.check.timedOut()), this.cfg.timeout); });
    const f = await Promise.race([this.check.run().catch((e: Error) => ({ code: 1, message: `Internal error. (status=${e.message})` })), timeout]);
    clearTimeout(timer);
    if (this.stopped) return;
    if (!f) {
      if (this.state === 'Error') this.events.emit(ev.rm.statusNormal, this.cfg.name);
      this.state = 'Normal';
      this.failures = 0;
      return;
    }
    if (++this.failures <= this.cfg.retry) { this.events.emit(ev.rm.monitorWarned, this.cfg.name, f.code, f.message); return; }
    this.failures = 0;
    this.state = 'Error';
    this.events.emit(ev.rm.monitorFailed, this.cfg.name, f.code, f.message);
    this.recovering = true;
    try { await this.onFailure(f); } finally { this.recovering = false; }
  }
}
