// The campaign: draw a fault, inject it, let it act, heal it, wait for the pair to settle,
// then audit. The same seed draws the same faults in the same order (rng.ts); a target only
// turns each into namespaces or qemu (target.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as audits from './audits';
import { SeededRng, stepRng } from './rng';
import type { FaultName, Injected, Observation, Target } from './target';

export interface CampaignOptions {
  target: Target;
  steps: number;
  seed: number;
  /** The faults to draw from (default: every fault the target can do). */
  faults?: FaultName[];
  /** How long a fault stays in place before it is healed, ms (drawn up to this). */
  dwellMs?: number;
  /** How often the settle loop looks, ms. */
  pollMs?: number;
  limits?: audits.Limits;
  /** Lines of each server's log printed with a violation. */
  logLines?: number;
  /** Where both servers' whole logs are copied at a violation (a folder per step); none when absent. */
  keepDir?: string;
  out: (line: string) => void;
}

export interface StepRecord { step: number; fault: FaultName; detail: string; settledMs: number; violations: audits.Violation[] }

export interface CampaignResult {
  steps: number;
  faults: number;
  violations: number;
  lostWrites: number;
  counts: Partial<Record<FaultName, number>>;
  records: StepRecord[];
  /** The one final line. */
  line: string;
  code: number;
}

/** A fault stays up to this long: past the lab's 3 s heartbeat timeout for about half the draws. */
export const DEFAULT_DWELL_MS = 6000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function finalLine(r: { target: string; seed: number; steps: number; faults: number; violations: number; lostWrites: number }): string {
  return `campaign: target=${r.target} seed=${r.seed} steps=${r.steps} faults=${r.faults} violations=${r.violations} lost_writes=${r.lostWrites}`;
}

/** The faults a run draws from: those asked for, each of which the target must offer. */
export function faultsFor(target: Target, asked?: FaultName[]): FaultName[] {
  const offered = target.faults();
  if (!asked) return offered;
  const missing = asked.filter((f) => !offered.includes(f));
  if (missing.length) throw new Error(`target ${target.name} cannot inject ${missing.join(', ')} (it can: ${offered.join(', ')})`);
  return asked;
}

