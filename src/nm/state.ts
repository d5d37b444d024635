// Membership state machine (the seed's nm), pure and clock-injected: packets in, ticks in,
// transitions out. A heartbeat of a server is alive while its packets arrive within the
// timeout; a server is up while any of its heartbeats is alive and a new sequence of its
// arrived, on any heartbeat, within the timeout. The peer sends one sequence on every link
// per interval, so a packet a slower link (the polled disk, a COM relay) delivers after a
// faster one brought it or a later one is no news: the slowest link does not hold a dead
// server up for its lag.
// Freshness never uses the senders' clocks. A boot of a peer counts only once one of its
// packets echoes our current boot id (it was alive during this boot of ours: a stale disk
// slot or a replayed packet of an earlier boot cannot do that); after that its packets are
// accepted while their per-boot sequence rises on each heartbeat.
import { noEcho, type DropReason, type Echo, type HeartbeatPacket } from '../heartbeat/codec';
import type { HbCell, MembershipView } from './types';

export type Transition =
  | { kind: 'server-up' | 'server-down'; server: string }
  | { kind: 'hb-up' | 'hb-down'; server: string; hb: string }
  | { kind: 'peer-restarted'; server: string };

interface Peer {
  /** The confirmed boot: it echoed our current boot. */
  bootId?: string;
  /** Its highest sequence accepted, on any heartbeat (what we echo back). */
  seq: bigint;
  /** The highest of our sequences it echoed: a later boot of the peer must echo a higher one. */
  echoed: bigint;
  /** The last boot heard that is not confirmed (yet): echoed while none is confirmed. */
  heard?: Echo;
  retired: Set<string>;
  lastSeq: Array<bigint | undefined>;
  lastHeard: Array<number | undefined>;
  /** When its highest sequence first arrived: the last moment it was known alive. */
  freshAt: number;
  alive: boolean[];
  up: boolean;
  view?: HbCell[][];
  suspended: boolean;
}

export interface StateOptions {
  cluster: string;
  servers: string[];
  heartbeats: Array<{ name: string; type: string }>;
  local: number;
  timeout: number;
  /** This boot of the local server. */
  bootId: Buffer;
}

export class MembershipState {
  private readonly peers: Array<Peer | undefined>;
  /** Whether each local heartbeat transport works (device present, socket bound). */
  readonly localUsable: boolean[];
  ratio = 1;
  ratioUntil = 0;
  suspended = false;

  constructor(private readonly o: StateOptions) {
    const H = o.heartbeats.length;
    this.peers = o.servers.map((_, i) => (i === o.local ? undefined : {
      retired: new Set<string>(), seq: 0n, echoed: 0n, lastSeq: Array(H).fill(undefined), lastHeard: Array(H).fill(undefined), freshAt: 0,
      alive: Array(H).fill(false), up: false, suspended: false,
    }));
    this.localUsable = Array(H).fill(true);
  }

  setTimeout(ms: number): void { this.o.timeout = ms; }

  timeout(now: number): number {
    if (this.ratioUntil && now >= this.ratioUntil) { this.ratio = 1; this.ratioUntil = 0; }
    return this.o.timeout * this.ratio;
  }

  /** Check a decoded packet received on heartbeat `hb`; record it if acceptable. */
  accept(p: HeartbeatPacket, hb: number, now: number): { ok: true; transitions: Transition[] } | { ok: false; reason: DropReason } {
    if (p.cluster !== this.o.cluster) return { ok: false, reason: 'foreign-cluster' };
    const idx = this.o.servers.indexOf(p.sender);
    if (idx < 0 || idx !== p.senderIndex) return { ok: false, reason: 'unknown-sender' };
    if (idx === this.o.local) return { ok: false, reason: 'self' };
    if (p.view.length !== this.o.servers.length || p.echo.length !== this.o.servers.length || p.view.some((r) => r.length !== this.o.heartbeats.length)) return { ok: false, reason: 'bad-shape' };
    if (p.hb !== hb) return { ok: false, reason: 'wrong-heartbeat' };
    const peer = this.peers[idx]!;
    const boot = p.bootId.toString('hex');
    const transitions: Transition[] = [];
    if (boot !== peer.bootId) {
      if (peer.retired.has(boot)) return { ok: false, reason: 'replay' };
      const echo = p.echo[this.o.local];
      if (!echo.bootId.equals(this.o.bootId)) {
        // A stale slot, a replay of an earlier boot, or a peer's first packets: echo it, so a
        // live peer can confirm us, but it counts for nothing.
        if (!peer.bootId) peer.heard = { bootId: p.bootId, seq: p.seq };
        return { ok: false, reason: 'unconfirmed' };
      }
      // A boot that echoes an older sequence of ours than the current one did ran before it:
      // a delayed or replayed packet of an earlier boot of the peer.
      if (echo.seq <= peer.echoed) return { ok: false, reason: 'replay' };
      if (peer.bootId) {
        peer.retired.add(peer.bootId);
        transitions.push({ kind: 'peer-restarted', server: p.sender });
        // Back before its heartbeats timed out (a fast reset): it went down all the same, with
        // whatever it held. Down now, up again just below, so its groups fail over.
        if (peer.up) { peer.up = false; transitions.push({ kind: 'server-down', server: p.sender }); }
      }
      peer.bootId = boot;
      peer.heard = undefined;
      peer.seq = 0n;
      peer.lastSeq.fill(undefined);
    } else {
      const last = peer.lastSeq[hb];
      if (last !== undefined && p.seq <= last) return { ok: false, reason: 'replay' };
    }
    const news = p.seq > peer.seq;
    // Down since its last news: an older packet a slow link still held does not bring it back.
    if (!peer.up && !news) return { ok: false, reason: 'late' };
    const echo = p.echo[this.o.local];
    if (echo.bootId.equals(this.o.bootId) && echo.seq > peer.echoed) peer.echoed = echo.seq;
    peer.lastSeq[hb] = p.seq;
    peer.lastHeard[hb] = now;
    if (news) {
      peer.seq = p.seq;
      peer.freshAt = now;
      peer.view = p.view;
      peer.suspended = p.suspended;
    }
    if (!peer.alive[hb]) {
      peer.alive[hb] = true;
      transitions.push({ kind: 'hb-up', server: p.sender, hb: this.o.heartbeats[hb].name });
    }
    if (!peer.up) {
      peer.up = true;
      transitions.push({ kind: 'server-up', server: p.sender });
    }
    return { ok: true, transitions };
  }

