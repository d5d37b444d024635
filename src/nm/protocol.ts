// The ops the membership role (nm) serves: clpstat and clptoratio reach them over the local
// socket; nm.ratio also runs on the other servers (clptoratio acts on the whole cluster).
import { defineOp, noArgs, targetArgs, type Target } from '../control/op';
import type { MembershipStats } from './membership';
import type { MembershipView } from './types';

/** Either clear the ratio, or set it until an epoch time; on every server (all) or one (host). */
export type RatioArgs = Target & ({ clear: true } | { value: number; until: number });

export const nmOps = {
  view: defineOp<Record<string, never>, MembershipView>('nm.view', noArgs),
  stats: defineOp<Record<string, never>, MembershipStats>('nm.stats', noArgs),
  ratio: defineOp<RatioArgs>('nm.ratio', (a) => {
    const target = targetArgs(a);
    if (a.clear === true) return { ...target, clear: true };
    if (typeof a.value === 'number' && typeof a.until === 'number') return { ...target, value: a.value, until: a.until };
    return 'ratio needs value and until';
  }),
};
