// The campaign's audits: pure functions from what was observed to the violations found.
// Each names the audit, and says what and where (test/unit/campaign/audits.test.ts shows
// every one failing on a synthetic observation).
import type { Observation, ServerView, WriterReport } from './target';

export interface Violation { audit: string; detail: string }

export interface Limits { rssKb: number; openFds: number }
export const DEFAULT_LIMITS: Limits = { rssKb: 400 * 1024, openFds: 256 };

const upServers = (o: Observation) => o.servers.filter((s) => s.up);

/** Where each group is active, by the servers' own word. */
function holders(o: Observation): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const s of upServers(o)) for (const g of s.activeGroups) m.set(g, [...(m.get(g) ?? []), s.name]);
  return m;
}

/** Each group active on at most one server. */
export function atMostOneActive(o: Observation): Violation[] {
  return [...holders(o)].filter(([, on]) => on.length > 1)
    .map(([g, on]) => ({ audit: 'one-active', detail: `group ${g} is active on ${on.join(' and ')}` }));
}

/** Once settled: each group active on exactly one server, unless no server is up. */
export function exactlyOneActive(o: Observation, groups: string[], clusterMayBeDown = false): Violation[] {
  if (!upServers(o).length || clusterMayBeDown) return atMostOneActive(o);
  const h = holders(o);
  return [
    ...atMostOneActive(o),
    ...groups.filter((g) => !h.get(g)?.length).map((g) => ({ audit: 'one-active', detail: `group ${g} is active nowhere (up: ${upServers(o).map((s) => s.name).join(', ')})` })),
  ];
}

/** Each floating IP answered by at most one MAC; once settled, by exactly one. */
export function fipOneMac(o: Observation, settled = false): Violation[] {
  return Object.entries(o.fipAnswers).flatMap(([ip, macs]) => {
    const distinct = [...new Set(macs.map((m) => m.toLowerCase()))];
    if (distinct.length > 1) return [{ audit: 'fip-one-mac', detail: `floating IP ${ip} answered by ${distinct.join(' and ')}` }];
    if (settled && !distinct.length && upServers(o).length) return [{ audit: 'fip-one-mac', detail: `floating IP ${ip} answered by no MAC` }];
    return [];
  });
}

/** The mirror disk mounted on at most one box. */
export function mountedAtMostOnce(o: Observation): Violation[] {
  const on = new Map<string, string[]>();
  for (const s of o.servers) for (const m of s.mounted) on.set(m, [...(on.get(m) ?? []), s.name]);
  return [...on].filter(([, xs]) => xs.length > 1).map(([m, xs]) => ({ audit: 'mounted-once', detail: `${m} is mounted on ${xs.join(' and ')}` }));
}

/** Checks that hold at any moment, even in the middle of a fault. */
export function safety(o: Observation, opts: { splitBrain?: boolean } = {}): Violation[] {
  return [...(opts.splitBrain ? [] : [...atMostOneActive(o), ...fipOneMac(o)]), ...mountedAtMostOnce(o)];
}

/** Every acknowledged record present; no record number written twice (two holders at once). */
export function writes(r: WriterReport): { lost: number[]; violations: Violation[] } {
  const present = new Set(r.present);
  const lost = r.acked.filter((n) => !present.has(n));
  const seen = new Set<number>(), dup = new Set<number>();
  for (const n of r.present) (seen.has(n) ? dup : seen).add(n);
  const violations: Violation[] = [];
  if (lost.length) violations.push({ audit: 'lost-writes', detail: `${lost.length} acknowledged record(s) missing: ${brief(lost)}` });
  if (dup.size) violations.push({ audit: 'duplicate-writes', detail: `record(s) written twice (two writers at once): ${brief([...dup])}` });
  const back = r.present.findIndex((n, i) => i > 0 && n < r.present[i - 1] && !dup.has(n));
  if (back > 0) violations.push({ audit: 'interleaved-writes', detail: `record ${r.present[back]} follows ${r.present[back - 1]} (position ${back})` });
  return { lost, violations };
}

/** Mirror data checksums equal on every box that reported one. */
export function mirrorSumsEqual(o: Observation): Violation[] {
  const sums = Object.entries(o.mirrorSums ?? {});
  if (new Set(sums.map(([, v]) => v)).size <= 1) return [];
  return [{ audit: 'mirror-sums', detail: `mirror data differs: ${sums.map(([s, v]) => `${s}=${v.slice(0, 12)}`).join(', ')}` }];
}

