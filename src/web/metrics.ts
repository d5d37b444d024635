// /metrics in Prometheus' text format, through prom-client. Every scrape asks the runtime
// through the same ops as the pages (api.ts reads); nothing is cached between scrapes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Send } from '../control/op';
import type { ClusterConfig } from '../config/types';
import { reads } from './api';

/** /proc/liscal/stats: "NMP1 fast=.. queued=.. total=N/usec ...", one line per NMP. */
export function parseLiscalStats(text: string): Array<{ nmp: string; counts: Record<string, number>; stages: Record<string, { n: number; us: number }> }> {
  const out = [];
  for (const line of text.split('\n')) {
    const [nmp, ...fields] = line.trim().split(/\s+/);
    if (!/^NMP\d+$/.test(nmp ?? '')) continue;
    const counts: Record<string, number> = {}, stages: Record<string, { n: number; us: number }> = {};
    for (const f of fields) {
      const m = /^([a-z]+)=(\d+)(?:\/(\d+))?$/.exec(f);
      if (!m) continue;
      if (m[3] !== undefined) stages[m[1]] = { n: Number(m[2]), us: Number(m[3]) };
      else counts[m[1]] = Number(m[2]);
    }
    out.push({ nmp, counts, stages });
  }
  return out;
}

/** The runtime process's RSS and CPU seconds from /proc/PID (its pid from pm.status). */
function procUsage(pid: number): { rss: number; cpu: number } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = 100; // USER_HZ on Linux
    return { cpu: (Number(f[11]) + Number(f[12])) / ticks, rss: Number(f[21]) * 4096 };
  } catch { return undefined; }
}

export function createMetrics(send: Send, config: () => ClusterConfig, liscalProc: string): Registry {
  const reg = new Registry();
  collectDefaultMetrics({ register: reg, prefix: 'pairha_web_' });
  const g = (name: string, help: string, labelNames: string[], collect: (this: Gauge) => Promise<void>) =>
    new Gauge({ name, help, labelNames, registers: [reg], collect });

  // One scrape reads the cluster once; the gauges below share it.
  let pending: Promise<Awaited<ReturnType<typeof reads.cluster>>> | undefined;
  const cluster = () => (pending ??= reads.cluster(send).finally(() => setImmediate(() => { pending = undefined; })));

  g('pairha_server_up', 'Server seen Online from this server (1) or not (0).', ['server'], async function () {
    this.reset();
    for (const s of (await cluster()).view?.servers ?? []) this.set({ server: s.name }, s.status === 'Online' ? 1 : 0);
  });
  g('pairha_heartbeat_up', "A server's heartbeat link as seen from this server: 1 alive, 0 not, -1 unused.", ['server', 'heartbeat'], async function () {
    this.reset();
    const v = (await cluster()).view;
    if (!v) return;
    const me = v.servers.find((s) => s.name === v.local)?.index ?? 0;
    for (const s of v.servers) for (const h of v.heartbeats) {
      const cell = v.matrix[me]?.[s.index]?.[h.index];
      this.set({ server: s.name, heartbeat: h.name }, cell === 'o' ? 1 : cell === 'x' ? 0 : -1);
    }
  });
  g('pairha_heartbeat_dropped', 'Heartbeat packets dropped, by link and reason, since the runtime started.', ['heartbeat', 'reason'], async function () {
    this.reset();
    const st = (await reads.stats(send)).data;
    for (const [hb, reasons] of Object.entries(st?.dropped ?? {})) for (const [reason, n] of Object.entries(reasons)) this.set({ heartbeat: hb, reason }, n);
  });
  g('pairha_heartbeat_packets', 'Heartbeat packets sent and received since the runtime started.', ['direction'], async function () {
    this.reset();
    const st = (await reads.stats(send)).data;
    if (st) { this.set({ direction: 'sent' }, st.sent); this.set({ direction: 'received' }, st.received); }
  });
  g('pairha_group_online', 'Group online (1) on a server.', ['group', 'server'], async function () {
    this.reset();
    for (const grp of (await cluster()).groups?.groups ?? []) for (const s of grp.current) this.set({ group: grp.name, server: s }, grp.state === 'Online' ? 1 : 0);
  });
  g('pairha_group_failovers', 'Failovers counted for a group on this server.', ['group'], async function () {
    this.reset();
    for (const grp of (await reads.groupStatus(send)).data ?? []) this.set({ group: grp.name }, grp.failovers);
  });
  g('pairha_monitor_normal', 'Monitor resource normal (1) or not (0), per server.', ['monitor', 'server'], async function () {
    this.reset();
    for (const m of (await cluster()).groups?.monitors ?? []) this.set({ monitor: m.name, server: m.server }, m.state === 'Normal' ? 1 : 0);
  });
  const mirror = (name: string, help: string, value: (st: NonNullable<import('../mirror/state').Side['status']>) => number, extra: string[] = []) =>
    g(name, help, ['resource', 'server', ...extra], async function () {
      this.reset();
      for (const m of await reads.mirrors(send, config())) for (const side of m.view?.sides ?? []) {
        if (side.status) this.set({ resource: m.resource, server: side.server, ...(extra.length ? { color: side.status.color } : {}) }, value(side.status));
      }
    });
  mirror('pairha_mirror_color', 'Mirror colour of a side (label color), always 1.', () => 1, ['color']);
  mirror('pairha_mirror_dirty_chunks', 'Chunks differing from the peer (difference bitmap).', (s) => s.dirty);
  mirror('pairha_mirror_recovery_percent', 'Progress of the running or last recovery, percent.', (s) => s.pct);
  mirror('pairha_mirror_disk_error', 'Media error on the side (1).', (s) => (s.diskErr ? 1 : 0));
  g('pairha_liscal_writes', 'liscal writes through each stage of the write path (cumulative).', ['nmp', 'stage'], async function () {
    this.reset();
    for (const r of liscalStats(liscalProc)) for (const [stage, v] of Object.entries(r.stages)) this.set({ nmp: r.nmp, stage }, v.n);
  });
  g('pairha_liscal_stage_seconds', 'liscal time spent in each write stage, summed (cumulative); divide by writes for latency.', ['nmp', 'stage'], async function () {
    this.reset();
    for (const r of liscalStats(liscalProc)) for (const [stage, v] of Object.entries(r.stages)) this.set({ nmp: r.nmp, stage }, v.us / 1e6);
  });
  g('pairha_runtime_resident_bytes', "The runtime process's resident memory.", [], async function () {
    this.reset();
    const pid = (await cluster()).daemon?.pid;
    const u = pid ? procUsage(pid) : undefined;
    if (u) this.set(u.rss);
  });
  g('pairha_runtime_cpu_seconds', "The runtime process's user+system CPU time.", [], async function () {
    this.reset();
    const pid = (await cluster()).daemon?.pid;
    const u = pid ? procUsage(pid) : undefined;
    if (u) this.set(u.cpu);
  });
  g('pairha_runtime_event_loop_lag_seconds', "How late the runtime's event loop ran its timers since it started, by quantile (0.5, 0.99, 1 = max).", ['quantile'], async function () {
    this.reset();
    const lag = (await cluster()).daemon?.loopLag;
    if (!lag?.samples) return;
    this.set({ quantile: '0.5' }, lag.p50Ms / 1e3);
    this.set({ quantile: '0.99' }, lag.p99Ms / 1e3);
    this.set({ quantile: '1' }, lag.maxMs / 1e3);
  });
  return reg;
}

function liscalStats(dir: string) {
  try { return parseLiscalStats(fs.readFileSync(path.join(dir, 'stats'), 'utf8')); } catch { return []; }
}
