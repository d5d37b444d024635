// The cluster daemon (the seed's pm): starts and stops the core roles (nm, rc, rm) with
// clpcl -s / -t, and is the one power path of the server: stop the groups and the daemon,
// leave the watchdog armed, then the platform's power action (seed §10).
import type { RuntimeContext } from '../core/context';
import type { Role } from '../core/context';
import type { ControlReply, PeerControl } from '../control/types';
import { GroupManager } from '../group/manager';
import { MonitorManager } from '../monitor/manager';
import type { MonitorState } from '../monitor/protocol';
import { WatchdogKeeper } from '../monitor/userw';
import { Membership } from '../nm/membership';
import type { PowerAction } from '../platform/types';
import { type FaultState, RoleFailure, stall } from './faults';
import { ev } from '../events/ids';
import { checkLicences } from '../licence/check';
import { DailyCheck } from './daily';
import type { DaemonPhase } from './protocol';


const ok = (): ControlReply => ({ code: 0 });

export class ClusterDaemon {
  membership?: Membership;
  rc?: GroupManager;
  rm?: MonitorManager;
  private watchdog?: WatchdogKeeper;
  private roles: Role[] = [];
  /** Starting and stopping take seconds (the roles' start, the groups' stop): a second start
   * in between must join the first, not build a second set of roles in the same process (two
   * memberships, two group managers: a double activation, seen in the lab campaign). */
  private phase: DaemonPhase = 'stopped';
  private starting?: Promise<ControlReply>;
  private stopping?: Promise<ControlReply>;
  private stopWhenStarted = false;
  private poweringOff = false;
  /** The licence is checked again as each day begins (a trial ends with its last day). */
  private readonly licenceCheck = new DailyCheck(() => this.recheckLicence());

  /** `reload` runs before each start and re-reads clp.conf into ctx (seed §6.1.5: the start
   * uses the pushed configuration); a reason refuses the start. */
  constructor(private readonly ctx: RuntimeContext, private readonly peer: PeerControl, private readonly faults: FaultState,
    private readonly reload?: () => Promise<string | undefined>) {}

  get isRunning(): boolean { return this.phase === 'running'; }
  get state(): DaemonPhase { return this.phase; }

  async start(): Promise<ControlReply> {
    if (this.phase === 'starting') return this.starting!;
    if (this.phase === 'running') return { code: 0, message: 'the cluster daemon is already running' };
    if (this.phase === 'stopping') await this.stopping;
    if (this.phase !== 'stopped') return this.start(); // another caller started it meanwhile
    this.phase = 'starting';
    // A start that failed left no role running.
    this.starting = this.startRoles()
      .then((r) => { if (r.code) this.phase = 'stopped'; return r; })
      .finally(() => { this.starting = undefined; });
    return this.starting;
  }

  private async startRoles(): Promise<ControlReply> {
    const refused = await this.reload?.();
    if (refused) return { code: 1, message: `the cluster daemon did not start: ${refused}` };
    const { events, log, config } = this.ctx;
    // Seed §11.1 (8): the licence check; without a valid cluster licence the cluster stops (rm 57).
    const licence = checkLicences(this.ctx);
    if (!licence.ok) {
      events.emit(ev.rm.clusterStopForLicense, licence.product);
      log.error(licence.why!);
      return { code: 1, message: `the cluster daemon did not start: ${licence.why}` };
    }
    const membership = new Membership(this.ctx);
    const actions = {
      stopDaemon: async () => { await this.stop(); },
      power: (action: PowerAction, reason: string) => this.power(action, reason),
    };
    this.membership = membership;
    this.rc = new GroupManager(this.ctx, membership, this.peer, actions);
    this.rm = new MonitorManager(this.ctx, this.rc, actions, (s) => membership.isUp(s));
    this.roles = [membership, this.rc, this.rm];
    for (const role of this.roles) {
      try {
        await role.start();
      } catch (e) {
        events.emit(ev.pm.processInitFailed, role.type, 1);
        log.error(`${role.type}: ${(e as Error).message}`);
        await this.stopRoles();
        return { code: 1, message: `${role.type} failed to start: ${(e as Error).message}` };
      }
    }
    this.phase = 'running';
    if (config.watchdog.enabled) {
      this.watchdog = new WatchdogKeeper(this.ctx.paths.watchdog, config.watchdog.margin, events, log.child('rm'));
      this.watchdog.start();
    }
    events.emit(ev.pm.daemonStarted);
    this.licenceCheck.start();
    if (this.stopWhenStarted) {
      this.stopWhenStarted = false;
      await this.stop();
      return { code: 0, message: 'the cluster daemon started and was stopped at once, as asked meanwhile' };
    }
    return ok();
  }

