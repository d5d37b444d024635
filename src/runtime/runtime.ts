// The runtime process: the seed's daemons as roles of one process. The transaction role
// (control sockets: the seed's clptrnsv) runs as long as the process; the cluster daemon
// (nm, and rc/rm as they join) starts and stops with clpcl -s / -t, so that `clpcl -s -a`
// can reach a server whose daemon is stopped, as the seed's procedures need.
import type { ClusterConfig, ServerConfig } from '../config/types';
import type { Paths } from '../constants';
import type { RuntimeContext } from '../core/context';
import { LocalControl } from '../control/local';
import { PeerClient, PeerServer } from '../control/peer';
import { Registry } from '../control/registry';
import type { ControlReply } from '../control/types';
import type { EventBus } from '../events/bus';
import { ev } from '../events/ids';
import { serveAlertOps } from '../events/ops';
import type { AlertLog } from '../events/sinks/alert';
import { AlertSync } from '../events/sync/alert-sync';
import type { GroupManager } from '../group/manager';
import { serveGroupOps } from '../group/ops';
import { fastSyncLicensed } from '../licence/check';
import { LedRole, mirrorDisks, panelState } from '../leds';
import type { Logger } from '../logger';
import { serveLogOps } from '../logs/ops';
import { defaultAgentOptions, MirrorAgent } from '../mirror/agent';
import { serveMirrorOps } from '../mirror/ops';
import type { MonitorManager } from '../monitor/manager';
import { serveMonitorOps } from '../monitor/ops';
import type { Membership } from '../nm/membership';
import { serveMembershipOps } from '../nm/ops';
import type { Platform, PowerAction } from '../platform/types';
import { ClusterDaemon } from '../pm/daemon';
import { type FaultState, serveFaults } from '../pm/faults';
import { serveDaemonOps } from '../pm/ops';
import { serveClusterShutdown } from '../pm/stdn';

export interface RuntimeDeps {
  config: ClusterConfig;
  local: ServerConfig;
  key: Buffer;
  bootId: Buffer;
  paths: Paths;
  log: Logger;
  platform: Platform;
  events: EventBus;
  /** The local alert log; when given, it is synchronised with the peers (ports.alertSync). */
  alert?: AlertLog;
  /** Serve the `fault` op on the local socket (tests; PAIRHA_FAULTS=1). */
  faults?: boolean;
  /** Steps the wall clock (the clock-step fault; pm/faults.ts). */
  stepClock?: (ms: number) => void;
}

/** Assembles the roles and wires their collaborators; every op is served by its role's module. */
export class Runtime {
  readonly registry = new Registry();
  readonly peer: PeerClient;
  private readonly localControl: LocalControl;
  private readonly peerServer: PeerServer;
  readonly alertSync?: AlertSync;
  private readonly ctx: RuntimeContext;
  /** The cluster daemon (pm): nm, rc and rm, started and stopped with clpcl -s / -t. */
  private readonly daemon: ClusterDaemon;
  /** The mirror agent (seed's clpmdagent): runs with the process, like the seed's clusterpro_md
   * service, so that clpmdctrl --active works while the cluster daemon cannot start (§11.8.1). */
  readonly mirror?: MirrorAgent;
  /** The front panel (seed-less; docs/leds.md): runs with the process, shows the daemon's state. */
  private readonly leds: LedRole;
  private readonly faults: FaultState;
  /** Resolves when the process should exit (stop requested or power action recorded). */
  readonly exited: Promise<void>;
  private exit!: () => void;

  constructor(private readonly d: RuntimeDeps) {
    const c = d.config;
    this.faults = { stallShutdown: false, stepClock: d.stepClock };
    this.ctx = { config: c, local: d.local, key: d.key, bootId: d.bootId, paths: d.paths, events: d.events, log: d.log, platform: d.platform };
    const lanAddrs = (server: string) => c.heartbeats.flatMap((h) => (h.type === 'lanhb' && h.addresses[server] ? [h.addresses[server]] : []));
    this.localControl = new LocalControl(d.paths.controlSocket, this.registry);
    const peerAddrs = c.servers.filter((s) => s.name !== d.local.name).flatMap((s) => lanAddrs(s.name));
    this.peerServer = new PeerServer(lanAddrs(d.local.name), c.ports.internal, d.key, d.local.name, c.servers.map((s) => s.name), this.registry, d.log.child('trnsv'), '', { peerAddresses: peerAddrs });
    this.peer = new PeerClient(d.local.name, lanAddrs, c.ports.internal, d.key, c.timeouts.internal);
    if (d.alert && c.alert.sync) {
      const links = c.heartbeats.flatMap((h) => (h.type === 'lanhb' && h.addresses[d.local.name]
        ? [{ local: h.addresses[d.local.name], peers: Object.fromEntries(Object.entries(h.addresses).filter(([n]) => n !== d.local.name)) }] : []));
      this.alertSync = new AlertSync({ cluster: c.cluster.name, server: d.local.name, servers: c.servers.map((s) => s.name), bootId: d.bootId, key: d.key, port: c.ports.alertSync, links, alert: d.alert, log: d.log.child('alertsync') });
    }
    this.exited = new Promise((r) => { this.exit = r; });
    if (c.resources.some((r) => r.type === 'md')) {
      this.mirror = new MirrorAgent(this.ctx, { ...defaultAgentOptions, fastSync: () => fastSyncLicensed(this.ctx), onFatal: (why) => { void this.mirrorDied(why); } });
      this.ctx.mirror = this.mirror;
    }
    const daemon = this.daemon = new ClusterDaemon(this.ctx, this.peer, this.faults);
    this.leds = new LedRole({
      config: c.leds, root: d.paths.leds, log: d.log.child('leds'),
      state: () => panelState({
        daemon: daemon.isRunning, view: daemon.membership?.view(), groups: daemon.rc?.status() ?? [],
        monitors: daemon.monitorStates(), mirror: this.mirror && mirrorDisks(this.mirror),
      }),
    });
    this.serveOps();
  }