/** clp.conf identical on every server that is up. */
export function configIdentical(o: Observation): Violation[] {
  const hs = upServers(o).filter((s) => s.configHash !== undefined);
  if (new Set(hs.map((s) => s.configHash)).size <= 1) return [];
  return [{ audit: 'config-identical', detail: `clp.conf differs: ${hs.map((s) => `${s.name}=${s.configHash!.slice(0, 12)}`).join(', ')}` }];
}

/** clpstat says the same of every server and group on every server that is up. */
export function clpstatAgrees(o: Observation): Violation[] {
  const views = upServers(o).filter((s) => s.clpstat);
  const out: Violation[] = [];
  for (let i = 1; i < views.length; i++) {
    const [a, b] = [views[0], views[i]];
    for (const kind of ['servers', 'groups'] as const) {
      const keys = new Set([...Object.keys(a.clpstat![kind]), ...Object.keys(b.clpstat![kind])]);
      for (const k of keys) {
        const [x, y] = [a.clpstat![kind][k], b.clpstat![kind][k]];
        if (x !== y) out.push({ audit: 'clpstat-agrees', detail: `${kind.slice(0, -1)} ${k}: ${a.name} says '${x ?? '(absent)'}', ${b.name} says '${y ?? '(absent)'}'` });
      }
    }
  }
  return out;
}

/** What the step before allowed, for the lines logged before this step began (a fault's
 * consequences may be logged after its own audit read the logs). */
export interface EarlierAllow { before: number; allow: RegExp[] }

/** No error line (an ERROR of the runtime's log, an event of level ERR) that neither the
 * target nor the injected fault allows; a line stamped before `earlier.before` may also be
 * one the previous fault allows. */
export function unexpectedErrors(o: Observation, allow: RegExp[], earlier?: EarlierAllow): Violation[] {
  const allowed = (l: string) => allow.some((r) => r.test(l))
    || (!!earlier && Date.parse(l.split(' ', 1)[0]) < earlier.before && earlier.allow.some((r) => r.test(l)));
  return o.servers.flatMap((s) => s.newLogLines.filter((l) => /\bERROR\b|\bLVL=ERR\b/.test(l) && !allowed(l))
    .map((l) => ({ audit: 'error-lines', detail: `${s.name}: ${l}` })));
}

export function noCores(o: Observation): Violation[] {
  return o.servers.flatMap((s) => s.coreFiles.map((f) => ({ audit: 'core-files', detail: `${s.name}: ${f}` })));
}

/** The runtime's RSS and open descriptors within the limits. */
export function resourcesBounded(o: Observation, limits: Limits = DEFAULT_LIMITS): Violation[] {
  return o.servers.flatMap((s: ServerView) => [
    ...(s.rssKb !== undefined && s.rssKb > limits.rssKb ? [{ audit: 'rss-bounded', detail: `${s.name}: RSS ${s.rssKb} KiB > ${limits.rssKb} KiB` }] : []),
    ...(s.openFds !== undefined && s.openFds > limits.openFds ? [{ audit: 'fds-bounded', detail: `${s.name}: ${s.openFds} open fds > ${limits.openFds}` }] : []),
  ]);
}

/** Everything checked once a step settled. */
export function settledAudits(o: Observation, groups: string[], allow: RegExp[], opts: { clusterMayBeDown?: boolean; limits?: Limits; earlier?: EarlierAllow } = {}): Violation[] {
  return [
    ...exactlyOneActive(o, groups, opts.clusterMayBeDown), ...fipOneMac(o, true), ...mountedAtMostOnce(o),
    ...mirrorSumsEqual(o), ...configIdentical(o), ...clpstatAgrees(o),
    ...unexpectedErrors(o, allow, opts.earlier), ...noCores(o), ...resourcesBounded(o, opts.limits),
  ];
}

export const CONVERGENCE = ['one-active', 'fip-one-mac', 'clpstat-agrees'];

/** The part of settledAudits that says whether the pair has settled (polled during settle). */
export function convergence(o: Observation, groups: string[], clusterMayBeDown = false): Violation[] {
  return [...exactlyOneActive(o, groups, clusterMayBeDown), ...fipOneMac(o, true), ...clpstatAgrees(o)];
}

function brief(xs: number[]): string {
  return xs.length > 10 ? `${xs.slice(0, 10).join(', ')} ... (${xs.length})` : xs.join(', ');
}
