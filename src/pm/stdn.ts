// Cluster shutdown (clpstdn; seed §9, §11.6): stop the groups on every server first (so that
// none fails over to a server about to go), then power every server off (or reboot it), this
// one last. Each server powers itself off through the one power path of the cluster daemon
// (pm/daemon.ts): cluster daemon stop, shutdown stall monitor, platform.
import { call, toServer, type ControlRegistry } from '../control/op';
import type { ControlReply, PeerControl } from '../control/types';
import { ev } from '../events/ids';
import type { Events } from '../events/types';
import { rcOps } from '../group/protocol';
import type { PowerAction } from '../platform/types';
import { clOps, pmOps } from './protocol';

export interface ClusterShutdownDeps {
  peer: PeerControl;
  local: string;
  servers: string[];
  events: Events;
  /** Stop every group active on this server. */
  stopGroups(): Promise<ControlReply>;
  /** Power this server off through the cluster daemon (stopDaemon, stall monitor, platform). */
  power(action: PowerAction, reason: string): Promise<void>;
}

/** The reply leaves before the runtime goes: power actions start after this delay. */
const REPLY_GRACE_MS = 200;

const requests = { shutdown: ev.pm.haltRequested, reboot: ev.pm.rebootRequested };

export function serveClusterShutdown(reg: ControlRegistry, d: ClusterShutdownDeps): void {
  const powerSoon = (action: 'shutdown' | 'reboot', from: string) => {
    d.events.emit(requests[action], from);
    setTimeout(() => { void d.power(action, `cluster ${action} requested by ${from}`); }, REPLY_GRACE_MS);
  };
  const actionOf = (a: { reboot: boolean }) => (a.reboot ? 'reboot' : 'shutdown');

  reg.serve(pmOps.power, async (a, origin) => {
    powerSoon(actionOf(a), origin.server ? `clpstdn on ${origin.server}` : 'clpstdn');
    return { code: 0 };
  });

  reg.serve(clOps.power, async (a) => {
    if (a.host === d.local) { powerSoon(actionOf(a), 'the web manager'); return { code: 0 }; }
    if (!d.servers.includes(a.host)) return { code: 2, message: `unknown server '${a.host.slice(0, 40)}' (servers: ${d.servers.join(', ')})` };
    return call(toServer(d.peer, a.host), pmOps.power, { reboot: a.reboot });
  });

  reg.serve(clOps.shutdown, async (a) => {
    const action = actionOf(a);
    const others = d.servers.filter((x) => x !== d.local);
    const lines: string[] = [];
    // A server that cannot be reached or fails is reported; the others go on.
    const note = async (server: string, reply: () => Promise<ControlReply>) => {
      try {
        const r = await reply();
        if (r.code) lines.push(`${server}: ${r.message ?? 'failed'}`);
      } catch (e) {
        lines.push(`${server}: ${(e as Error).message}`);
      }
    };
    for (const s of others) await note(s, () => call(toServer(d.peer, s), rcOps.stopAll, {}, 600000));
    await note(d.local, () => d.stopGroups());
    for (const s of others) await note(s, () => call(toServer(d.peer, s), pmOps.power, { reboot: action === 'reboot' }));
    powerSoon(action, 'clpstdn');
    return { code: lines.length ? 1 : 0, message: lines.join('\n') || undefined };
  });
}
