// The runtime process: the seed's daemons as roles of one process. The transaction role
// (control sockets: the seed's clptrnsv) runs as long as the process; the cluster daemon
// (nm, and rc/rm as they join) starts and stops with clpcl -s / -t, so that `clpcl -s -a`
// can reach a server whose daemon is stopped, as the seed's procedures need.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { catchUp, serveCfgOps } from '../cfg/ops';
import { ConfigStore } from '../cfg/store';
import { findLocalServer, loadKey, parseConfig } from '../config';
import { describeChange, diffConfigs } from '../config/reflect';
import { reflectMethods, type Reflect } from '../config/schema';
import type { ClusterConfig, ServerConfig } from '../config/types';
import type { Paths } from '../constants';
import type { RuntimeContext } from '../core/context';
import { LocalControl } from '../control/local';
import { PeerClient, PeerServer } from '../control/peer';
import { Registry } from '../control/registry';
import type { ControlReply } from '../control/types';
import type { Events } from '../events/types';
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
import { LoopLagMonitor } from '../pm/loop-lag';
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
  events: Events;
  /** The local alert log; when given, it is synchronised with the peers (ports.alertSync). */
  alert?: AlertLog;
  /** Serve the `fault` op on the local socket (tests; PAIRHA_FAULTS=1). */
  faults?: boolean;
  /** Steps the wall clock (the clock-step fault; pm/faults.ts). */
  stepClock?: (ms: number) => void;
  /** Re-reads the message files (seed §12.3) at each start of the cluster daemon: the bus's reload. */
  reloadMessages?: () => void;
}

/** Assembles the roles and wires their collaborators; every op is served by its role's module. */
export class Runtime {
  readonly registry = new Registry();
  readonly peer: PeerClient;
  private readonly localControl: LocalControl;
  private readonly peerServer: PeerServer;
  private sync?: AlertSync;
  private readonly ctx: RuntimeContext;
  /** This server's clp.conf and pushes staged beside it (clpcfctrl). */
  private readonly store: ConfigStore;
  /** The clp.conf text the cluster daemon runs with: what the last reflect method applied. */
  private applied: string;
  /** The cluster daemon (pm): nm, rc and rm, started and stopped with clpcl -s / -t. */
  private readonly daemon: ClusterDaemon;
  /** The mirror agent (seed's clpmdagent): runs with the process, like the seed's clusterpro_md
   * service, so that clpmdctrl --active works while the cluster daemon cannot start (§11.8.1). */
  readonly mirror?: MirrorAgent;
  /** The front panel (seed-less; docs/leds.md): runs with the process, shows the daemon's state. */
  private readonly leds: LedRole;
  private readonly loopLag = new LoopLagMonitor();
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
    this.store = new ConfigStore(c.file, d.local.name);
    this.applied = fs.existsSync(c.file) ? this.store.text() : '';
    this.sync = this.buildAlertSync(c);
    this.exited = new Promise((r) => { this.exit = r; });
    if (c.resources.some((r) => r.type === 'md')) {
      this.mirror = new MirrorAgent(this.ctx, { ...defaultAgentOptions, fastSync: () => fastSyncLicensed(this.ctx), onFatal: (why) => { void this.mirrorDied(why); } });
      this.ctx.mirror = this.mirror;
    }
    const daemon = this.daemon = new ClusterDaemon(this.ctx, this.peer, this.faults, () => this.reload());
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
  get alertSync(): AlertSync | undefined { return this.sync; }

  private buildAlertSync(c: ClusterConfig): AlertSync | undefined {
    const d = this.d;
    if (!d.alert || !c.alert.sync) return undefined;
    const links = c.heartbeats.flatMap((h) => (h.type === 'lanhb' && h.addresses[d.local.name]
      ? [{ local: h.addresses[d.local.name], peers: Object.fromEntries(Object.entries(h.addresses).filter(([n]) => n !== d.local.name)) }] : []));
    return new AlertSync({ cluster: c.cluster.name, server: d.local.name, servers: c.servers.map((s) => s.name), bootId: d.bootId, key: d.key, port: c.ports.alertSync, links, alert: d.alert, log: d.log.child('alertsync') });
  }

  /** clp.conf as it is now on disk, checked as at start; or why not. */
  private readConfig(): { text: string; config: ClusterConfig; local: ServerConfig } | string {
    // Given a configuration that has no file (tests build one in memory), there is nothing to re-read.
    if (!this.applied && !fs.existsSync(this.store.configFile)) return { text: '', config: this.ctx.config, local: this.ctx.local };
    try {
      const text = this.store.text();
      const config = parseConfig(text, this.store.configFile);
      const local = findLocalServer(config, this.d.local.name);
      loadKey(config);
      return { text, config, local };
    } catch (e) {
      this.d.events.emit(ev.pm.configInvalid);
      return (e as Error).message;
    }
  }

