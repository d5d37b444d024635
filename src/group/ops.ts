// Serving the group role's ops: clpgrp and clpstat reach them over the local socket, other
// servers over the peer channel. A request for a group held elsewhere is forwarded to the
// server holding it.
import { call, toServer, type ControlRegistry, type Op } from '../control/op';
import type { ControlReply, PeerControl } from '../control/types';
import { rmOps, type MonitorState } from '../monitor/protocol';
import type { GroupManager } from './manager';
import { rcOps } from './protocol';
import type { ClusterGroups, GroupStatus } from './types';

export interface GroupOpsDeps {
  peer: PeerControl;
  local: string;
  servers: string[];
  /** The running group role, or undefined while the cluster daemon is stopped. */
  rc: () => GroupManager | undefined;
  /** The monitors' states here (clpstat). */
  monitors: () => MonitorState[];
  isUp: (server: string) => boolean;
}

export function serveGroupOps(r: ControlRegistry, d: GroupOpsDeps): void {
  const need = (): GroupManager => {
    const rc = d.rc();
    if (!rc) throw new Error('the cluster daemon is not running');
    return rc;
  };
  const forward = <A extends object>(server: string, op: Op<A, unknown>, args: A): Promise<ControlReply> => {
    if (!d.servers.includes(server)) return Promise.resolve({ code: 2, message: `unknown server '${server}'` });
    return call(toServer(d.peer, server), op, args);
  };

  r.serve(rcOps.status, async () => ({ code: 0, data: need().status() }));
  r.serve(rcOps.notify, async (a, origin) => {
    if (!origin.server) return { code: 2, message: 'rc.notify needs a peer and a group' };
    need().noted(origin.server, a.group, a.active, a.failovers, a.handover);
    return { code: 0 };
  });
  r.serve(rcOps.start, async ({ group, host, why, failovers, released }, origin) => {
    const rc = need();
    if (host !== undefined && host !== d.local) return forward(host, rcOps.start, { group, why, failovers });
    if (why === 'start') await rc.refresh();
    // The sender's own word that it no longer holds the group: its notify of the stop can
    // arrive after this request (finding 25, docs/reliability.md).
    if (released && origin.server) rc.noted(origin.server, group, false, failovers);
    return rc.startGroup(group, why, failovers);
  });
  r.serve(rcOps.stop, async ({ group, host }) => {
    const rc = need();
    await rc.refresh();
    const holder = host ?? rc.holder(group) ?? d.local;
    if (holder !== d.local) return forward(holder, rcOps.stop, { group, host: holder });
    return rc.stopGroup(group);
  });
  r.serve(rcOps.move, async ({ group, host: target }) => {
    const rc = need();
    if (!d.servers.includes(target)) return { code: 2, message: `unknown server '${target}'` };
    await rc.refresh();
    const holder = rc.holder(group);
    if (!holder) return { code: 3, message: `group ${group} is not active` };
    if (holder === target) return { code: 0, message: `group ${group} is already active on ${target}` };
    if (holder !== d.local) return forward(holder, rcOps.move, { group, host: target });
    return rc.moveGroup(group, target);
  });
  r.serve(rcOps.cluster, async () => ({ code: 0, data: await clusterGroups(d, need()) }));
  // A server whose daemon is stopped has no group to stop.
  r.serve(rcOps.stopAll, async () => d.rc()?.stopAll() ?? { code: 0 });
}

/** Every live server's groups and monitors, merged for clpstat. */
async function clusterGroups(d: GroupOpsDeps, rc: GroupManager): Promise<ClusterGroups> {
  const per: Array<{ server: string; groups: GroupStatus[]; monitors: MonitorState[] }> = [
    { server: d.local, groups: rc.status(), monitors: d.monitors() },
  ];
  for (const s of d.servers.filter((x) => x !== d.local && d.isUp(x))) {
    try {
      const g = await call(toServer(d.peer, s), rcOps.status, {}, 3000);
      const m = await call(toServer(d.peer, s), rmOps.status, {}, 3000);
      per.push({ server: s, groups: g.code === 0 ? g.data ?? [] : [], monitors: m.code === 0 ? m.data ?? [] : [] });
    } catch { /* unreachable now: shown by the server list */ }
  }
  const groups = rc.status().map((local) => {
    const on = per.filter((p) => p.groups.some((g) => g.name === local.name && g.state !== 'Offline'));
    const shown = on.length ? on[0].groups.find((g) => g.name === local.name)! : local;
    return { name: local.name, state: shown.state, current: on.map((p) => p.server), resources: shown.resources };
  });
  const monitors = per.flatMap((p) => p.monitors.map((m) => ({ ...m, server: p.server })));
  return { groups, monitors };
}
