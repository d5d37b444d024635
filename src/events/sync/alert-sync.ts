// The seed's alertsync daemon: every local alert-log entry is sent to the other servers on
// 29003/UDP and appended to their alert logs, so `clpalert` on either box shows both.
// Delivery is in order and survives lost datagrams: each receiver acknowledges the highest
// sequence it holds in order, and the sender resends what is not acknowledged, from a bounded
// queue (when a peer is away long enough for the queue to overflow, it misses the oldest).
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
  now?: () => number;
}

interface Stream { bootId: string; lastSeq: bigint; lastSendTime: number; retired: Set<string> }

export type SyncStats = { sent: number; received: number; resent: number; lost: number; dropped: Record<SyncDrop | 'foreign-cluster' | 'unknown-sender' | 'self' | 'replay', number> };

export class AlertSync {
  readonly type = 'alertsync';
  private sockets: dgram.Socket[] = [];
  private queue: Array<{ seq: bigint; entry: AlertEntry }> = [];
  private nextSeq = 1n;
  private readonly acked = new Map<string, bigint>();
  private readonly streams = new Map<string, Stream>();
  private resendTimer?: NodeJS.Timeout;
  private readonly now: () => number;
  readonly stats: SyncStats = { sent: 0, received: 0, resent: 0, lost: 0, dropped: { truncated: 0, 'bad-magic': 0, 'bad-version': 0, 'bad-hmac': 0, 'bad-shape': 0, 'foreign-cluster': 0, 'unknown-sender': 0, self: 0, replay: 0 } };

  constructor(private readonly o: AlertSyncOptions) {
    this.now = o.now ?? Date.now;
    for (const s of o.servers) if (s !== o.server) this.acked.set(s, 0n);
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

  private packet(kind: SyncPacket['kind'], seq: bigint, bootId: Buffer, entry?: AlertEntry): SyncPacket {
    return { kind, cluster: this.o.cluster, sender: this.o.server, bootId, seq, base: this.queue[0]?.seq ?? this.nextSeq, sendTime: this.now(), entry };
  }

  private sendTo(peer: string, buf: Buffer): void {
    if (buf.length > MAX_DATAGRAM) { this.o.log.warn(`alertsync: entry of ${buf.length} bytes not sent`); return; }
    this.o.links.forEach((link, i) => {
      const addr = link.peers[peer];
      if (addr && this.sockets[i]) this.sockets[i].send(buf, this.o.port, addr, () => { /* unreachable peers are normal */ });
    });
  }

  private sendEntry(peer: string, item: { seq: bigint; entry: AlertEntry }): void {
    this.sendTo(peer, encodeSync(this.packet('entry', item.seq, this.o.bootId, item.entry), this.o.key));
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
      if (!p.bootId.equals(this.o.bootId)) return this.drop('replay');
      if (p.seq > this.acked.get(p.sender)!) { this.acked.set(p.sender, p.seq); this.trim(); }
      return;
    }
    const boot = p.bootId.toString('hex');
    let st = this.streams.get(p.sender);
    if (!st || st.bootId !== boot) {
      // A new stream is a restart of the sender only if its boot id is new and its clock later.
      if (st && (st.retired.has(boot) || p.sendTime <= st.lastSendTime)) return this.drop('replay');
      const retired = st ? new Set([...st.retired, st.bootId]) : new Set<string>();
      st = { bootId: boot, lastSeq: p.base - 1n, lastSendTime: 0, retired };
      this.streams.set(p.sender, st);
    }
    if (p.seq === st.lastSeq + 1n || (p.seq === p.base && p.base > st.lastSeq + 1n)) {
      if (p.seq !== st.lastSeq + 1n) this.o.log.warn(`alertsync: ${p.sender} lost ${p.base - st.lastSeq - 1n} entries while we were away`);
      st.lastSeq = p.seq;
      st.lastSendTime = Math.max(st.lastSendTime, p.sendTime);
      this.o.alert.append(p.entry!);
      this.stats.received++;
    }
    // Anything else is a duplicate or comes after a gap that the sender's resend will fill.
    this.sendTo(p.sender, encodeSync(this.packet('ack', st.lastSeq, p.bootId), this.o.key));
  }
}
