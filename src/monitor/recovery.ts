// Recovery after a monitor failure (seed §10.2, rm events 12-25): restart the target up to
// restart_count times, then fail its group over (within the failover threshold), then the
// monitor's final action. Counts are per activation of the group on this server.
import type { FinalAction, MonitorConfig } from '../config/types';
import { ev } from '../events/ids';
import type { Events } from '../events/types';
import { runFinalAction, type ServerActions } from '../group/actions';
import type { GroupPort } from '../group/types';

export class Recovery {
  private readonly restarts = new Map<string, number>();

  constructor(private readonly rc: GroupPort, private readonly events: Events, private readonly actions: ServerActions) {}

  /** Forget the counts of a monitor (its group went inactive here). */
  reset(monitor: string): void { this.restarts.delete(monitor); }

  async recover(m: MonitorConfig): Promise<void> {
    const target = m.recoveryTarget ?? m.targetGroup;
    const act = m.recoveryAction;
    if (act === 'none') return;
    if (act === 'stop-daemon') { this.events.emit(ev.rm.clusterStopForFailure, m.name); return this.actions.stopDaemon(`monitor ${m.name}`); }
    if (act === 'shutdown' || act === 'reboot') {
      this.events.emit(act === 'shutdown' ? ev.rm.haltForFailure : ev.rm.rebootForFailure, m.name);
      return this.actions.power(act, `monitor ${m.name}`);
    }
    const group = target && this.rc.groupOf(target);
    if (!target || !group) { this.events.emit(ev.rm.groupUnknown, m.name); return; }
    if (!this.rc.isActive(group)) { this.events.emit(ev.rm.targetNotOnline, group); return; }
    const done = this.restarts.get(m.name) ?? 0;
    if (act === 'restart' && done < m.restartCount) {
      this.restarts.set(m.name, done + 1);
      this.events.emit(ev.rm.restartedForFailure, target, m.name);
      const ok = target === group ? await this.rc.restartGroup(group) : await this.rc.restartResource(group, target);
      if (!ok) this.events.emit(ev.rm.restartForFailureIncomplete, target, m.name);
      return;
    }
    const threshold = target === group ? 1 : this.rc.failoverThreshold(group, target)!;
    const r = await this.rc.failoverGroup(group, threshold);
    if (r === 'done') { this.restarts.delete(m.name); this.events.emit(ev.rm.failedOverForFailure, group, m.name); return; }
    if (r === 'failed' || r === 'failed-there') { this.events.emit(ev.rm.failoverForFailureIncomplete, group, m.name); return; }
    await this.finalAction(m.finalAction, group, m.name);
  }

  private async finalAction(action: FinalAction, group: string, monitor: string): Promise<void> {
    if (action === 'stop-group') this.events.emit(ev.rm.stoppedForFailure, group, monitor);
    await runFinalAction(action, `monitor ${monitor}`, async () => { await this.rc.stopGroup(group); }, this.actions);
  }
}
