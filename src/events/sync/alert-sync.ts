// The seed's alertsync daemon: every local alert-log entry is sent to the other servers on
// 29003/UDP and appended to their alert logs, so `clpalert` on either box shows both.
// Delivery is in order and survives lost datagrams: each receiver acknowledges the highest
// sequence it holds in order, and the sender resends what is not acknowledged, from a bounded
// queue (when a peer is away long enough for the queue to overflow, it misses the oldest).
// Freshness without clocks: an entry counts only if it echoes the receiver's current boot
// (the receiver's acks tell the sender that boot), so an entry of an earlier boot replayed,
// or one written before the receiver started, is refused; within a boot of the sender, its
// sequence orders entries. Every sender boot that echoed ours keeps its own stream, so no
// boot, whatever its clock, can lock out another.
import * as dgram from 'node:dgram';
import type { Logger } from '../../logger';
import type { AlertEntry, AlertLog } from '../sinks/alert';
import { decodeSync, encodeSync, MAX_DATAGRAM, type SyncDrop, type SyncPacket } from './codec';

export interface SyncLink {
  /** This server's address on one interconnect. */
  local: string;
  /** The other servers' addresses on that interconnect. */
  peers: Record<string, string>;
}

export interface AlertSyncOptions {
  cluster: string;
  server: string;
  servers: string[];
  bootId: Buffer;
  key: Buffer;
  port: number;
  links: SyncLink[];
  alert: AlertLog;
  log: Logger;
  resendMs?: number;
  queueMax?: number;
}

/** One boot of a sender, as this receiver holds it: the highest sequence appended in order. */
interface Stream { lastSeq: bigint }
/** Streams kept per sender: the boots of the peer seen during one boot of ours. */
const STREAMS_MAX = 8;
const none = Buffer.alloc(16);

export type SyncStats = { sent: number; received: number; resent: number; lost: number; dropped: Record<SyncDrop | 'foreign-cluster' | 'unknown-sender' | 'self' | 'replay' | 'unconfirmed', number> };

export class AlertSync {
  readonly type = 'alertsync';
  private sockets: dgram.Socket[] = [];
  private queue: Array<{ seq: bigint; entry: AlertEntry }> = [];
  private nextSeq = 1n;
  private readonly acked = new Map<string, bigint>();
  /** Per sender, per boot of it (hex), in the order first seen. */
  private readonly streams = new Map<string, Map<string, Stream>>();
  /** The current boot of each peer, as its acks and entries tell. */
  private readonly peerBoot = new Map<string, Buffer>();
  private resendTimer?: NodeJS.Timeout;
  readonly stats: SyncStats = { sent: 0, received: 0, resent: 0, lost: 0, dropped: { truncated: 0, 'bad-magic': 0, 'bad-version': 0, 'bad-hmac': 0, 'bad-shape': 0, 'foreign-cluster': 0, 'unknown-sender': 0, self: 0, replay: 0, unconfirmed: 0 } };

  constructor(private readonly o: AlertSyncOptions) {
    for (const s of o.servers) if (s !== o.server) { this.acked.set(s, 0n); this.streams.set(s, new Map()); }
  }

  async start(): Promise<void> {
    for (const link of this.o.links) {
      const sock = dgram.createSocket({ type: 'udp4', reuseAddr: false });
      sock.on('message', (buf) => this.receive(buf));
      sock.on('error', (e) => this.o.log.warn(`alertsync ${link.local}: ${e.message}`));
      await new Promise<void>((resolve, reject) => {
        sock.once('error', reject);
        sock.bind(this.o.port, link.local, () => { sock.off('error', reject); resolve(); });
      });
      this.sockets.push(sock);
    }
    this.o.alert.onLocal = (e) => this.push(e);
  }

