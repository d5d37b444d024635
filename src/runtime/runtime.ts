// The runtime process: the seed's daemons as roles of one process. The transaction role
// (control sockets: the seed's clptrnsv) runs as long as the process; the cluster daemon
// (nm, and rc/rm as they join) starts and stops with clpcl -s / -t, so that `clpcl -s -a`
// can reach a server whose daemon is stopped, as the seed's procedures need.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ClusterConfig, ServerConfig } from '../config/types';
import type { Paths } from '../constants';
import { LocalControl } from '../control/local';
import { PeerClient, PeerServer } from '../control/peer';
import { Registry } from '../control/registry';
import type { ControlReply } from '../control/types';
import type { EventBus } from '../events/bus';
import { type AlertLog, readAlerts } from '../events/sinks/alert';
import { AlertSync } from '../events/sync/alert-sync';
import { GroupManager } from '../group/manager';
import { MonitorManager } from '../monitor/manager';
import { WatchdogKeeper } from '../monitor/userw';
import { registerGroupOps } from '../group/ops';
import { LedRole, mirrorDisks, panelState } from '../leds';
import type { Logger } from '../logger';
import { defaultAgentOptions, MirrorAgent } from '../mirror/agent';
import { registerMirrorOps } from '../mirror/ops';
import { Membership } from '../nm/membership';
import type { Platform, PowerAction } from '../platform/types';
import { type FaultState, registerFaults, RoleFailure, stall } from './faults';
import type { Role, RuntimeContext } from '../core/context';
import { registerClusterShutdown } from './stdn';

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
}

const ok = (data?: unknown, message?: string): ControlReply => ({ code: 0, data, message });

export class Runtime {
  readonly registry = new Registry();
  readonly peer: PeerClient;
  private readonly localControl: LocalControl;
  private readonly peerServer: PeerServer;
  readonly alertSync?: AlertSync;
  private readonly ctx: RuntimeContext;
  membership?: Membership;
  rc?: GroupManager;
  rm?: MonitorManager;
  private watchdog?: WatchdogKeeper;
  /** The mirror agent (seed's clpmdagent): runs with the process, like the seed's clusterpro_md
   * service, so that clpmdctrl --active works while the cluster daemon cannot start (§11.8.1). */
  readonly mirror?: MirrorAgent;
  /** The front panel (seed-less; docs/leds.md): runs with the process, shows the daemon's state. */
  private readonly leds: LedRole;
  private roles: Role[] = [];
  private running = false;
  private readonly faults: FaultState = { stallShutdown: false };
  /** Resolves when the process should exit (stop requested or power action recorded). */
  readonly exited: Promise<void>;
  private exit!: () => void;

  constructor(private readonly d: RuntimeDeps) {
    const c = d.config;
    this.ctx = { config: c, local: d.local, key: d.key, bootId: d.bootId, paths: d.paths, events: d.events, log: d.log, platform: d.platform };
    const lanAddrs = (server: string) => c.heartbeats.flatMap((h) => (h.type === 'lanhb' && h.addresses[server] ? [h.addresses[server]] : []));
    this.localControl = new LocalControl(d.paths.controlSocket, this.registry);
    this.peerServer = new PeerServer(lanAddrs(d.local.name), c.ports.internal, d.key, c.servers.map((s) => s.name), this.registry, d.log.child('trnsv'));
    this.peer = new PeerClient(d.local.name, lanAddrs, c.ports.internal, d.key, c.timeouts.internal);
    if (d.alert && c.alert.sync) {
      const links = c.heartbeats.flatMap((h) => (h.type === 'lanhb' && h.addresses[d.local.name]
        ? [{ local: h.addresses[d.local.name], peers: Object.fromEntries(Object.entries(h.addresses).filter(([n]) => n !== d.local.name)) }] : []));
      this.alertSync = new AlertSync({ cluster: c.cluster.name, server: d.local.name, servers: c.servers.map((s) => s.name), bootId: d.bootId, key: d.key, port: c.ports.alertSync, links, alert: d.alert, log: d.log.child('alertsync') });
    }
    this.exited = new Promise((r) => { this.exit = r; });
    if (c.resources.some((r) => r.type === 'md')) {
      this.mirror = new MirrorAgent(this.ctx, { ...defaultAgentOptions, onFatal: (why) => { void this.mirrorDied(why); } });
      this.ctx.mirror = this.mirror;
    }
    this.leds = new LedRole({
      config: c.leds, root: d.paths.leds, log: d.log.child('leds'),
      state: () => panelState({
        daemon: this.running, view: this.membership?.view(), groups: this.rc?.status() ?? [],
        monitors: this.monitorStates(), mirror: this.mirror && mirrorDisks(this.mirror),
      }),
    });
    registerMirrorOps(this.registry, { config: c, platform: d.platform, events: d.events, agent: () => this.mirror });
    this.registerOps();
  }

