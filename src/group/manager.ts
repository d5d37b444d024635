// The group role (the seed's rc): places groups at cluster start, fails them over when
// their server goes down, moves them on request, and applies the server-down rules of
// seed §10 that concern groups (10.1, 10.4, 10.7). Other servers are asked over the
// peer control channel; membership says who is up.
import { EventEmitter } from 'node:events';
import type { FinalAction, GroupConfig } from '../config/types';
import { call, toServer } from '../control/op';
import type { ControlReply, PeerControl } from '../control/types';
import { ev } from '../events/ids';
import type { Logger } from '../logger';
import { createResource, type Why } from '../resource';
import type { Role, RuntimeContext } from '../core/context';
import { runFinalAction, type ServerActions } from './actions';
import { LocalGroup, type Failure } from './group';
import { activationOrder } from './order';
import { firstLive, keeper } from './placement';
import { rcOps } from './protocol';
import type { GroupPort, GroupStatus } from './types';

export interface MembershipSource extends EventEmitter { isUp(server: string): boolean }

/** rc.start's reply code when a resource of the group failed to activate. */
const ACTIVATION_FAILED = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How often a live peer that does not say which groups it holds is asked again, and how long apart. */
const LEARN_ATTEMPTS = 10;
const LEARN_RETRY_MS = 1000;
const ok = (message?: string): ControlReply => ({ code: 0, message });

export class GroupManager implements Role, GroupPort {
  readonly type = 'rc';
  private readonly groups = new Map<string, LocalGroup>();
  /** Where other servers said each group is active, with its failover count. */
  private readonly holders = new Map<string, { server: string; failovers: number; handover?: boolean }>();
  /** Set before the server powers off on a failure (seed §10.1-10.3): the groups stopped
   * here stay recorded as held on this server by the peers, which take them over when it
   * goes down. A cluster daemon stop or a cluster shutdown leaves this unset. */
  private handOver = false;
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly log: Logger;
  private stopping = false;
  private readonly onDown = (s: string) => { void this.serverDown(s); };
  private readonly onUp = (s: string) => { void this.serverUp(s); };

  constructor(private readonly ctx: RuntimeContext, private readonly membership: MembershipSource, private readonly peer: PeerControl, private readonly actions: ServerActions) {
    this.log = ctx.log.child('rc');
    const deps = { config: ctx.config, local: ctx.local, paths: ctx.paths, platform: ctx.platform, log: this.log, mirror: ctx.mirror };
    for (const g of ctx.config.groups) {
      const resources = activationOrder(ctx.config.resources.filter((r) => r.group === g.name)).map((r) => createResource(r, deps));
      this.groups.set(g.name, new LocalGroup(g, resources, ctx.events, this.log));
    }
  }

  private get me(): string { return this.ctx.local.name; }
  private isUp = (s: string) => this.membership.isUp(s);
  private peers(): string[] { return this.ctx.config.servers.map((s) => s.name).filter((s) => s !== this.me && this.isUp(s)); }

  /** One operation at a time per group. */
  private serial<T>(group: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(group) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    this.chains.set(group, next.catch(() => undefined));
    return next;
  }

  async start(): Promise<void> {
    for (const g of this.groups.values()) {
      for (const r of g.resources) {
        try { await r.protect?.(); } catch (e) { this.log.warn(`${r.cfg.name}: cannot protect while inactive: ${(e as Error).message}`); }
      }
    }
    this.membership.on('server-down', this.onDown);
    this.membership.on('server-up', this.onUp);
    void this.initialPlacement().catch((e) => this.log.error(`initial placement: ${(e as Error).message}`));
  }

  /** Stop every active group; a deactivation failure here shuts the server down (seed §10.4). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.membership.off('server-down', this.onDown);
    this.membership.off('server-up', this.onUp);
    let failed = false;
    for (const g of [...this.groups.values()].reverse()) {
      await this.serial(g.cfg.name, async () => {
        if (g.state === 'Offline') return;
        if (await g.stop('stop')) failed = true;
        this.notify(g);
      });
    }
    if (failed) {
      this.ctx.events.emit(ev.rc.serverShutdown);
      await this.actions.power('shutdown', 'deactivation failed while the cluster daemon stopped');
    }
  }

  status(): Array<GroupStatus & { failovers: number }> { return [...this.groups.values()].map((g) => ({ ...g.status(), failovers: g.failovers })); }

  /** The server a group is active on: here, or where a live peer said it is. */
  holder(name: string): string | undefined {
    if (this.group(name).active) return this.me;
    return this.heldElsewhere(name);
  }