  async stop(): Promise<void> {
    this.o.alert.onLocal = undefined;
    if (this.resendTimer) clearInterval(this.resendTimer);
    this.resendTimer = undefined;
    await Promise.all(this.sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.sockets = [];
  }

  private push(entry: AlertEntry): void {
    const item = { seq: this.nextSeq++, entry };
    this.queue.push(item);
    if (this.queue.length > (this.o.queueMax ?? 1000)) { this.queue.shift(); this.stats.lost++; }
    for (const peer of this.acked.keys()) this.sendEntry(peer, item);
    this.armResend();
  }

  private packet(kind: SyncPacket['kind'], seq: bigint, echo: Buffer, entry?: AlertEntry): SyncPacket {
    return { kind, cluster: this.o.cluster, sender: this.o.server, bootId: this.o.bootId, echo, seq, base: this.queue[0]?.seq ?? this.nextSeq, entry };
  }

  private sendTo(peer: string, buf: Buffer): void {
    if (buf.length > MAX_DATAGRAM) { this.o.log.warn(`alertsync: entry of ${buf.length} bytes not sent`); return; }
    this.o.links.forEach((link, i) => {
      const addr = link.peers[peer];
      if (addr && this.sockets[i]) this.sockets[i].send(buf, this.o.port, addr, () => { /* unreachable peers are normal */ });
    });
  }

  private sendEntry(peer: string, item: { seq: bigint; entry: AlertEntry }): void {
    this.sendTo(peer, encodeSync(this.packet('entry', item.seq, this.peerBoot.get(peer) ?? none, item.entry), this.o.key));
    this.stats.sent++;
  }

  /** Resend only while something is unacknowledged: an idle pair sends nothing. */
  private armResend(): void {
    if (this.resendTimer) return;
    this.resendTimer = setInterval(() => {
      let pending = false;
      for (const [peer, acked] of this.acked) {
        const missing = this.queue.filter((q) => q.seq > acked).slice(0, 32);
        for (const item of missing) { this.sendEntry(peer, item); this.stats.resent++; }
        pending ||= missing.length > 0;
      }
      if (!pending) { clearInterval(this.resendTimer); this.resendTimer = undefined; }
    }, this.o.resendMs ?? 1000);
    this.resendTimer.unref();
  }

  private trim(): void {
    const min = [...this.acked.values()].reduce((a, b) => (a < b ? a : b), this.nextSeq);
    while (this.queue.length && this.queue[0].seq <= min) this.queue.shift();
  }

  private drop(reason: keyof SyncStats['dropped']): void { this.stats.dropped[reason]++; }

  receive(buf: Buffer): void {
    const d = decodeSync(buf, this.o.key);
    if (!d.ok) return this.drop(d.reason);
    const p = d.packet;
    if (p.cluster !== this.o.cluster) return this.drop('foreign-cluster');
    if (p.sender === this.o.server) return this.drop('self');
    if (!this.acked.has(p.sender)) return this.drop('unknown-sender');
    if (p.kind === 'entry' && p.entry!.server !== p.sender) return this.drop('bad-shape');
    if (p.kind === 'ack') {
      if (!p.echo.equals(this.o.bootId)) return this.drop('replay');
      this.peerBoot.set(p.sender, p.bootId);
      if (p.seq > this.acked.get(p.sender)!) { this.acked.set(p.sender, p.seq); this.trim(); }
      return;
    }
    if (!p.echo.equals(this.o.bootId)) {
      // Written before this boot of ours (a replay, or a sender that has not heard us yet):
      // refused, and answered with an ack naming our boot, so a live sender resends.
      this.drop('unconfirmed');
      this.sendTo(p.sender, encodeSync(this.packet('ack', 0n, p.bootId), this.o.key));
      return;
    }
    this.peerBoot.set(p.sender, p.bootId);
    const streams = this.streams.get(p.sender)!;
    const boot = p.bootId.toString('hex');
    let st = streams.get(boot);
    if (!st) {
      st = { lastSeq: p.base - 1n };
      streams.set(boot, st);
      if (streams.size > STREAMS_MAX) streams.delete(streams.keys().next().value!);
    }
    if (p.seq === st.lastSeq + 1n || (p.seq === p.base && p.base > st.lastSeq + 1n)) {
      if (p.seq !== st.lastSeq + 1n) this.o.log.warn(`alertsync: ${p.sender} lost ${p.base - st.lastSeq - 1n} entries while we were away`);
      st.lastSeq = p.seq;
      this.o.alert.append(p.entry!);
      this.stats.received++;
    }
    // Anything else is a duplicate or comes after a gap that the sender's resend will fill.
    this.sendTo(p.sender, encodeSync(this.packet('ack', st.lastSeq, p.bootId), this.o.key));
  }
}
