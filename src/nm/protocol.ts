// The ops the membership role (nm) serves: clpstat and clptoratio reach them over the local
// socket; nm.ratio also runs on the other servers (clptoratio acts on the whole cluster): from
// another server it is that server's fan-out and runs here only (control/fan-out.ts).
import { defineOp, noArgs, shown, targetArgs, type Target } from '../control/op';
import type { MembershipStats } from './membership';
import type { MembershipView } from './types';

/** Either clear the ratio, or set it until an epoch time; on every server (all) or one (host). */
export type RatioArgs = Target & ({ clear: true } | { value: number; until: number });

/** clptoratio's bounds (-r: a whole number from 1 to 10000); 0 would time out every peer. */
export const RATIO_MAX = 10000;
const isRatio = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= RATIO_MAX;
/** An end in the future, and not past what a year's period gives (with slack for clocks). */
const YEAR_MS = 366 * 86_400_000;
const isUntil = (v: unknown, now = Date.now()): v is number => typeof v === 'number' && Number.isFinite(v) && v > now && v <= now + YEAR_MS;

export const nmOps = {
  view: defineOp<Record<string, never>, MembershipView>('nm.view', noArgs),
  stats: defineOp<Record<string, never>, MembershipStats>('nm.stats', noArgs),
  ratio: defineOp<RatioArgs>('nm.ratio', (a) => {
    const target = targetArgs(a);
    if (a.clear === true) return { ...target, clear: true };
    if (a.value === undefined || a.until === undefined) return 'ratio needs value and until';
    if (!isRatio(a.value)) return `invalid ratio '${shown(a.value)}' (a whole number from 1 to ${RATIO_MAX})`;
    if (!isUntil(a.until)) return `invalid end time '${shown(a.until)}' (a time in the coming year)`;
    return { ...target, value: a.value, until: a.until };
  }),
};