  get daemonRunning(): boolean { return this.daemon.isRunning; }
  get membership(): Membership | undefined { return this.daemon.membership; }
  get rc(): GroupManager | undefined { return this.daemon.rc; }
  get rm(): MonitorManager | undefined { return this.daemon.rm; }

  /** Start the process: control channels, then the cluster daemon. */
  async start(startDaemon = true): Promise<void> {
    await this.localControl.start();
    await this.peerServer.start();
    await this.alertSync?.start();
    // A mirror agent that cannot start has said why (mdagent event 2); the rest still runs.
    await this.mirror?.start().catch((e: Error) => this.d.log.error(e.message));
    await this.leds.start();
    if (startDaemon) await this.startDaemon();
  }

  startDaemon(): Promise<ControlReply> { return this.daemon.start(); }
  stopDaemon(): Promise<ControlReply> { return this.daemon.stop(); }
  /** The cluster daemon's daily licence check, run now (tests give the date). */
  recheckLicence(now?: Date): Promise<void> { return this.daemon.recheckLicence(now); }
  power(action: PowerAction, reason: string): Promise<void> { return this.daemon.power(action, reason); }
  emergency(e: unknown): Promise<void> { return this.daemon.emergency(e); }

  /** Seed §10.9: the mirror agent died: stop the groups (the cluster daemon), then reboot. */
  private async mirrorDied(why: string): Promise<void> {
    this.d.log.error(`mdagent died: ${why}`);
    this.d.events.emit(ev.monp.systemWillRebootFor, 'mdagent');
    await this.daemon.power('reboot', `mdagent exited abnormally: ${why}`);
  }

  /** Orderly end of the process (SIGTERM, service stop). */
  async shutdown(): Promise<void> {
    await this.daemon.stop();
    await this.mirror?.stop().catch((e: Error) => this.d.log.error(`mdagent: stop: ${e.message}`));
    await this.leds.stop(); // the run LED goes off
    await this.alertSync?.stop();
    await this.peerServer.stop();
    await this.localControl.stop();
    this.exit();
  }

  /** Each role serves its own ops; the runtime only hands them their collaborators. */
  private serveOps(): void {
    const { config: c, local, events, paths, platform } = this.d;
    const r = this.registry, daemon = this.daemon;
    const servers = c.servers.map((s) => s.name);
    const fan = { peer: this.peer, local: local.name, servers };
    serveDaemonOps(r, daemon, fan);
    serveMembershipOps(r, { membership: () => daemon.membership, fan });
    serveGroupOps(r, {
      peer: this.peer, local: local.name, servers, rc: () => daemon.rc,
      monitors: () => daemon.monitorStates(), isUp: (s) => daemon.membership?.isUp(s) ?? s === local.name,
    });
    serveMonitorOps(r, { monitors: () => daemon.monitorStates() });
    serveClusterShutdown(r, {
      peer: this.peer, local: local.name, servers, events,
      stopGroups: () => daemon.stopGroups(), power: (action, reason) => daemon.power(action, reason),
    });
    serveMirrorOps(r, { config: c, platform, events, agent: () => this.mirror });
    serveAlertOps(r, { alertDir: paths.alert, sync: this.alertSync, events });
    serveLogOps(r, {
      peer: this.peer, local: local.name, servers, tmp: paths.tmp,
      collect: () => ({ paths, platform, key: this.d.key, mirrors: c.resources.filter((x) => x.type === 'md').map((x) => x.name) }),
    });
    if (this.d.faults) serveFaults(r, this.faults);
  }
}