  /** Keys changed on disk that `level` does not apply, for the log or the reply. */
  private beyond(text: string, level: Reflect): string[] {
    const rank = (m: Reflect) => reflectMethods.indexOf(m);
    return diffConfigs(this.applied, text).changes.filter((ch) => rank(ch.method) > rank(level) && !['alertsync', 'webmgr'].includes(ch.method)).map(describeChange);
  }

  /** Before the cluster daemon starts (seed §6.1.5): take a newer configuration from a peer
   * (this server missed a push), re-read clp.conf and the message files (§12.3). */
  private async reload(): Promise<string | undefined> {
    const { log, local } = this.d;
    const took = await catchUp({ store: this.store, key: () => this.d.key, peer: this.peer, local: local.name, servers: this.ctx.config.servers.map((s) => s.name) })
      .catch((e: Error) => `catching up: ${e.message}`);
    if (took) log.info(took);
    const r = this.readConfig();
    if (typeof r === 'string') return r;
    const later = this.beyond(r.text, 'daemon');
    if (later.length) log.warn(`these changes take effect at the next reboot (clpstdn -r):\n${later.join('\n')}`);
    this.ctx.config = r.config;
    this.ctx.local = r.local;
    this.applied = r.text;
    this.d.reloadMessages?.();
    return undefined;
  }

  /** clpcl --resume (seed §6.1.4): the heartbeat timeouts of clp.conf take effect; a change that
   * needs more than a resume is refused (the daemon resumes with what it ran). */
  private async resume(): Promise<ControlReply> {
    const m = this.daemon.membership!;
    const r = this.readConfig();
    if (typeof r === 'string') { m.resume(); return { code: 1, message: `resumed with the configuration in use; clp.conf cannot be read: ${r}` }; }
    const later = this.beyond(r.text, 'suspend');
    if (later.length) { m.resume(); return { code: 1, message: `resumed with the configuration in use: these changes need a cluster daemon stop/start or a reboot:\n${later.join('\n')}` }; }
    this.ctx.config = r.config;
    this.applied = r.text;
    m.resume();
    return { code: 0 };
  }

  /** The side restarts of a push (seed §6.1.2, §6.1.3), each re-reading clp.conf. */
  private async restart(method: 'alertsync' | 'webmgr'): Promise<ControlReply> {
    if (method === 'webmgr') {
      const script = path.join(this.d.paths.initd, 'clusterpro_webmgr');
      if (!fs.existsSync(script)) return { code: 1, message: `the web manager is not installed (no ${script})` };
      const r = await this.d.platform.run(script, ['restart'], { timeoutMs: 60000 });
      return r.code ? { code: 1, message: `${script} restart: exit ${r.code}: ${(r.stderr || r.stdout).trim()}` } : { code: 0 };
    }
    const r = this.readConfig();
    if (typeof r === 'string') return { code: 1, message: r };
    await this.sync?.stop();
    this.sync = this.buildAlertSync(r.config);
    try { await this.sync?.start(); } catch (e) { return { code: 1, message: `alert sync did not start: ${(e as Error).message}` }; }
    return { code: 0 };
  }
  get membership(): Membership | undefined { return this.daemon.membership; }
  get rc(): GroupManager | undefined { return this.daemon.rc; }
  get rm(): MonitorManager | undefined { return this.daemon.rm; }

  /** Start the process: control channels, then the cluster daemon. */
  async start(startDaemon = true): Promise<void> {
    this.loopLag.start();
    await this.localControl.start();
    await this.peerServer.start();
    await this.sync?.start();
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
    await this.sync?.stop();
    await this.peerServer.stop();
    await this.localControl.stop();
    this.loopLag.stop();
    this.exit();
  }

  /** Each role serves its own ops; the runtime only hands them their collaborators. */
  private serveOps(): void {
    const { config: c, local, events, paths, platform } = this.d;
    const r = this.registry, daemon = this.daemon;
    const servers = c.servers.map((s) => s.name);
    const fan = { peer: this.peer, local: local.name, servers };
    serveDaemonOps(r, daemon, fan, () => this.resume(), this.loopLag);
    serveCfgOps(r, {
      store: this.store, key: () => this.d.key, applied: () => this.applied, setApplied: (text) => { this.applied = text; }, peer: this.peer, local: local.name, servers,
      daemon: () => ({ running: daemon.isRunning, suspended: daemon.membership?.view().suspended ?? false }),
      restart: (m) => this.restart(m),
    });
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
    const self = this;
    serveAlertOps(r, { alertDir: paths.alert, get sync() { return self.sync; }, events });
    serveLogOps(r, {
      peer: this.peer, local: local.name, servers, tmp: paths.tmp,
      collect: () => ({ paths, platform, key: this.d.key, mirrors: c.resources.filter((x) => x.type === 'md').map((x) => x.name) }),
    });
    if (this.d.faults) serveFaults(r, this.faults);
  }
}
