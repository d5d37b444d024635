// The mirror agent role (the seed's clpmdagent, module type mdagent): binds every md
// resource of the configuration to liscal, talks to the peer's agent on
// ports.mirrorAgent (29004/TCP, authenticated with the cluster key), and on each tick
// connects links, runs initial construction and automatic recovery (§11.10.1), and reports
// the ends of recoveries (mdadm events). Operators reach it through clpmd* (ops.ts).
import type { MdResourceConfig } from '../config/types';
import { PeerClient, PeerServer } from '../control/peer';
import { call, toServer, type Op } from '../control/op';
import { Registry } from '../control/registry';
import type { ControlReply } from '../control/types';
import { ev } from '../events/ids';
import type { Role, RuntimeContext } from '../core/context';
import { agentStartReason, MdError, mdError, recoveryReason } from './errors';
import { Liscal, type RecoverMode } from './liscal';
import type { LiscalStatus } from './liscal-status';
import { mdnwCheck, mdwCheck, type MdCheckFailure } from './md-monitor';
import { activateMd, deactivateMd, nmpDevice, type MdDeps } from './md-resource';
import { serveAgentChannel } from './agent-channel';
import { agentOps, decodeStatusReply } from './protocol';
import { autoRecovery, decide, inServerOrder, type MirrorDecision, type Side } from './state';
import type { MirrorView } from './format';

export interface AgentOptions {
  /** Tick period (ms): link, construction and automatic recovery checks. */
  interval: number;
  /** Answer time allowed to the peer's agent (ms). */
  peerTimeout: number;
  /** After a failed automatic recovery, wait this long before starting another (ms). */
  retryDelay: number;
  mountsFile: string;
  /** Whether differential recovery (FastSync, FSO30) is licensed now; absent: it is. */
  fastSync?: () => boolean;
  /** Activation waits this long for an unanswering peer when this side alone is not latest (ms). */
  peerWaitMs?: number;
  /** The agent has died (seed §10.9): the runtime stops the groups and reboots. */
  onFatal?: (why: string) => void;
}

export const defaultAgentOptions: AgentOptions = { interval: 2000, peerTimeout: 3000, retryDelay: 60000, mountsFile: '/proc/mounts', peerWaitMs: 30000 };

/** A recovery this agent started and watches to its end. */
interface Watched { kind: 'initial' | 'recovery' }

export class MirrorAgent implements Role {
  readonly type = 'mdagent';
  readonly liscal: Liscal;
  private readonly registry = new Registry();
  /** This server's name. */
  get self(): string { return this.ctx.local.name; }
  private server?: PeerServer;
  private client?: PeerClient;
  private timer?: NodeJS.Timeout;
  private ticking = false;
  private readonly watched = new Map<number, Watched>();
  /** NMP -> time before which no automatic recovery starts again (after a failure). */
  private readonly retryAt = new Map<number, number>();
  /** NMPs whose link the agent keeps down (divergence), so the reason is logged once. */
  private readonly held = new Set<number>();
  readonly peer: string;
  running = false;
  readonly problems: string[] = [];

  constructor(private readonly ctx: RuntimeContext, private readonly opts: AgentOptions = defaultAgentOptions, liscal?: Liscal) {
    this.liscal = liscal ?? new Liscal(ctx.paths.liscalProc);
    this.peer = ctx.config.servers.find((s) => s.name !== ctx.local.name)?.name ?? '';
    serveAgentChannel(this.registry, this);
  }

  get resources(): MdResourceConfig[] {
    return this.ctx.config.resources.filter((r): r is MdResourceConfig => r.type === 'md');
  }

  resource(name: string): MdResourceConfig {
    const r = this.resources.find((x) => x.name === name);
    if (!r) throw mdError(77, name);
    return r;
  }

  /** Why the configuration cannot carry a mirror, as mdagent event 2's reason. */
  private configProblem(): string | undefined {
    const c = this.ctx.config;
    if (c.servers.length !== 2 || !this.peer) return agentStartReason.server;
    for (const r of this.resources) {
      if (!r.addresses[this.ctx.local.name] || !r.addresses[this.peer]) return agentStartReason.address;
    }
    const nmps = this.resources.map((r) => r.nmp);
    if (new Set(nmps).size !== nmps.length) return agentStartReason.config;
    return undefined;
  }

