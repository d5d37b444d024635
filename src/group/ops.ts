// Control operations of the group role: clpgrp and clpstat reach them over the local
// socket, other servers over the peer channel. A request for a group held elsewhere is
// forwarded to the server holding it.
import type { PeerControl, ControlReply } from '../control/types';
import type { Registry } from '../control/registry';
import type { Why } from '../resource';
import type { GroupManager } from './manager';
import type { ClusterGroups, GroupStatus } from './types';

const whys: readonly Why[] = ['start', 'failover', 'move', 'restart', 'failback'];

export interface GroupOpsDeps {
  registry: Registry;
  peer: PeerControl;
  local: string;
  servers: string[];
  /** The running group role, or undefined while the cluster daemon is stopped. */
  rc: () => GroupManager | undefined;
  /** The monitors' states here (clpstat). */
  monitors: () => Array<{ name: string; type: string; state: string }>;
  isUp: (server: string) => boolean;
}

export function registerGroupOps(d: GroupOpsDeps): void {
  const need = (): GroupManager => {
    const rc = d.rc();
    if (!rc) throw new Error('the cluster daemon is not running');
    return rc;
  };
  const str = (v: unknown, what: string): string => {
    if (typeof v !== 'string' || !v) throw new Error(`${what} is missing`);
    return v;
  };
  const forward = (server: string, op: string, args: Record<string, unknown>): Promise<ControlReply> => {
    if (!d.servers.includes(server)) return Promise.resolve({ code: 2, message: `unknown server '${server}'` });
    return d.peer.request(server, { op, args });
  };
  const r = d.registry;

  r.register('rc.status', async () => ({ code: 0, data: need().status() }));
  r.register('rc.notify', async (a, origin) => {
    if (!origin.server || typeof a.group !== 'string') return { code: 2, message: 'rc.notify needs a peer and a group' };
    need().noted(origin.server, a.group, a.active === true, typeof a.failovers === 'number' ? a.failovers : 0, a.handover === true);
    return { code: 0 };
  });
  r.register('rc.start', async (a) => {
    const rc = need();
    const group = str(a.group, 'group');
    if (typeof a.host === 'string' && a.host !== d.local) return forward(a.host, 'rc.start', { group, why: a.why, failovers: a.failovers });
    const why = whys.includes(a.why as Why) ? (a.why as Why) : 'start';
    if (why === 'start') await rc.refresh();
    return rc.startGroup(group, why, typeof a.failovers === 'number' ? a.failovers : 0);
  });
  r.register('rc.stop', async (a) => {
    const rc = need();
    const group = str(a.group, 'group');
    await rc.refresh();
    const host = typeof a.host === 'string' ? a.host : rc.holder(group) ?? d.local;
    if (host !== d.local) return forward(host, 'rc.stop', { group, host });
    return rc.stopGroup(group);
  });
  r.register('rc.move', async (a) => {
    const rc = need();
    const group = str(a.group, 'group');
    const target = str(a.host, 'host');
    if (!d.servers.includes(target)) return { code: 2, message: `unknown server '${target}'` };
    await rc.refresh();
    const holder = rc.holder(group);
    if (!holder) return { code: 3, message: `group ${group} is not active` };
    if (holder === target) return { code: 0, message: `group ${group} is already active on ${target}` };
    if (holder !== d.local) return forward(holder, 'rc.move', { group, host: target });
    return rc.moveGroup(group, target);
  });
  r.register('rc.cluster', async () => ({ code: 0, data: await clusterGroups(d, need()) }));
  r.register('rm.status', async () => ({ code: 0, data: d.monitors() }));
}

/** Every live server's groups and monitors, merged for clpstat. */
async function clusterGroups(d: GroupOpsDeps, rc: GroupManager): Promise<ClusterGroups> {
  const per: Array<{ server: string; groups: GroupStatus[]; monitors: Array<{ name: string; type: string; state: string }> }> = [
    { server: d.local, groups: rc.status(), monitors: d.monitors() },
  ];
  for (const s of d.servers.filter((x) => x !== d.local && d.isUp(x))) {
    try {
      const g = await d.peer.request(s, { op: 'rc.status' }, 3000);
      const m = await d.peer.request(s, { op: 'rm.status' }, 3000);
      per.push({ server: s, groups: g.code === 0 ? (g.data as GroupStatus[]) : [], monitors: m.code === 0 ? (m.data as ClusterGroups['monitors']) : [] });
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