  /** The peers are to take the groups over once this server is down (it powers off on a failure). */
  prepareHandOver(): void { this.handOver = true; }

  /** Stop every group active here, last configured first (cluster shutdown); failures are reported, not fatal. */
  async stopAll(): Promise<ControlReply> {
    const failed: string[] = [];
    for (const g of [...this.groups.keys()].reverse()) {
      const r = await this.stopGroup(g);
      if (r.code) failed.push(r.message ?? g);
    }
    return failed.length ? { code: 1, message: failed.join('\n') } : ok();
  }

  /** The group named, or the group holding the resource named. */
  groupOf(target: string): string | undefined {
    if (this.groups.has(target)) return target;
    return [...this.groups.values()].find((g) => g.resource(target))?.cfg.name;
  }

  isActive(group: string): boolean { return this.groups.get(group)?.active ?? false; }
  isOnline(group: string): boolean { return this.groups.get(group)?.state === 'Online'; }
  failoverThreshold(group: string, resource: string): number | undefined { return this.groups.get(group)?.resource(resource)?.cfg.failoverThreshold; }
  pidOf(resource: string): number | undefined {
    return [...this.groups.values()].find((g) => g.resource(resource))?.resource(resource)?.pid;
  }

  private group(name: string): LocalGroup {
    const g = this.groups.get(name);
    if (!g) throw new Error(`unknown group '${name}'`);
    return g;
  }

  /** Tell the other servers where a group stands (best effort; they also ask on server-up). */
  private notify(g: LocalGroup, to: string[] = this.peers()): void {
    for (const s of to) void this.tell(g, s);
  }

  /** Tell `server` where a group stands and wait for it to have heard: a start asked of it
   * next must not meet its older view (the fire-and-forget notify may arrive after). */
  private async tell(g: LocalGroup, server: string): Promise<void> {
    await call(toServer(this.peer, server), rcOps.notify, { group: g.cfg.name, active: g.active, failovers: g.failovers, handover: this.handOver }, 3000).catch(() => {});
  }

  /** Record what another server told us about a group. */
  noted(server: string, group: string, active: boolean, failovers: number, handover = false): void {
    if (active) this.holders.set(group, { server, failovers });
    else if (handover) this.holders.set(group, { server, failovers, handover });
    else if (this.holders.get(group)?.server === server) this.holders.delete(group);
  }

  /** Ask every live peer for its groups; returns the groups each one has active. */
  async refresh(only?: string, answered?: Set<string>): Promise<Map<string, string[]>> {
    const activeOn = new Map<string, string[]>();
    for (const s of only ? [only] : this.peers()) {
      let r: ControlReply;
      try { r = await call(toServer(this.peer, s), rcOps.status, {}, 3000); } catch { continue; }
      if (r.code !== 0 || !Array.isArray(r.data)) continue;
      answered?.add(s);
      for (const [name, h] of this.holders) if (h.server === s && !h.handover) this.holders.delete(name);
      for (const g of r.data as Array<GroupStatus & { failovers?: number }>) {
        if (g.state === 'Offline' || !this.groups.has(g.name)) continue;
        this.holders.set(g.name, { server: s, failovers: g.failovers ?? 0 });
        activeOn.set(g.name, [...(activeOn.get(g.name) ?? []), s]);
      }
    }
    return activeOn;
  }

  /** Learn a live peer's groups, asking again while it does not answer (a busy peer's missed
   * answer would otherwise leave its groups unknown here, and not failed over when it dies). */
  private async learn(server: string): Promise<Map<string, string[]>> {
    for (let attempt = 0; ; attempt++) {
      const answered = new Set<string>();
      const activeOn = await this.refresh(server, answered);
      if (answered.has(server) || this.stopping || !this.isUp(server) || attempt >= LEARN_ATTEMPTS) {
        if (!answered.has(server) && this.isUp(server)) this.log.warn(`${server} did not say which groups it holds`);
        return activeOn;
      }
      await sleep(LEARN_RETRY_MS);
    }
  }

  /** Is the group active anywhere (here or on a live server)? */
  private heldElsewhere(name: string): string | undefined {
    const h = this.holders.get(name);
    return h && h.server !== this.me && this.isUp(h.server) ? h.server : undefined;
  }

