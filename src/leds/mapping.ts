// The front panel: what each LED shows for each state of the box (docs/leds.md).
// Data, not code: change the table to change the panel.
import type { MembershipView } from '../nm/types';

export type LedRoleName = 'run' | 'status' | 'statusError' | 'mirror' | 'mirrorError';
export type LedSetting = { mode: 'off' } | { mode: 'on' } | { mode: 'blink'; onMs: number; offMs: number };

export type StatusState = 'normal' | 'warning' | 'error';
/** The mirror's colour (seed §11.10): GREEN, YELLOW while recovering, RED when broken. */
export type MirrorState = 'none' | 'green' | 'recovering' | 'red';

export interface PanelState { daemon: boolean; status: StatusState; mirror: MirrorState }

const OFF: LedSetting = { mode: 'off' };
const ON: LedSetting = { mode: 'on' };
const BLINK: LedSetting = { mode: 'blink', onMs: 500, offMs: 500 };

export const runLed: Record<'running' | 'stopped', LedSetting> = { running: ON, stopped: OFF };
export const statusLeds: Record<StatusState, { status: LedSetting; statusError: LedSetting }> = {
  normal: { status: ON, statusError: OFF },
  warning: { status: BLINK, statusError: OFF },
  error: { status: OFF, statusError: ON },
};
export const mirrorLeds: Record<MirrorState, { mirror: LedSetting; mirrorError: LedSetting }> = {
  none: { mirror: OFF, mirrorError: OFF },
  green: { mirror: ON, mirrorError: OFF },
  recovering: { mirror: BLINK, mirrorError: OFF },
  red: { mirror: OFF, mirrorError: ON },
};

export function panel(s: PanelState): Record<LedRoleName, LedSetting> {
  // With the cluster daemon stopped nothing is known about the cluster: status shows error.
  const status = s.daemon ? s.status : 'error';
  return { run: runLed[s.daemon ? 'running' : 'stopped'], ...statusLeds[status], ...mirrorLeds[s.mirror] };
}

/**
 * The status the cluster shows on this server: normal when every server is Online with every
 * heartbeat up, warning when a heartbeat or a server is down. Error (a group or resource in
 * error) is not in the membership view: the runtime reports it in PanelState.status.
 */
export function statusOf(v: MembershipView): 'normal' | 'warning' {
  const row = v.matrix[v.servers.findIndex((x) => x.name === v.local)] ?? [];
  if (v.servers.some((x) => x.status === 'Offline')) return 'warning';
  if (row.some((cells) => cells.some((c) => c === 'x'))) return 'warning';
  return 'normal';
}
