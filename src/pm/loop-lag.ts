// The runtime's event-loop lag: how late its timers (heartbeats, monitors) run. A busy loop
// is what starves heartbeats before any timeout shows it; /metrics exports it (docs/web.md).
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Delays since the runtime started, in milliseconds. */
export interface LoopLag { p50Ms: number; p99Ms: number; maxMs: number; samples: number }

export class LoopLagMonitor {
  private readonly h: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  start(): void { this.h.enable(); }
  stop(): void { this.h.disable(); }
  read(): LoopLag {
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    // An empty histogram reports its percentiles as 0 and its max as a huge sentinel.
    if (this.h.count === 0) return { p50Ms: 0, p99Ms: 0, maxMs: 0, samples: 0 };
    return { p50Ms: ms(this.h.percentile(50)), p99Ms: ms(this.h.percentile(99)), maxMs: ms(this.h.max), samples: this.h.count };
  }
}
