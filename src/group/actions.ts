// Final actions (seed §10.1, §10.2): what happens when recovery has run out. The group role
// is given the two ways out of the process; it never powers the box off by itself.
import type { FinalAction } from '../config/types';
import type { PowerAction } from '../platform/types';

export interface ServerActions {
  /** Stop the cluster daemon (every group stops first). */
  stopDaemon(reason: string): Promise<void>;
  /** Stop the cluster daemon, then power the server off/reboot it (seed §10.1). */
  power(action: PowerAction, reason: string): Promise<void>;
}

export type GroupStopper = () => Promise<void>;

/** Run a final action; stop-group is the caller's own stop of the group. */
export async function runFinalAction(action: FinalAction, reason: string, stopGroup: GroupStopper, a: ServerActions): Promise<void> {
  switch (action) {
    case 'none': return;
    case 'stop-group': return stopGroup();
    case 'stop-daemon': return a.stopDaemon(reason);
    case 'shutdown': return a.power('shutdown', reason);
    case 'reboot': return a.power('reboot', reason);
  }
}
