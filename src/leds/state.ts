// What the front panel shows, computed from the runtime's live state: the cluster daemon,
// the membership view, this server's groups and monitors, and the mirror's local colour.
import type { GroupStatus } from '../group/types';
import type { LiscalStatus } from '../mirror/liscal-status';
import type { MembershipView } from '../nm/types';
import { statusOf, type MirrorState, type PanelState, type StatusState } from './mapping';

export interface LiveState {
  daemon: boolean;
  /** The membership view (absent while the cluster daemon is stopped). */
  view?: MembershipView;
  /** This server's groups (rc). */
  groups: GroupStatus[];
  /** This server's monitors (rm, userw). */
  monitors: Array<{ state: string }>;
  /** The mirror: absent without md resources; per md resource the local driver status. */
  mirror?: { running: boolean; disks: Array<LiscalStatus | undefined> };
}

export function panelState(s: LiveState): PanelState {
  return { daemon: s.daemon, status: s.daemon ? clusterStatus(s) : 'error', mirror: mirrorState(s.mirror) };
}

/** Error: a group or resource of this server in Error. Warning: a server or a heartbeat down
 * (statusOf), or a monitor in Error. */
export function clusterStatus(s: LiveState): StatusState {
  if (s.groups.some((g) => g.state === 'Error' || g.resources.some((r) => r.state === 'Error'))) return 'error';
  if (s.view && statusOf(s.view) === 'warning') return 'warning';
  if (s.monitors.some((m) => m.state === 'Error')) return 'warning';
  return 'normal';
}

/** The worst of the mirror disks, as the local driver reports them (seed §11.10 colours):
 * RED, or a disk the driver does not hold (agent down, not bound, I/O error), is broken;
 * YELLOW or a running recovery is recovering; GREEN on every disk is green. */
export function mirrorState(m: LiveState['mirror']): MirrorState {
  if (!m) return 'none';
  const states = m.disks.map((d): MirrorState => {
    if (!m.running || !d || !d.bound || d.diskErr || d.color === 'RED' || d.color === '--') return 'red';
    if (d.color === 'YELLOW' || d.state === 'RECOVERING' || recovering.includes(d.recovery)) return 'recovering';
    return 'green';
  });
  for (const worst of ['red', 'recovering'] as const) if (states.includes(worst)) return worst;
  return states.length ? 'green' : 'none';
}

const recovering: Array<LiscalStatus['recovery']> = ['full-send', 'diff-send', 'recv'];

/** The mirror part of LiveState from the mirror agent: its md resources' NMPs in the driver. */
export function mirrorDisks(agent: { running: boolean; localStatuses(): Array<LiscalStatus | undefined> }): LiveState['mirror'] {
  return { running: agent.running, disks: agent.localStatuses() };
}