  get daemonRunning(): boolean { return this.running; }

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

  async startDaemon(): Promise<ControlReply> {
    if (this.running) return { code: 0, message: 'the cluster daemon is already running' };
    this.membership = new Membership(this.ctx);
    const actions = {
      stopDaemon: async () => { await this.stopDaemon(); },
      power: (action: PowerAction, reason: string) => this.power(action, reason),
    };
    this.rc = new GroupManager(this.ctx, this.membership, this.peer, actions);
    const membership = this.membership;
    this.rm = new MonitorManager(this.ctx, this.rc, actions, (s) => membership.isUp(s));
    this.roles = [this.membership, this.rc, this.rm];
    for (const role of this.roles) {
      try {
        await role.start();
      } catch (e) {
        this.d.events.emit('pm', 22, role.type, 1);
        this.d.log.error(`${role.type}: ${(e as Error).message}`);
        await this.stopRoles();
        return { code: 1, message: `${role.type} failed to start: ${(e as Error).message}` };
      }
    }
    this.running = true;
    if (this.d.config.watchdog.enabled) {
      this.watchdog = new WatchdogKeeper(this.d.paths.watchdog, this.d.config.watchdog.margin, this.d.events, this.d.log.child('rm'));
      this.watchdog.start();
    }
    this.d.events.emit('pm', 1);
    return ok();
  }

  async stopDaemon(): Promise<ControlReply> {
    if (!this.running) return { code: 0, message: 'the cluster daemon is not running' };
    this.d.events.emit('pm', 2);
    this.running = false;
    await this.stopRoles();
    // Powering off, the watchdog stays armed: a stalled shutdown is reset (seed §10.6).
    if (!this.poweringOff) this.watchdog?.stop();
    this.watchdog = undefined;
    return ok();
  }

  /** This server's monitors: userw (the watchdog) and rm's. */
  private monitorStates(): Array<{ name: string; type: string; state: string }> {
    return [...(this.watchdog ? [{ name: 'userw', type: 'userw', state: this.watchdog.state }] : []), ...(this.rm?.status() ?? [])];
  }

