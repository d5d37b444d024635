// The ops the group role (rc) serves: clpgrp and clpstat over the local socket, the other
// servers' group roles over the peer channel (a start, stop or move forwarded to the server
// holding the group, a failover). Who may call each op is part of its declaration.
import { defineOp, LONG_OP_MS, noArgs, optNumber, optString, type OpArgs } from '../control/op';
import type { Why } from '../resource';
import type { ClusterGroups, GroupStatus } from './types';

const whys: readonly Why[] = ['start', 'failover', 'move', 'restart', 'failback'];

const given = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** Arguments with a group, and whatever else the op takes. */
function withGroup<A extends object>(more: (a: OpArgs, group: string) => A | string) {
  return (a: OpArgs): (A & { group: string }) | string => {
    const group = given(a.group);
    if (!group) return 'group is missing';
    const rest = more(a, group);
    return typeof rest === 'string' ? rest : { ...rest, group };
  };
}

export interface NotifyArgs { group: string; active: boolean; failovers: number; handover: boolean }
/** released: the calling server has just stopped the group to hand it over (a failover or a
 *  move); the target forgets it as that server's, whatever news of the stop is still on its way. */
export interface StartArgs { group: string; host?: string; why: Why; failovers: number; released?: boolean }

export const rcOps = {
  status: defineOp<Record<string, never>, Array<GroupStatus & { failovers: number }>>('rc.status', noArgs),
  notify: defineOp<NotifyArgs>('rc.notify', (a) => (typeof a.group === 'string'
    ? { group: a.group, active: a.active === true, failovers: optNumber(a.failovers) ?? 0, handover: a.handover === true }
    : 'rc.notify needs a peer and a group'), { from: 'peer' }),
  /** A why other than the known ones is a plain start, as clpgrp -s sends none. */
  start: defineOp<StartArgs>('rc.start', withGroup((a) => ({
    host: optString(a.host), why: whys.includes(a.why as Why) ? (a.why as Why) : 'start', failovers: optNumber(a.failovers) ?? 0, released: a.released === true,
  })), { timeoutMs: LONG_OP_MS }),
  stop: defineOp<{ group: string; host?: string }>('rc.stop', withGroup((a) => ({ host: optString(a.host) })), { timeoutMs: LONG_OP_MS }),
  move: defineOp<{ group: string; host: string }>('rc.move', withGroup((a) => {
    const host = given(a.host);
    return host ? { host } : 'host is missing';
  }), { timeoutMs: LONG_OP_MS }),
  cluster: defineOp<Record<string, never>, ClusterGroups>('rc.cluster', noArgs),
  /** Stop every group active on the server (clpstdn on another server, before the power
   * actions; clpstdn here stops them directly). */
  stopAll: defineOp<Record<string, never>>('rc.stopall', noArgs, { from: 'peer', timeoutMs: LONG_OP_MS }),
};