  private async initialPlacement(): Promise<void> {
    // Monotonic: a step of the wall clock neither stretches nor cuts the wait.
    const deadline = performance.now() + this.ctx.config.timeouts.startSyncWait;
    const all = this.ctx.config.servers.map((s) => s.name);
    while (!this.stopping && performance.now() < deadline && !all.every(this.isUp)) await sleep(100);
    if (this.stopping) return;
    for (const s of this.peers()) await this.learn(s);
    for (const g of this.ctx.config.groups) {
      if (!g.autoStart || this.heldElsewhere(g.name)) continue;
      if (firstLive(g.servers, this.isUp) === this.me) await this.startGroup(g.name, 'start');
    }
  }

  /** Network-partition resolution: with targets, a server that reaches none takes nothing over. */
  private async partitionOk(): Promise<boolean> {
    const targets = this.ctx.config.partitionTargets;
    if (!targets.length) return true;
    const answers = await Promise.all(targets.map((t) => this.ctx.platform.run('ping', ['-n', '-q', '-c', '1', '-W', '1', t], { timeoutMs: 3000 })));
    return answers.some((r) => r.code === 0);
  }

  private async serverDown(server: string): Promise<void> {
    if (this.stopping) return;
    for (const g of this.ctx.config.groups) {
      const h = this.holders.get(g.name);
      if (h?.server !== server) continue;
      this.holders.delete(g.name);
      if (this.groups.get(g.name)?.active) continue; // a handover of a group this server kept (§10.7)
      if (firstLive(g.servers, this.isUp, [server]) !== this.me) continue;
      if (!(await this.partitionOk())) {
        this.log.warn(`group ${g.name}: no partition-resolution target answers; not taking it over`);
        continue;
      }
      await this.failoverHere(g, h.failovers);
    }
  }

  private async failoverHere(g: GroupConfig, failovers: number): Promise<ControlReply> {
    this.ctx.events.emit(ev.rc.groupFailoverBegan, g.name);
    const r = await this.startGroup(g.name, 'failover', failovers);
    this.ctx.events.emit(r.code ? ev.rc.groupFailoverFailed : ev.rc.groupFailoverEnded, g.name);
    return r;
  }

  /** A server came (back): learn its groups; the same group active on both is seed §10.7. */
  private async serverUp(server: string): Promise<void> {
    if (this.stopping) return;
    // Push what this server holds too: the newcomer's own question may time out while it is busy.
    for (const g of this.groups.values()) if (g.active) this.notify(g, [server]);
    const activeOn = await this.learn(server);
    for (const g of this.groups.values()) {
      const there = activeOn.get(g.cfg.name) ?? [];
      if (g.active && there.length) {
        this.ctx.events.emit(ev.rc.groupActiveOnSeveral, g.cfg.name);
        if (keeper([this.me, ...there], this.ctx.config.servers.map((s) => s.name)) !== this.me) {
          this.ctx.events.emit(ev.rc.serverShutdown);
          void this.actions.power('shutdown', `group ${g.cfg.name} is started on more than one server`);
          return;
        }
      } else if (g.active && g.cfg.autoFailback && firstLive(g.cfg.servers, this.isUp) === server) {
        await this.moveGroup(g.cfg.name, server, 'failback');
      }
    }
  }

  /** Start a group here (rc.start). Fails if it is active on another live server. */
  startGroup(name: string, why: Why, failovers = 0): Promise<ControlReply> {
    const g = this.group(name);
    return this.serial(name, async () => {
      if (g.active) return ok(`group ${name} is already active on ${this.me}`);
      const elsewhere = this.heldElsewhere(name);
      if (elsewhere) return { code: 3, message: `group ${name} is active on ${elsewhere}` };
      g.failovers = failovers;
      const f = await g.start(why);
      this.notify(g);
      if (!f) return ok();
      void this.afterActivationFailure(g, f);
      return { code: ACTIVATION_FAILED, message: `group ${name}: resource ${f.resource.cfg.name} failed (${f.code} : ${f.message})` };
    });
  }

  stopGroup(name: string, why: Why = 'stop'): Promise<ControlReply> {
    const g = this.group(name);
    return this.serial(name, async () => {
      if (g.state === 'Offline') return ok(`group ${name} is not active on ${this.me}`);
      const f = await g.stop(why);
      this.notify(g);
      if (!f) return ok();
      void this.finalAction(f.resource.cfg.deactiveFinalAction, g, `deactivation of ${f.resource.cfg.name} failed`);
      return { code: 4, message: `group ${name}: resource ${f.resource.cfg.name} failed to stop (${f.code} : ${f.message})` };
    });
  }

