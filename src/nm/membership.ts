// The membership role (nm): drives the transports every interval, feeds the state machine,
// and turns its transitions into nm events (seed §12.1) and role events for rc.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ev } from '../events/ids';
import { decode, dropReasons, encode, VERSION, type DropReason } from '../heartbeat/codec';
import { ComTransport } from '../heartbeat/com';
import { DiskTransport } from '../heartbeat/disk';
import { loadDirectIO } from '../heartbeat/directio';
import { LanTransport } from '../heartbeat/lan';
import type { Transport } from '../heartbeat/transport';
import type { Role, RuntimeContext } from '../core/context';
import type { Logger } from '../logger';
import { MembershipState, type Transition } from './state';
import type { MembershipView } from './types';

export interface MembershipStats {
  sent: number;
  received: number;
  dropped: Record<string, Record<DropReason, number>>;
}

export class Membership extends EventEmitter implements Role {
  readonly type = 'nm';
  private readonly state: MembershipState;
  private readonly transports: Transport[];
  private timer?: NodeJS.Timeout;
  private checker?: NodeJS.Timeout;
  /** Starts at the monotonic clock's nanoseconds: a daemon started again in this process (clpcl -t,
   *  -s) keeps the boot id, so it must go on above every sequence the peer already has. */
  private seq = process.hrtime.bigint();
  private readonly st: MembershipStats;
  private readonly log: Logger;

  /**
   * `now` is the wall clock, used only for clptoratio's end (given in wall time); silence is
   * measured on `mono`, a monotonic clock, so a step of the local clock neither brings a peer
   * down (forward) nor keeps a dead one up (back). The state machine sees only `mono`.
   */
  constructor(
    private readonly ctx: RuntimeContext,
    transports?: Transport[],
    private readonly now: () => number = Date.now,
    private readonly mono: () => number = () => performance.now(),
  ) {
    super();
    const c = ctx.config;
    this.state = new MembershipState({
      cluster: c.cluster.name, servers: c.servers.map((s) => s.name), heartbeats: c.heartbeats,
      local: ctx.local.index, timeout: c.timeouts.hbTimeout, bootId: ctx.bootId,
    });
    const log = this.log = ctx.log.child('nm');
    const direct = c.heartbeats.some((h) => h.type === 'diskhb') ? loadDirectIO() : undefined;
    this.transports = transports ?? c.heartbeats.map((hb): Transport => {
      switch (hb.type) {
        case 'lanhb': return new LanTransport(hb, ctx.local.name, log.child('lanhb'));
        case 'comhb': return new ComTransport(hb, ctx.local.name, ctx.events, log.child('comhb'));
        case 'diskhb': return new DiskTransport(hb, ctx.local.name, ctx.local.index, c.servers.length, ctx.events, log.child('diskhb'), direct!);
      }
    });
    const zero = () => Object.fromEntries(dropReasons.map((r) => [r, 0])) as Record<DropReason, number>;
    this.st = { sent: 0, received: 0, dropped: Object.fromEntries(c.heartbeats.map((h) => [h.name, zero()])) };
  }

  async start(): Promise<void> {
    const c = this.ctx.config;
    await Promise.all(this.transports.map((t, i) => t.start((buf) => this.receive(buf, i))));
    this.transports.forEach((t, i) => {
      this.state.localUsable[i] = t.usable;
      if (t.usable) this.ctx.events.emit(ev.nm.heartbeatUp, t.name, this.ctx.local.name);
      else this.ctx.events.emit(ev.nm.heartbeatUnknown, t.name, this.ctx.local.name);
    });
    this.beat();
    this.timer = setInterval(() => this.beat(), c.timeouts.hbInterval);
    this.check();
  }