  /** A stop asked while the daemon starts (a role's final action, clpcl -t) is done as soon as
   * the start completes; not awaited here, as a role asking it from its own start would wait
   * for itself. */
  async stop(): Promise<ControlReply> {
    switch (this.phase) {
      case 'stopped': return { code: 0, message: 'the cluster daemon is not running' };
      // Not awaited: a role's final action during the stop (a deactivation failure, seed
      // §10.4, powers the server off through here) would wait for the stop that waits for it.
      case 'stopping': return { code: 0, message: 'the cluster daemon is stopping' };
      case 'starting':
        this.stopWhenStarted = true;
        return { code: 0, message: 'the cluster daemon is starting: it stops as soon as its start completes' };
    }
    this.phase = 'stopping';
    this.stopping = this.stopRunning().finally(() => { this.stopping = undefined; });
    return this.stopping;
  }

  private async stopRunning(): Promise<ControlReply> {
    this.ctx.events.emit(ev.pm.daemonShuttingDown);
    this.licenceCheck.stop();
    await this.stopRoles();
    // Powering off, the watchdog stays armed: a stalled shutdown is reset (seed §10.6).
    if (!this.poweringOff) this.watchdog?.stop();
    this.watchdog = undefined;
    this.phase = 'stopped';
    return ok();
  }

  /** The daily check: a licence that lapsed while running stops the cluster (rm 57, else rm 58). */
  async recheckLicence(now = new Date()): Promise<void> {
    if (this.phase !== 'running') return;
    const licence = checkLicences(this.ctx, now);
    if (licence.ok) return;
    this.ctx.events.emit(ev.rm.clusterStopForLicense, licence.product);
    this.ctx.log.error(licence.why!);
    const groups = await this.stopGroups().catch((e: Error) => ({ code: 1, message: e.message }));
    await this.stop();
    if (groups.code) {
      this.ctx.events.emit(ev.rm.clusterStopForLicenseIncomplete, licence.product);
      this.ctx.log.error(`licence stop: ${groups.message ?? 'groups did not stop'}`);
    }
  }

  /** This server's monitors: userw (the watchdog) and rm's. */
  monitorStates(): MonitorState[] {
    return [...(this.watchdog ? [{ name: 'userw', type: 'userw', state: this.watchdog.state }] : []), ...(this.rm?.status() ?? [])];
  }

  /** Stop every group active here (cluster shutdown); failures are reported, not fatal. */
  async stopGroups(): Promise<ControlReply> {
    return this.rc ? this.rc.stopAll() : ok();
  }

  private async stopRoles(): Promise<void> {
    for (const role of [...this.roles].reverse()) {
      try { await role.stop(); } catch (e) { this.ctx.log.error(`${role.type}: stop: ${(e as Error).message}`); }
    }
    this.roles = [];
    this.membership = undefined;
    this.rc = undefined;
    this.rm = undefined;
  }

  /** Stop the cluster daemon (groups first), then power off or reboot (seed §10.1, §10.2, §10.7).
   * userw feeds the watchdog while the groups stop (a stall there is §10.5); from the OS
   * shutdown on it stays armed without feeding: the shutdown stall monitor (§10.6). */
  async power(action: PowerAction, reason: string): Promise<void> {
    if (this.poweringOff) return;
    this.poweringOff = true;
    this.ctx.log.warn(`${action}: ${reason}`);
    this.ctx.events.emit(action === 'reboot' ? ev.pm.systemWillReboot : ev.pm.systemWillHalt);
    const watchdog = this.watchdog; // stop() forgets it but, powering off, leaves it open
    this.rc?.prepareHandOver();
    await this.stop();
    if (watchdog) { watchdog.leaveArmed(); this.ctx.events.emit(ev.pm.stallMonitorStarted); }
    await this.ctx.platform.power(action, reason);
    if (this.faults.stallShutdown) stall(600000);
  }

  /** A core role failed inside the process (seed §10.3): stop the groups, then shut down. */
  async emergency(e: unknown): Promise<void> {
    const role = e instanceof RoleFailure ? e.role : 'rc';
    this.ctx.log.error(`emergency shutdown: ${(e as Error)?.stack ?? String(e)}`);
    this.ctx.events.emit(ev.pm.processExitedAbnormally, role);
    await this.power('shutdown', `${role} failed: ${(e as Error)?.message ?? String(e)}`);
  }
}