  /** Move a group active here to `target` (clpgrp -m; rc 50-52). */
  async moveGroup(name: string, target: string, why: Why = 'move'): Promise<ControlReply> {
    const g = this.group(name);
    if (!g.active) return { code: 3, message: `group ${name} is not active on ${this.me}` };
    if (!g.cfg.servers.includes(target)) return { code: 2, message: `server ${target} is not in the failover policy of ${name}` };
    if (!this.isUp(target)) return { code: 3, message: `server ${target} is not online` };
    this.ctx.events.emit(ev.rc.groupMoveBegan, name);
    const stopped = await this.stopGroup(name, why);
    let r: ControlReply = stopped;
    if (stopped.code === 0) {
      await this.tell(g, target);
      try { r = await call(toServer(this.peer, target), rcOps.start, { group: name, why, failovers: 0, released: true }); } catch (e) { r = { code: 1, message: (e as Error).message }; }
    }
    this.ctx.events.emit(r.code ? ev.rc.groupMoveFailed : ev.rc.groupMoveEnded, name);
    return r;
  }

  /** Fail a group active here over to the next live server of its policy, within the threshold. */
  /** 'failed-there': the next server took the group and failed to activate it; its own
   * failure handling (failover, final action) goes on there, not here. */
  async failoverGroup(name: string, threshold: number): Promise<'done' | 'threshold' | 'nowhere' | 'failed' | 'failed-there'> {
    const g = this.group(name);
    const next = firstLive(g.cfg.servers, this.isUp, [this.me]);
    if (!next) return 'nowhere';
    if (g.failovers >= threshold) return 'threshold';
    this.ctx.events.emit(ev.rc.groupFailoverBegan, name);
    const failovers = g.failovers + 1;
    const stopped = await this.stopGroup(name, 'failover');
    await this.tell(g, next);
    let r: ControlReply;
    try { r = await call(toServer(this.peer, next), rcOps.start, { group: name, why: 'failover', failovers, released: stopped.code === 0 }); } catch (e) { r = { code: 1, message: (e as Error).message }; }
    this.ctx.events.emit(r.code ? ev.rc.groupFailoverFailed : ev.rc.groupFailoverEnded, name);
    if (r.code === 0) return 'done';
    return r.code === ACTIVATION_FAILED ? 'failed-there' : 'failed';
  }

  /** Restart one resource of an active group (rc 80-82). */
  restartResource(group: string, resource: string): Promise<boolean> {
    const g = this.group(group);
    const r = g.resource(resource);
    if (!r) throw new Error(`resource ${resource} is not in group ${group}`);
    return this.serial(group, async () => {
      this.ctx.events.emit(ev.rc.resourceRestartBegan, resource);
      const failed = (await g.deactivateResource(r, 'restart')) ?? (await g.activateResource(r, 'restart'));
      this.ctx.events.emit(failed ? ev.rc.resourceRestartFailed : ev.rc.resourceRestartEnded, resource);
      return !failed;
    });
  }

  /** Restart a whole group here (rc 70-72). */
  async restartGroup(name: string): Promise<boolean> {
    const g = this.group(name);
    this.ctx.events.emit(ev.rc.groupRestartBegan, name);
    const failed = (await this.serial(name, () => g.stop('restart'))) ?? (await this.serial(name, () => g.start('restart')));
    this.notify(g);
    this.ctx.events.emit(failed ? ev.rc.groupRestartFailed : ev.rc.groupRestartEnded, name);
    return !failed;
  }

  /** After an activation failure: fail over within the threshold, else the final action. */
  private async afterActivationFailure(g: LocalGroup, f: Failure): Promise<void> {
    const res = await this.failoverGroup(g.cfg.name, f.resource.cfg.failoverThreshold);
    if (res === 'done' || res === 'failed-there') return;
    await this.finalAction(f.resource.cfg.activeFinalAction, g, `activation of ${f.resource.cfg.name} failed`);
  }

  async finalAction(action: FinalAction, g: LocalGroup, reason: string): Promise<void> {
    this.log.warn(`group ${g.cfg.name}: final action ${action}: ${reason}`);
    await runFinalAction(action, reason, async () => { await this.stopGroup(g.cfg.name); }, this.actions);
  }
}
