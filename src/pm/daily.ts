// A check run once a day as the local date changes (the licence check: a trial ends with its
// last day). It wakes at least hourly and compares dates, so a stepped wall clock (seed
// §10: NTP, an operator's `date`) moves the check with it instead of leaving it a day off.

export interface DailyOptions {
  /** The wall clock (the runtime's steppable one). */
  now?: () => Date;
  /** Longest sleep between looks at the date, ms. */
  maxWaitMs?: number;
}

const HOUR_MS = 3600_000;

/** Local date as y-m-d: what "a new day" compares. */
export const localDay = (d: Date) => `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;

/** ms from `now` to one second past the next local midnight. */
export function untilMidnight(now: Date): number {
  const next = new Date(now.getTime());
  next.setHours(24, 0, 1, 0);
  return next.getTime() - now.getTime();
}

export class DailyCheck {
  private timer?: NodeJS.Timeout;
  private day = '';
  private readonly now: () => Date;
  private readonly maxWaitMs: number;

  constructor(private readonly check: () => Promise<void>, o: DailyOptions = {}) {
    this.now = o.now ?? (() => new Date());
    this.maxWaitMs = o.maxWaitMs ?? HOUR_MS;
  }

  /** Starts counting from today (the caller has just run the check). */
  start(): void {
    this.stop();
    this.day = localDay(this.now());
    this.arm();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  get running(): boolean { return this.timer !== undefined; }

  private arm(): void {
    const wait = Math.max(1, Math.min(this.maxWaitMs, untilMidnight(this.now())));
    this.timer = setTimeout(() => { void this.tick(); }, wait);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const today = localDay(this.now());
    if (today !== this.day) {
      this.day = today;
      try { await this.check(); } catch { /* the check reports its own failures */ }
    }
    if (this.timer) this.arm();
  }
}