export async function runCampaign(o: CampaignOptions): Promise<CampaignResult> {
  const { target, out } = o;
  const faults = faultsFor(target, o.faults);
  const draw = new SeededRng(o.seed);
  const counts: Partial<Record<FaultName, number>> = {};
  const records: StepRecord[] = [];
  let violations = 0, faultsInjected = 0, steps = 0;
  const lost = new Set<number>();
  const dwellMs = o.dwellMs ?? DEFAULT_DWELL_MS, pollMs = o.pollMs ?? 500;

  const report = async (step: number, fault: string, detail: string, vs: audits.Violation[]) => {
    if (!vs.length) return;
    violations += vs.length;
    const logs = await target.recentLogs(o.logLines ?? 40).catch((e: Error) => `(logs unavailable: ${e.message})`);
    for (const v of vs) out(`VIOLATION step=${step} fault=${fault} (${detail}) audit=${v.audit}: ${v.detail}`);
    out(`--- recent logs at step ${step}\n${logs.trimEnd()}\n---`);
    if (!o.keepDir) return;
    const dir = path.join(o.keepDir, `step-${step}`);
    try {
      fs.mkdirSync(dir, { recursive: true });
      const files = await target.keepLogs(dir);
      out(`logs of step ${step} kept: ${files.join(' ') || '(none could be read)'}`);
    } catch (e) {
      out(`logs of step ${step} not kept in ${dir}: ${(e as Error).message}`);
    }
  };

  await target.up();
  try {
    // The pair as brought up must pass the audits before any fault.
    const first = new StepAudit(target, target.allow);
    const s0 = await first.settle(pollMs, 60000, {});
    first.final(s0, {}, o.limits);
    await report(0, 'none', 'start', first.vs);
    /** The previous fault's allow-list, for lines logged before this step began. */
    let previousAllow: RegExp[] | undefined;
    for (let step = 1; step <= o.steps; step++) {
      const began = Date.now();
      const fault = draw.pick(faults);
      const rng = stepRng(o.seed, step);
      const dwell = rng.int(dwellMs + 1);
      counts[fault] = (counts[fault] ?? 0) + 1;
      steps = step;
      let inj: Injected;
      try {
        inj = await target.inject(fault, rng);
        faultsInjected++;
      } catch (e) {
        // A fault that cannot be put in place is the target's failure, reported like a violation.
        await report(step, fault, 'inject', [{ audit: 'inject', detail: (e as Error).message }]);
        continue;
      }
      const a = new StepAudit(target, [...target.allow, ...inj.allow], previousAllow && { before: began, allow: previousAllow });
      previousAllow = inj.allow;
      const t0 = Date.now();
      // While the fault is in place, only what must hold at any moment.
      do {
        await a.look(inj);
        await sleep(Math.min(pollMs, dwell));
      } while (Date.now() - t0 < dwell);
      try {
        await inj.heal?.();
      } catch (e) {
        a.add([{ audit: 'heal', detail: (e as Error).message }]);
      }
      const healed = Date.now();
      const s = await a.settle(pollMs, inj.settleMs, inj);
      a.final(s, inj, o.limits);
      const settledMs = Date.now() - healed;
      const wr = await target.writer();
      const w = audits.writes(wr);
      const fresh = w.lost.filter((n) => !lost.has(n));
      for (const n of fresh) lost.add(n);
      // A record lost once stays missing: it is counted at the step that lost it.
      a.add(w.violations.filter((v) => v.audit !== 'lost-writes' || fresh.length)
        .map((v) => (v.audit === 'lost-writes' ? { ...v, detail: `${fresh.length} acknowledged record(s) missing: ${fresh.slice(0, 10).join(', ')}` } : v)));
      out(`step ${step}/${o.steps}: ${fault}: ${inj.detail}; ${s.settled ? `settled in ${settledMs} ms` : `NOT settled in ${inj.settleMs} ms`}; ${wr.acked.length} writes acked${a.vs.length ? `; ${a.vs.length} violation(s)` : ''}`);
      await report(step, fault, inj.detail, a.vs);
      records.push({ step, fault, detail: inj.detail, settledMs, violations: a.vs });
    }
  } finally {
    await target.down().catch((e: Error) => out(`target down failed: ${e.message}`));
  }
  out(`faults drawn: ${Object.entries(counts).map(([f, n]) => `${f}=${n}`).join(' ')}`);
  const line = finalLine({ target: target.name, seed: o.seed, steps, faults: faultsInjected, violations, lostWrites: lost.size });
  return { steps, faults: faultsInjected, violations, lostWrites: lost.size, counts, records, line, code: violations || lost.size ? 1 : 0 };
}

type FaultFlags = Pick<Injected, 'splitBrain' | 'clusterMayBeDown'>;

/** The violations of one step. Every observation's new log lines and core files are audited
 * (a target hands each log line once), each distinct violation kept once. */
class StepAudit {
  readonly vs: audits.Violation[] = [];
  constructor(private readonly target: Target, private readonly allow: RegExp[], private readonly earlier?: audits.EarlierAllow) {}

  add(vs: audits.Violation[]): void {
    for (const v of vs) if (!this.vs.some((x) => x.audit === v.audit && x.detail === v.detail)) this.vs.push(v);
  }

  async look(f: FaultFlags): Promise<Observation> {
    const obs = await this.target.observe();
    this.add([...audits.safety(obs, { splitBrain: f.splitBrain }), ...audits.unexpectedErrors(obs, this.allow, this.earlier), ...audits.noCores(obs)]);
    return obs;
  }

  /** Observe until the pair converged (one holder per group, one MAC, clpstat agreeing) or
   * the time is up. After a split brain the seed's §10.7 resolves the double activation
   * within the settle time: only the converged state is audited then. */
  async settle(pollMs: number, settleMs: number, f: FaultFlags): Promise<{ settled: boolean; obs: Observation }> {
    const end = Date.now() + settleMs;
    for (;;) {
      const obs = await this.look(f);
      if (!audits.convergence(obs, this.target.groups, f.clusterMayBeDown).length) return { settled: true, obs };
      if (Date.now() >= end) return { settled: false, obs };
      await sleep(pollMs);
    }
  }

  final(s: { settled: boolean; obs: Observation }, f: FaultFlags, limits?: audits.Limits): void {
    const vs = audits.settledAudits(s.obs, this.target.groups, this.allow, { clusterMayBeDown: f.clusterMayBeDown, limits, earlier: this.earlier });
    if (!s.settled) {
      this.add(vs.map((v) => (audits.CONVERGENCE.includes(v.audit) ? { ...v, detail: `${v.detail} (not settled in time)` } : v)));
    } else this.add(vs);
  }
}