  /** Timeouts are checked at the earliest deadline, not on the send interval: detection
   * comes when the timeout expires, and an idle pair wakes only as often as it must. */
  private check(): void {
    if (this.checker) clearTimeout(this.checker);
    if (!this.timer) return; // stopped
    const now = this.mono();
    this.apply(this.state.tick(now));
    const next = this.state.nextDeadline(now);
    const interval = this.ctx.config.timeouts.hbInterval;
    this.checker = setTimeout(() => this.check(), next === undefined ? interval : Math.min(interval, Math.max(1, next - now)));
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.checker) clearTimeout(this.checker);
    this.timer = this.checker = undefined;
    await Promise.all(this.transports.map((t) => t.stop()));
  }

  private beat(): void {
    this.transports.forEach((t, i) => {
      if (t.usable !== this.state.localUsable[i]) {
        this.state.localUsable[i] = t.usable;
        this.ctx.events.emit(t.usable ? ev.nm.heartbeatUp : ev.nm.heartbeatDown, t.name, this.ctx.local.name);
      }
    });
    if (!this.state.suspended) {
      const seq = ++this.seq;
      const echo = this.state.echoRow();
      const view = this.state.localRow();
      // One packet per link, naming it, so a packet cannot be replayed on another link.
      this.transports.forEach((t, hb) => {
        t.send(encode({
          cluster: this.ctx.config.cluster.name, sender: this.ctx.local.name, senderIndex: this.ctx.local.index, hb,
          bootId: this.ctx.bootId, seq, suspended: false, ratio: this.state.ratio, ratioUntil: this.toWall(this.state.ratioUntil), view, echo,
        }, this.ctx.key));
        this.st.sent++;
      });
    }
    for (const t of this.transports) t.poll?.();
  }

  private receive(buf: Buffer, hb: number): void {
    const name = this.ctx.config.heartbeats[hb].name;
    const d = decode(buf, this.ctx.key);
    if (!d.ok) {
      if (d.reason === 'bad-version' && !this.st.dropped[name]['bad-version']) this.log.warn(`${name}: a packet of another heartbeat protocol version (a peer running another release?); only version ${VERSION} is understood`);
      this.st.dropped[name][d.reason]++;
      return;
    }
    const r = this.state.accept(d.packet, hb, this.mono());
    if (!r.ok) { this.st.dropped[name][r.reason]++; return; }
    this.st.received++;
    this.apply(r.transitions);
  }

  private apply(ts: Transition[]): void {
    for (const t of ts) {
      switch (t.kind) {
        case 'server-up': this.ctx.events.emit(ev.nm.serverUp, t.server); break;
        case 'server-down': this.ctx.events.emit(ev.nm.serverDown, t.server); break;
        case 'hb-up': this.ctx.events.emit(ev.nm.heartbeatUp, t.hb, t.server); break;
        case 'hb-down': this.ctx.events.emit(ev.nm.heartbeatDown, t.hb, t.server); break;
        case 'peer-restarted': break;
      }
      this.emit(t.kind, t.server);
    }
  }

  view(): MembershipView {
    const v = this.state.view(this.mono());
    if (v.ratio.until !== undefined) v.ratio.until = this.toWall(v.ratio.until);
    return v;
  }
  isUp(server: string): boolean { return this.state.isUp(server); }
  stats(): MembershipStats { return JSON.parse(JSON.stringify(this.st)); }

  /** Multiply every timeout by `value` until `until` (epoch ms): clptoratio -r. */
  setRatio(value: number, until: number): void { this.state.ratio = value; this.state.ratioUntil = this.toMono(until); this.check(); }
  clearRatio(): void { this.state.ratio = 1; this.state.ratioUntil = 0; this.check(); }

  suspend(): void { this.state.suspended = true; }
  /** Resume; ctx.config may have been re-read while suspended (seed §6.1.4): the heartbeat
   * interval and timeout in it take effect now. */
  resume(): void {
    const t = this.ctx.config.timeouts;
    this.state.setTimeout(t.hbTimeout);
    if (this.timer) { clearInterval(this.timer); this.timer = setInterval(() => this.beat(), t.hbInterval); }
    this.state.refresh(this.mono()); this.state.suspended = false; this.check();
  }


  /** clptoratio's end between wall time and the monotonic clock (0: none). */
  private toMono(wall: number): number { return wall ? Math.max(1, this.mono() + (wall - this.now())) : 0; }
  private toWall(mono: number): number { return mono ? Math.round(this.now() + (mono - this.mono())) : 0; }
}

export function createMembership(ctx: RuntimeContext): Membership {
  return new Membership(ctx);
}

export const newBootId = (): Buffer => randomBytes(16);
