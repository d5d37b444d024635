// The licence check of the cluster daemon (seed §11.1 (8)/(9), §12.1 rm 50-59, mdadm 8-15):
// which licences this configuration needs, what the registered ones say, and the events.
import * as os from 'node:os';
import type { ClusterConfig } from '../config/types';
import type { Paths } from '../constants';
import { ev } from '../events/ids';
import type { Events } from '../events/types';
import { nullLogger, type Logger } from '../logger';
import { seedDate, type ProductId, type VerifyOptions } from './codec';
import { readSerial, registered, verifyOptions, type Registered } from './store';

/** What the registered licences of one product amount to. */
export type Verdict =
  | { kind: 'product'; count: number; missing: number }
  | { kind: 'trial'; until: string }
  | { kind: 'none' }
  | { kind: 'expired'; date: string }
  | { kind: 'not-yet-valid'; date: string }
  | { kind: 'invalid' }
  | { kind: 'unknown' };

export const usable = (v: Verdict) => v.kind === 'product' || v.kind === 'trial';

/** The cluster's edition (LE30 for a mirror configuration) and the options it uses: FastSync
 * with mirror disks (the agent's differential recovery). A shared-disk cluster runs on SE30
 * or XE30, whichever is registered; XE has no COM heartbeat (seed editions). */
export function needed(config: ClusterConfig): { cluster: ProductId[]; fastSync: boolean } {
  const mirror = config.resources.some((r) => r.type === 'md');
  const com = config.heartbeats.some((h) => h.type === 'comhb');
  return { cluster: mirror ? ['LE30'] : com ? ['SE30'] : ['SE30', 'XE30'], fastSync: mirror };
}

/** Product licences first (their CPUs add up), then a running trial; else the most telling failure. */
export function verdict(entries: Registered[], cpus: number): Verdict {
  const valid = entries.filter((e) => !e.error && e.licence);
  const bought = valid.filter((e) => e.licence!.kind === 'product');
  if (bought.length) {
    const count = bought.reduce((n, e) => n + e.licence!.count, 0);
    return { kind: 'product', count, missing: Math.max(0, cpus - count) };
  }
  const trials = valid.map((e) => e.licence!.validUntil!).sort();
  if (trials.length) return { kind: 'trial', until: trials[trials.length - 1] };
  const failed = (status: string) => entries.find((e) => e.error?.status === status);
  const expired = failed('expired'), early = failed('not-yet-valid');
  if (expired) return { kind: 'expired', date: expired.licence!.validUntil! };
  if (early) return { kind: 'not-yet-valid', date: early.licence!.validFrom! };
  if (failed('invalid')) return { kind: 'invalid' };
  if (entries.length) return { kind: 'unknown' };
  return { kind: 'none' };
}

/** The catalog's events of a verdict, per module: rm for the cluster, mdadm for FastSync. */
export function emitVerdict(events: Events, module: 'rm' | 'mdadm', product: string, v: Verdict): void {
  const e = ev[module];
  switch (v.kind) {
    case 'product':
      events.emit(e.licenseCount, v.count, product);
      if (v.missing) events.emit(e.licenseInsufficient, v.missing, product);
      return;
    case 'trial': return events.emit(e.trialUntil, seedDate(v.until), product);
    case 'none': return events.emit(e.licenseNotRegistered, product);
    case 'expired': return events.emit(e.trialExpired, seedDate(v.date), product);
    case 'not-yet-valid': return events.emit(e.trialNotYetValid, seedDate(v.date), product);
    case 'invalid': return events.emit(e.licenseInvalid, product);
    case 'unknown': return events.emit(e.licenseUnknown, product);
  }
}

/** The cluster's product: the first of the candidates with a usable licence, else the first
 * candidate with the verdict of its registered files (so rm 53 names the edition expected). */
export function clusterVerdict(candidates: ProductId[], read: (p: ProductId) => Registered[], cpus: number): { product: ProductId; verdict: Verdict } {
  const all = candidates.map((product) => ({ product, verdict: verdict(read(product), cpus) }));
  return all.find((x) => usable(x.verdict)) ?? all.find((x) => x.verdict.kind !== 'none') ?? all[0];
}

export interface CheckContext { config: ClusterConfig; paths: Paths; events: Events; log: Logger }

/** Read this box's licences: a trust store that cannot be read leaves every licence unverified. */
function reader(ctx: CheckContext, now: Date): (p: ProductId) => Registered[] {
  let o: VerifyOptions;
  try { o = verifyOptions(ctx.paths, now); } catch (e) {
    ctx.log.error((e as Error).message);
    o = { keys: [], keysDir: ctx.paths.trustedKeys, now, serial: readSerial(ctx.paths.serialFile) };
  }
  return (p) => {
    const entries = registered(ctx.paths.license, o, p);
    for (const e of entries) if (e.error) ctx.log.warn(`licence: ${e.error.message}`);
    return entries;
  };
}

/** The check the cluster daemon runs at start and daily: reports every licence the
 * configuration needs and says whether the cluster may run (FastSync is an option: without
 * it the mirror recovers by full copy, the cluster runs). */
export function checkLicences(ctx: CheckContext, now = new Date(), cpus = os.availableParallelism()): { ok: boolean; product: ProductId; why?: string } {
  const need = needed(ctx.config);
  const read = reader(ctx, now);
  const c = clusterVerdict(need.cluster, read, cpus);
  emitVerdict(ctx.events, 'rm', c.product, c.verdict);
  if (need.fastSync) emitVerdict(ctx.events, 'mdadm', 'FSO30', verdict(read('FSO30'), cpus));
  if (usable(c.verdict)) return { ok: true, product: c.product };
  const why = c.verdict.kind === 'none' ? 'not registered' : c.verdict.kind === 'expired' || c.verdict.kind === 'not-yet-valid' ? `trial ${c.verdict.kind} (${seedDate(c.verdict.date)})` : c.verdict.kind;
  return { ok: false, product: c.product, why: `the licence of ${c.product} is ${why} (clplcncs -l -p ${c.product})` };
}

/** Whether the mirror may recover differentially now (FSO30 usable); no events. */
export function fastSyncLicensed(ctx: CheckContext, now = new Date()): boolean {
  return usable(verdict(reader({ ...ctx, log: nullLogger }, now)('FSO30'), 1));
}