  private async stopRoles(): Promise<void> {
    for (const role of [...this.roles].reverse()) {
      try { await role.stop(); } catch (e) { this.d.log.error(`${role.type}: stop: ${(e as Error).message}`); }
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
    this.d.log.warn(`${action}: ${reason}`);
    this.d.events.emit('pm', action === 'reboot' ? 25 : 23);
    const watchdog = this.watchdog; // stopDaemon forgets it but, powering off, leaves it open
    this.rc?.prepareHandOver();
    await this.stopDaemon();
    if (watchdog) { watchdog.leaveArmed(); this.d.events.emit('pm', 3); }
    await this.d.platform.power(action, reason);
    if (this.faults.stallShutdown) stall(600000);
  }
  private poweringOff = false;

  /** A core role failed inside the process (seed §10.3): stop the groups, then shut down. */
  async emergency(e: unknown): Promise<void> {
    const role = e instanceof RoleFailure ? e.role : 'rc';
    this.d.log.error(`emergency shutdown: ${(e as Error)?.stack ?? String(e)}`);
    this.d.events.emit('pm', 20, role);
    await this.power('shutdown', `${role} failed: ${(e as Error)?.message ?? String(e)}`);
  }

  /** Seed §10.9: the mirror agent died: stop the groups (the cluster daemon), then reboot. */
  private async mirrorDied(why: string): Promise<void> {
    this.d.log.error(`mdagent died: ${why}`);
    this.d.events.emit('monp', 8, 'mdagent');
    await this.power('reboot', `mdagent exited abnormally: ${why}`);
  }

  /** Stop every group active here (cluster shutdown); failures are reported, not fatal. */
  private async stopGroups(): Promise<ControlReply> {
    return this.rc ? this.rc.stopAll() : ok();
  }

  /** Orderly end of the process (SIGTERM, service stop). */
  async shutdown(): Promise<void> {
    await this.stopDaemon();
    await this.mirror?.stop().catch((e: Error) => this.d.log.error(`mdagent: stop: ${e.message}`));
    await this.leds.stop(); // the run LED goes off
    await this.alertSync?.stop();
    await this.peerServer.stop();
    await this.localControl.stop();
    this.exit();
  }

  /** Run an op here and on the other servers (all) or on one named server. */
  private async fanOut(op: string, args: Record<string, unknown>, target: { all?: boolean; host?: string }, here: () => Promise<ControlReply>): Promise<ControlReply> {
    const others = this.d.config.servers.map((s) => s.name).filter((n) => n !== this.d.local.name);
    const names = target.host ? [target.host] : target.all ? [this.d.local.name, ...others] : [this.d.local.name];
    const lines: string[] = [];
    let code = 0;
    for (const name of names) {
      if (!this.d.config.servers.some((s) => s.name === name)) return { code: 2, message: `unknown server '${name}'` };
      let r: ControlReply;
      try {
        r = name === this.d.local.name ? await here() : await this.peer.request(name, { op, args });
      } catch (e) {
        r = { code: 1, message: (e as Error).message };
      }
      if (r.code) { code = r.code; lines.push(`${name}: ${r.message ?? 'failed'}`); }
    }
    return { code, message: lines.join('\n') || undefined };
  }

  private registerOps(): void {
    const r = this.registry;
    const target = (a: Record<string, unknown>) => ({ all: a.all === true, host: typeof a.host === 'string' ? a.host : undefined });
    const needDaemon = (): Membership => {
      if (!this.membership) throw new Error('the cluster daemon is not running');
      return this.membership;
    };
    r.register('pm.status', async () => ok({ daemon: this.running ? 'running' : 'stopped', server: this.d.local.name, pid: process.pid }));
    r.register('cl.start', async (a) => this.fanOut('cl.start', {}, target(a), () => this.startDaemon()));
    r.register('cl.stop', async (a) => this.fanOut('cl.stop', {}, target(a), () => this.stopDaemon()));
    r.register('cl.suspend', async (a) => this.fanOut('cl.suspend', {}, target(a), async () => { needDaemon().suspend(); return ok(); }));
    r.register('cl.resume', async (a) => this.fanOut('cl.resume', {}, target(a), async () => { needDaemon().resume(); return ok(); }));
    r.register('nm.view', async () => ok(needDaemon().view()));
    r.register('nm.stats', async () => ok(needDaemon().stats()));
    r.register('nm.ratio', async (a) => this.fanOut('nm.ratio', { ...a, all: false }, target(a), async () => {
      const m = needDaemon();
      if (a.clear === true) m.clearRatio();
      else if (typeof a.value === 'number' && typeof a.until === 'number') m.setRatio(a.value, a.until);
      else return { code: 2, message: 'ratio needs value and until' };
      return ok();
    }));
    r.register('alert.stats', async () => ok(this.alertSync?.stats ?? null));
    registerGroupOps({
      registry: r, peer: this.peer, local: this.d.local.name, servers: this.d.config.servers.map((s) => s.name),
      rc: () => this.rc,
      monitors: () => this.monitorStates(), isUp: (s) => this.membership?.isUp(s) ?? s === this.d.local.name,
    });
    registerClusterShutdown({
      registry: r, peer: this.peer, local: this.d.local.name, servers: this.d.config.servers.map((s) => s.name), events: this.d.events,
      stopGroups: () => this.stopGroups(),
      power: (action, reason) => this.power(action, reason),
    });
    if (this.d.faults) registerFaults(r, this.faults);
    r.register('alert.read', async (a) => ok(readAlerts(this.d.paths.alert, typeof a.n === 'number' ? a.n : undefined)));
  }
}

/** Refuse a second runtime for the same root (pm event 10). A pid file left by a crash is
 * stale when its process is gone, a zombie, or another program that got the same pid. */
export function claimPidFile(file: string): boolean {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    const pid = Number(fs.readFileSync(file, 'utf8'));
    if (pid && pid !== process.pid && isRuntime(pid)) return false;
  } catch { /* none */ }
  fs.writeFileSync(file, String(process.pid), { mode: 0o600 });
  return true;
}

function isRuntime(pid: number): boolean {
  try {
    if (/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))) return false;
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(path.join('runtime', 'main'));
  } catch { return false; }
}