  /** Time out silent heartbeats and servers. While suspended nothing times out. */
  tick(now: number): Transition[] {
    const out: Transition[] = [];
    if (this.suspended) return out;
    const limit = this.timeout(now);
    this.peers.forEach((peer, s) => {
      if (!peer) return;
      const silent = now - peer.freshAt > limit;
      peer.alive.forEach((alive, h) => {
        if (alive && (silent || now - (peer.lastHeard[h] ?? 0) > limit)) {
          peer.alive[h] = false;
          out.push({ kind: 'hb-down', server: this.o.servers[s], hb: this.o.heartbeats[h].name });
        }
      });
      if (peer.up && !peer.alive.some(Boolean)) {
        peer.up = false;
        peer.view = undefined;
        out.push({ kind: 'server-down', server: this.o.servers[s] });
      }
    });
    return out;
  }

  /** When the next heartbeat would time out if nothing arrives (undefined: none is alive). */
  nextDeadline(now: number): number | undefined {
    if (this.suspended) return undefined;
    const limit = this.timeout(now);
    let next: number | undefined;
    for (const peer of this.peers) {
      peer?.alive.forEach((alive, h) => {
        const d = Math.min(peer.lastHeard[h] ?? 0, peer.freshAt) + limit + 1;
        if (alive && (next === undefined || d < next)) next = d;
      });
    }
    return next;
  }

  /** Restart every silence clock (after resume), so nobody is declared down for the pause. */
  refresh(now: number): void {
    for (const p of this.peers) if (p) { p.lastHeard = p.lastHeard.map((t) => (t === undefined ? t : now)); p.freshAt = now; }
  }

  /** What we echo of every server: its confirmed boot, else the last one heard. */
  echoRow(): Echo[] {
    return this.peers.map((peer) => {
      if (!peer) return noEcho();
      if (peer.bootId) return { bootId: Buffer.from(peer.bootId, 'hex'), seq: peer.seq };
      return peer.heard ?? noEcho();
    });
  }

  isUp(server: string): boolean {
    const i = this.o.servers.indexOf(server);
    return i === this.o.local || !!this.peers[i]?.up;
  }

  /** The local server's row: what it sees of every server on every heartbeat. */
  localRow(): HbCell[][] {
    return this.o.servers.map((_, s) => this.o.heartbeats.map((_, h) => {
      if (s === this.o.local) return this.localUsable[h] ? 'o' : 'x';
      return this.peers[s]!.alive[h] ? 'o' : 'x';
    }));
  }

  view(now: number): MembershipView {
    const S = this.o.servers.length, H = this.o.heartbeats.length;
    const dash = (): HbCell[][] => Array.from({ length: S }, () => Array<HbCell>(H).fill('-'));
    const matrix = this.o.servers.map((_, obs) => {
      if (obs === this.o.local) return this.localRow();
      const p = this.peers[obs]!;
      return p.up && p.view ? p.view : dash();
    });
    this.timeout(now);
    return {
      cluster: this.o.cluster,
      local: this.o.servers[this.o.local],
      servers: this.o.servers.map((name, index) => ({ name, index, status: this.isUp(name) ? 'Online' : 'Offline' })),
      heartbeats: this.o.heartbeats.map((h, index) => ({ name: h.name, index, type: h.type })),
      matrix,
      ratio: this.ratioUntil ? { value: this.ratio, until: this.ratioUntil } : { value: 1 },
      timeoutMs: this.o.timeout,
      suspended: this.suspended,
    };
  }
}