  async start(): Promise<void> {
    if (this.running) { this.ctx.events.emit(ev.mdagent.startFailed, agentStartReason.running); throw new Error('the mirror agent is already running'); }
    const bad = this.configProblem();
    if (bad) { this.ctx.events.emit(ev.mdagent.startFailed, bad); throw new Error(`mirror agent:${bad}`); }
    const { config, local, key, log } = this.ctx;
    const addresses = [...new Set(this.resources.map((r) => r.addresses[local.name]))];
    const peerAddrs = (server: string) => [...new Set(this.resources.map((r) => r.addresses[server]).filter(Boolean))];
    const others = config.servers.filter((s) => s.name !== local.name).flatMap((s) => peerAddrs(s.name));
    this.server = new PeerServer(addresses, config.ports.mirrorAgent, key, local.name, config.servers.map((s) => s.name), this.registry, log.child('mdagent'), 'mdagent', { peerAddresses: others });
    await this.server.start();
    if (addresses.length && !this.server.listening) {
      this.ctx.events.emit(ev.mdagent.startFailed, agentStartReason.socket);
      throw new Error(`mirror agent: cannot listen on ${addresses.join(', ')} port ${config.ports.mirrorAgent}`);
    }
    this.client = new PeerClient(local.name, peerAddrs, config.ports.mirrorAgent, key, this.opts.peerTimeout, 'mdagent');
    await this.bindAll();
    this.running = true;
    this.ctx.events.emit(ev.mdagent.started);
    this.timer = setInterval(() => { this.tick().catch((e: Error) => this.die(e.message)); }, this.opts.interval);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.timer);
    try {
      await this.server?.stop();
      this.ctx.events.emit(ev.mdagent.stopped);
    } catch (e) {
      this.ctx.events.emit(ev.mdagent.stoppedAbnormally);
      throw e;
    }
  }

  /** Whatever escapes the agent's own handling ends it: as if clpmdagent had exited (§10.9). */
  private die(why: string): void {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.timer);
    void this.server?.stop();
    this.ctx.events.emit(ev.monp.processExitedAbnormally, 'mdagent', why);
    this.opts.onFatal?.(why);
  }

  /**
   * Key, then every md not yet bound. A resource that fails stays unbound and is reported
   * (once per distinct reason: the tick retries, since the driver may be loaded after the
   * runtime started, as clusterpro_md does after clusterpro_evt).
   */
  async bindAll(): Promise<void> {
    if (!this.liscal.loaded()) { this.noteOnce(`the liscal driver is not loaded (${this.liscal.ctlFile} is missing)`); return; }
    // The key always: the driver may have kept another from an earlier configuration.
    try { await this.liscal.key(this.ctx.key); } catch (e) { this.noteOnce((e as Error).message); return; }
    const st = this.liscal.status();
    for (const p of st.problems) this.ctx.log.warn(`liscalstat: ${p}`);
    for (const r of this.resources) {
      if (st.byNmp.get(r.nmp)?.bound) continue;
      try {
        await this.attach(r);
        this.ctx.log.info(`${r.name}: NMP${r.nmp} bound to ${r.dataPartition} (cluster partition ${r.clusterPartition})`);
      } catch (e) { this.noteOnce(`${r.name}: ${(e as Error).message}`); }
    }
  }

  /** The md resources whose NMP the driver does not have bound (every one when it is not loaded). */
  private unbound(): MdResourceConfig[] {
    if (!this.liscal.loaded()) return this.resources;
    const st = this.liscal.status();
    return this.resources.filter((r) => !st.byNmp.get(r.nmp)?.bound);
  }

  /** Operators unbind on purpose (clpmdinit, clpmdchng): the tick must not rebind under them. */
  private readonly unbindHeld = new Set<number>();
  holdUnbound(nmp: number, hold: boolean): void { if (hold) this.unbindHeld.add(nmp); else this.unbindHeld.delete(nmp); }

  /** Give the driver the cluster key and attach one md to its partitions and peer. */
  async bind(r: MdResourceConfig): Promise<void> {
    await this.liscal.key(this.ctx.key);
    await this.attach(r);
  }

  private attach(r: MdResourceConfig): Promise<void> {
    return this.liscal.bind(r.nmp, { data: r.dataPartition, cp: r.clusterPartition, peer: r.addresses[this.peer], local: r.addresses[this.ctx.local.name], drvPort: this.ctx.config.ports.mirrorDriver, dataPort: r.dataPort });
  }

  private note(msg: string): void {
    this.ctx.log.error(msg);
    this.problems.push(msg);
    if (this.problems.length > 50) this.problems.shift();
  }

  private noteOnce(msg: string): void {
    if (this.problems[this.problems.length - 1] !== msg) this.note(msg);
  }

  localStatus(nmp: number): LiscalStatus | undefined {
    return this.liscal.status().byNmp.get(nmp);
  }

  /** Every md resource's NMP in the driver here, in resource order (one read of the driver). */
  localStatuses(): Array<LiscalStatus | undefined> {
    const st = this.liscal.status();
    return this.resources.map((r) => st.byNmp.get(r.nmp));
  }

  /** The peer's status of an NMP; undefined when its agent cannot be asked or says nothing usable. */
  async peerStatus(nmp: number): Promise<LiscalStatus | undefined> {
    if (!this.client) return undefined;
    try {
      const d = decodeStatusReply(await call(toServer(this.client, this.peer), agentOps.status, { nmp }), nmp);
      if (d.problem) this.ctx.log.warn(d.problem);
      return d.status;
    } catch { return undefined; }
  }

  /** This server is listed first: it settles the link and is the initial construction's source. */
  private get localFirst(): boolean { return this.ctx.config.servers[0].name === this.ctx.local.name; }

  /** Both sides in server order (server1 first, as clpmdstat prints them). */
  async sides(r: MdResourceConfig): Promise<[Side, Side]> {
    const mine: Side = { server: this.ctx.local.name, status: this.localStatus(r.nmp) };
    return inServerOrder(this.localFirst, mine, { server: this.peer, status: await this.peerStatus(r.nmp) });
  }

  async view(name: string): Promise<MirrorView> {
    const r = this.resource(name);
    const sides = await this.sides(r);
    return { resource: name, sides, decision: decide(sides[0], sides[1]) };
  }

  private mdDeps(): MdDeps {
    return {
      liscal: this.liscal, platform: this.ctx.platform, events: this.ctx.events, local: this.ctx.local.name, peer: this.peer,
      localFirst: this.localFirst, peerStatus: (nmp) => this.peerStatus(nmp), mountsFile: this.opts.mountsFile, peerWaitMs: this.opts.peerWaitMs ?? 0,
    };
  }

  async activate(name: string, mount: boolean): Promise<void> { await activateMd(this.mdDeps(), this.resource(name), { mount }); }

  /** mdw (§12.5.6) of one resource; peerUp comes from membership. */
  async mdw(name: string, peerUp: boolean): Promise<MdCheckFailure | undefined> {
    const r = this.resources.find((x) => x.name === name);
    if (!r) return { code: 5, message: `Monitor config error.(${name})` };
    return mdwCheck({ resource: name, agentRunning: this.running, local: this.localStatus(r.nmp), peer: await this.peerStatus(r.nmp), peerUp });
  }

  /** mdnw (§12.5.7) of one resource. */
  mdnw(name: string): MdCheckFailure | undefined {
    const r = this.resources.find((x) => x.name === name);
    if (!r) return { code: 5, message: `Monitor config error.(${name})` };
    return mdnwCheck({ agentRunning: this.running, local: this.localStatus(r.nmp) });
  }
  async deactivate(name: string, strict = false): Promise<void> { await deactivateMd(this.mdDeps(), this.resource(name), { strict }); }

  /** One pass over every md: link, initial construction, automatic recovery, recovery ends. */
  async tick(): Promise<void> {
    if (this.ticking || !this.running) return;
    this.ticking = true;
    try {
      if (this.unbound().some((r) => !this.unbindHeld.has(r.nmp))) await this.bindAll();
      for (const r of this.resources) {
        try { await this.tickOne(r); } catch (e) { this.ctx.log.warn(`${r.name}: ${(e as Error).message}`); }
      }
    } finally { this.ticking = false; }
  }

  private async tickOne(r: MdResourceConfig): Promise<void> {
    const mine = this.localStatus(r.nmp);
    if (!mine?.bound) return;
    this.reportEnd(r, mine);
    const peer = await this.peerStatus(r.nmp);
    if (!peer?.bound) return;
    const [a, b] = inServerOrder(this.localFirst, { server: this.ctx.local.name, status: mine }, { server: this.peer, status: peer });
    const d = decide(a, b);
    if (mine.conn !== 'connected' || peer.conn !== 'connected') {
      // The server listed first settles the verdict, then dials; the other accepts.
      if (this.localFirst && mine.conn === 'disconnected' && (await this.settle(r, d, a, b))) {
        try { await this.liscal.connect(r.nmp); } catch (e) { this.ctx.log.debug(`${r.name}: connect: ${(e as Error).message}`); }
      }
      return;
    }
    this.held.delete(r.nmp);
    if (d.direction?.from !== this.ctx.local.name || this.watched.has(r.nmp)) return;
    if ((this.retryAt.get(r.nmp) ?? 0) > performance.now()) return;
    if (d.initial) return this.startRecovery(r, 'full', 'initial');
    if (autoRecovery(r.autoRecovery, d, a, b).run) return this.startRecovery(r, d.mode ?? 'diff', 'recovery');
  }

  /**
   * Before the link comes back: the connection's STATE exchange refreshes peergen, which
   * erases what tells the two histories apart. So the outdated side is declared so in its
   * metadata first (force red); a divergence keeps the link down until clpmdctrl --force.
   * Answers whether the link may be made.
   */
  private async settle(r: MdResourceConfig, d: MirrorDecision, a: Side, b: Side): Promise<boolean> {
    const hold = (why: string) => {
      if (!this.held.has(r.nmp)) this.ctx.log.warn(`${r.name}: mirror link kept down: ${why}`);
      this.held.add(r.nmp);
      return false;
    };
    if (d.case === 'needs-forced-recovery') return hold('both servers changed the data; choose one with clpmdctrl --force SERVER');
    if (d.case !== 'needs-recovery' || d.latest.length !== 1) return true;
    const out = [a, b].find((x) => x.server !== d.latest[0])!;
    if (out.status!.state === 'STALE') return true;
    if (out.status!.port === 'open') return hold(`${out.server} is active without the latest data`);
    if (out.server === this.ctx.local.name) await this.liscal.force(r.nmp, 'red');
    else {
      const reply = await this.askPeer(agentOps.force, { nmp: r.nmp, kind: 'red' });
      if (reply.code) return hold(`${out.server} refused to be declared outdated: ${reply.message ?? reply.code}`);
    }
    return true;
  }

  private async startRecovery(r: MdResourceConfig, mode: RecoverMode, kind: Watched['kind']): Promise<void> {
    const dev = nmpDevice(r.nmp);
    mode = this.licensedMode(mode);
    this.ctx.events.emit(ev.mdadm.recoveryMode, mode === 'diff' ? 'FastSync' : 'Full');
    try {
      await this.liscal.recover(r.nmp, mode);
    } catch (e) {
      this.ctx.events.emit(kind === 'initial' ? ev.mdadm.initialRecoveryFailed : ev.mdadm.recoveryFailed, recoveryReason.sourceAbnormal, dev);
      throw e;
    }
    this.watched.set(r.nmp, { kind });
    this.ctx.events.emit(kind === 'initial' ? ev.mdadm.initialRecoveryStarted : ev.mdadm.recoveryStarted, dev);
  }

  /** The end of a watched recovery: mdadm 6/18 on success, 5/19 on failure. */
  private reportEnd(r: MdResourceConfig, s: LiscalStatus): void {
    const w = this.watched.get(r.nmp);
    if (!w) return;
    const dev = nmpDevice(r.nmp);
    if (s.recovery === 'done' || (s.recovery === 'none' && s.state === 'SYNC')) {
      this.watched.delete(r.nmp);
      this.ctx.events.emit(w.kind === 'initial' ? ev.mdadm.initialRecoveryFinished : ev.mdadm.recoveryFinished, dev);
    } else if (s.recovery === 'failed' || s.recovery === 'stopped' || s.conn === 'disconnected') {
      this.watched.delete(r.nmp);
      this.retryAt.set(r.nmp, performance.now() + this.opts.retryDelay);
      this.ctx.events.emit(w.kind === 'initial' ? ev.mdadm.initialRecoveryFailed : ev.mdadm.recoveryFailed, recoveryReason.sourceAbnormal, dev);
    }
  }

  /** clpmdctrl --recovery: from whichever side holds the latest data. */
  async recovery(name: string): Promise<string> {
    const r = this.resource(name);
    const dev = nmpDevice(r.nmp);
    const [a, b] = await this.sides(r);
    const d = decide(a, b);
    const fail = (reason: string, why: string): never => { this.ctx.events.emit(ev.mdadm.recoveryFailed, reason, dev); throw new MdError(1, why); };
    if (d.case === 'recovering') fail(recoveryReason.inProgress, 'the recovery is in progress');
    if (d.case === 'unknown') fail(recoveryReason.sourceAbnormal, `the mirror state of ${!a.status?.bound ? a.server : b.server} cannot be checked`);
    if (d.case === 'normal') return 'the mirror is already normal';
    if (d.case === 'needs-forced-recovery' || !d.direction) fail(recoveryReason.noDirection, 'no server is known to hold the latest data: use clpmdctrl --force SERVER');
    const dst = [a, b].find((s) => s.server === d.direction!.to)!;
    if (dst.status?.port === 'open') fail(recoveryReason.destinationActive, `the mirror disk is active on ${dst.server}, the destination`);
    return this.recoverFrom(r, d.direction!.from, d.mode ?? 'full', d);
  }

  /** Stop a running recovery at its source (the copy runs there); the mirror stays broken
   * and the next recovery takes up what is still different. */
  async stopRecovery(name: string): Promise<string> {
    const r = this.resource(name);
    const d = decide(...(await this.sides(r)));
    if (d.case !== 'recovering' || !d.direction) throw new MdError(1, `no recovery of ${name} is running`);
    const from = d.direction.from;
    if (from === this.ctx.local.name) await this.stopRecoveryHere(r);
    else {
      const reply = await this.askPeer(agentOps.stopRecovery, { nmp: r.nmp });
      if (reply.code) throw new MdError(reply.code, reply.message ?? `${from} refused to stop the recovery`);
    }
    return `recovery ${from} -> ${d.direction.to} stopped`;
  }

  async stopRecoveryHere(r: MdResourceConfig): Promise<void> { await this.liscal.stopRecover(r.nmp); }

  /** Without the FastSync Option (FSO30) a differential recovery is a full copy. */
  private licensedMode(mode: RecoverMode): RecoverMode {
    return mode === 'diff' && this.opts.fastSync && !this.opts.fastSync() ? 'full' : mode;
  }

  async recoverFrom(r: MdResourceConfig, from: string, mode: RecoverMode, d?: MirrorDecision): Promise<string> {
    mode = this.licensedMode(mode); // the source's own licence decides too; this says what is asked
    const kind = d?.initial ? 'initial' : 'recovery';
    if (from === this.ctx.local.name) {
      await this.ensureConnected(r);
      await this.startRecovery(r, mode, kind);
    } else {
      const reply = await this.askPeer(agentOps.recover, { nmp: r.nmp, mode });
      if (reply.code) throw new MdError(reply.code, reply.message ?? `${from} refused the recovery`);
    }
    return `recovery ${from} -> ${from === this.ctx.local.name ? this.peer : this.ctx.local.name} (${mode === 'diff' ? 'FastSync' : 'full copy'}) started`;
  }

  private async ensureConnected(r: MdResourceConfig): Promise<void> {
    const s = this.localStatus(r.nmp);
    if (s?.conn === 'disconnected') await this.liscal.connect(r.nmp);
  }

  private async askPeer<A extends object>(op: Op<A, unknown>, args: A): Promise<ControlReply> {
    if (!this.client) throw mdError(1);
    try { return await call(toServer(this.client, this.peer), op, args); } catch (e) { throw new MdError(1, `${this.peer}: ${(e as Error).message}`); }
  }

  /**
   * clpmdctrl --force SERVER: SERVER's data becomes the latest. The other side is declared
   * outdated and a full copy runs; with the other server down (§11.10.6) SERVER alone is
   * declared latest, and its data is copied in full when the other returns.
   */
  async force(name: string, server: string): Promise<string> {
    const r = this.resource(name);
    if (server !== this.ctx.local.name && server !== this.peer) throw new MdError(2, `unknown server '${server}' (servers: ${this.ctx.local.name}, ${this.peer})`);
    if (server !== this.ctx.local.name) {
      const reply = await this.askPeer(agentOps.force, { nmp: r.nmp, kind: 'latest' });
      if (reply.code) throw new MdError(reply.code, reply.message ?? `${server} refused`);
      return reply.message ?? 'forced recovery started';
    }
    return this.forceHere(r);
  }

  /** This server's data becomes the latest; the peer, if it answers, is declared outdated and copied in full. */
  async forceHere(r: MdResourceConfig): Promise<string> {
    const peer = await this.peerStatus(r.nmp);
    if (peer?.port === 'open') {
      this.ctx.events.emit(ev.mdadm.recoveryFailed, recoveryReason.destinationActive, nmpDevice(r.nmp));
      throw new MdError(1, `the mirror disk is active on ${this.peer}, the destination`);
    }
    await this.liscal.force(r.nmp, 'latest');
    if (!peer?.bound) return `${this.ctx.local.name} now holds the latest data of ${r.name}; ${this.peer} is copied in full when it returns`;
    const red = await this.askPeer(agentOps.force, { nmp: r.nmp, kind: 'red' });
    if (red.code) throw new MdError(red.code, red.message ?? `${this.peer} refused to be declared outdated`);
    return this.recoverFrom(r, this.ctx.local.name, 'full');
  }
}
