// /proc/liscal/stats in the guests: cumulative counters and per-stage µs sums of the write
// path (kmod/liscal/README.md §1.5); two reads give the averages per write in between.
import { Vm } from '../../src/host/vm/vm';

export type Stats = Record<string, { n: number; us: number }>;

/** NMP1's line: counters as n, stages as n/µs-sum */
export async function readStats(vm: Vm, nmp = 1): Promise<Stats> {
  const line = (await vm.ok(`grep '^NMP${nmp} ' /proc/liscal/stats`)).trim();
  const s: Stats = {};
  for (const kv of line.split(' ').slice(1)) {
    const [k, v] = kv.split('=');
    const [n, us] = v.split('/').map(Number);
    s[k] = { n, us: us ?? -1 };
  }
  return s;
}

/** per stage: average µs between two reads (stages with no event left out) */
export function stageAverages(before: Stats, after: Stats): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(after)) {
    if (after[k].us < 0) continue;
    const n = after[k].n - (before[k]?.n ?? 0);
    if (n > 0) out[k] = Math.round((after[k].us - (before[k]?.us ?? 0)) / n);
  }
  return out;
}

/** counters (fast, queued, intent, meta, noflush): increments between two reads */
export function counterDeltas(before: Stats, after: Stats): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(after)) if (after[k].us < 0) out[k] = after[k].n - (before[k]?.n ?? 0);
  return out;
}
