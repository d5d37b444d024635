// Placement rules, pure: where a group starts, where it fails over to, and who keeps it
// when it is found active on more than one server (seed §10.7).

/** The first server of the failover policy that is up. */
export function firstLive(policy: string[], isUp: (s: string) => boolean, exclude: string[] = []): string | undefined {
  return policy.find((s) => !exclude.includes(s) && isUp(s));
}

/**
 * Of the servers a group is active on, the one that keeps it: the earliest in the cluster's
 * server priority order. Every server computes the same answer from the same facts, so
 * exactly one keeps the group and every other yields.
 */
export function keeper(holders: string[], serverOrder: string[]): string {
  return [...holders].sort((a, b) => rank(a, serverOrder) - rank(b, serverOrder))[0];
}
const rank = (s: string, order: string[]) => { const i = order.indexOf(s); return i < 0 ? Number.MAX_SAFE_INTEGER : i; };
