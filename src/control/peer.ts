// Server-to-server control on ports.internal (29001/TCP), bound only to this server's
// interconnect addresses. Each connection carries one request, authenticated by a
// challenge: the server sends a fresh random nonce; the request carries
// HMAC(key, nonce | sender | request) and the reply HMAC(key, nonce | "reply" | reply).
// A captured exchange cannot be replayed (the nonce is new each time); anything else
// is dropped and counted. The same channel serves the mirror agents (ports.mirrorAgent,
// 29004/TCP) with their own registry; a channel name other than '' is signed too, so a
// message made for one channel is refused by the other. A request claiming to come from this
// server itself is refused: it can only be one of ours reflected back by someone on the path.
//
// A request is sent once: the server never cuts a connection whose handler runs (its
// deadline stops when the request has arrived), and the client tries the next interconnect
// address only when the request could not be delivered on this one.
//
// Before a connection has sent a valid request it holds a place in a bounded pool (PeerLimits):
// a flood of silent, trickling, oversized or forged connections closes its own oldest, never
// the configured peers' (their addresses have a pool of their own).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as net from 'node:net';
import type { Logger } from '../logger';
import type { Registry } from './registry';
import type { ControlReply, ControlRequest, PeerControl } from './types';

/** The longest reply a client reads (replies carry lists: alert log entries, statuses). */
const MAX_REPLY = 1 << 20;
/** A connection must have sent its signed request this long after it was opened; a running
 * handler is not limited. */
export const AUTH_MS = 5000;

/** The request reached the server (or may have): sending it again could run it twice. */
class SentError extends Error {}

const sign = (key: Buffer, channel: string, ...parts: string[]) => createHmac('sha256', key).update((channel ? [channel, ...parts] : parts).join('\n')).digest('hex');
function same(a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** What a listener holds for connections that have not yet sent a valid request
 * (docs/security.md): a flood is bounded by these, not by the heap. */
export interface PeerLimits {
  /** Unauthenticated connections at once from addresses that are not a configured peer's;
   * a new one closes the oldest, so a flood cannot keep a late real client out. */
  maxPending: number;
  /** ... from one such address (the oldest of that address is closed first). */
  maxPendingPerSource: number;
  /** ... from one configured peer address: a pool of its own, so a flood from elsewhere never
   * takes the peer's room; beyond it new connections are refused (only a spoofer gets there). */
  maxPendingPerPeer: number;
  /** A connection must have sent its whole signed request within this time (not reset by
   * traffic, so a byte now and then does not keep it). */
  authMs: number;
  /** The longest request line in bytes; the requests are op names and short arguments. A longer
   * one closes the connection before it is kept. */
  maxRequest: number;
}

export const defaultPeerLimits: PeerLimits = { maxPending: 64, maxPendingPerSource: 8, maxPendingPerPeer: 32, authMs: AUTH_MS, maxRequest: 16384 };

const source = (c: net.Socket) => (c.remoteAddress ?? '').replace(/^::ffff:/, '');

export class PeerServer {
  private servers: net.Server[] = [];
  readonly dropped = { auth: 0, malformed: 0, reflected: 0, oversize: 0, late: 0, evicted: 0, refused: 0 };
  /** Unauthenticated connections, oldest first: all non-peer ones, and per source address. */
  private readonly pendingOthers = new Map<net.Socket, string>();
  private readonly pendingBySource = new Map<string, Set<net.Socket>>();
  /** Every open connection: stop() ends them, as a request still being served would keep
   * close() waiting (a peer cut off by a partition never closes its end). */
  private readonly open = new Set<net.Socket>();
  private readonly limits: PeerLimits;
  private readonly peerAddresses: Set<string>;

  constructor(
    private readonly addresses: string[],
    private readonly port: number,
    private readonly key: Buffer,
    /** This server: a request claiming to come from it is refused. */
    private readonly self: string,
    private readonly knownServers: string[],
    private readonly registry: Registry,
    private readonly log: Logger,
    /** '' for the control channel (29001); e.g. 'mdagent' for the mirror agents' (29004). */
    private readonly channel = '',
    opts: { peerAddresses?: string[]; limits?: Partial<PeerLimits> } = {},
  ) {
    this.limits = { ...defaultPeerLimits, ...opts.limits };
    this.peerAddresses = new Set(opts.peerAddresses ?? []);
  }

  /** Addresses actually listened on (0: the channel could not be opened at all). */
  get listening(): number { return this.servers.length; }

  /** Connections that have not (yet) sent a valid request. */
  get pending(): number { let n = 0; for (const s of this.pendingBySource.values()) n += s.size; return n; }

  private get label(): string { return this.channel ? `${this.channel} channel` : 'peer control'; }

  async start(): Promise<void> {
    for (const addr of this.addresses) {
      const s = net.createServer((c) => this.admit(c));
      await new Promise<void>((resolve) => {
        s.once('error', (e) => { this.log.warn(`${this.label} ${addr}:${this.port}: ${e.message}`); resolve(); });
        s.listen({ host: addr, port: this.port, exclusive: true }, () => { this.servers.push(s); resolve(); });
      });
    }
  }

  /** Count a new connection against its pool, closing the oldest when a pool is full. */
  private admit(conn: net.Socket): void {
    const src = source(conn);
    const peer = this.peerAddresses.has(src);
    const mine = this.pendingBySource.get(src) ?? new Set<net.Socket>();
    if (peer && mine.size >= this.limits.maxPendingPerPeer) { this.dropped.refused++; conn.destroy(); return; }
    const evict = (o: net.Socket, from: string) => { this.dropped.evicted++; o.destroy(); this.forget(o, from); };
    if (!peer && mine.size >= this.limits.maxPendingPerSource) evict(mine.values().next().value!, src);
    if (!peer && this.pendingOthers.size >= this.limits.maxPending) evict(...this.pendingOthers.entries().next().value!);
    mine.add(conn);
    this.pendingBySource.set(src, mine);
    if (!peer) this.pendingOthers.set(conn, src);
    this.open.add(conn);
    conn.on('close', () => this.open.delete(conn));
    this.serve(conn, src);
  }

  private forget(conn: net.Socket, src: string): void {
    this.pendingOthers.delete(conn);
    const mine = this.pendingBySource.get(src);
    if (mine?.delete(conn) && mine.size === 0) this.pendingBySource.delete(src);
  }

  private serve(conn: net.Socket, src: string): void {
    const nonce = randomBytes(16).toString('hex');
    // Raw chunks, joined once: a string grown chunk by chunk up to 1 MiB and searched from its
    // start at each chunk was what made a connection with a partial request cost over 1 MiB.
    const chunks: Buffer[] = [];
    let size = 0;
    const deadline = setTimeout(() => this.drop(conn, 'late'), this.limits.authMs);
    conn.on('close', () => { clearTimeout(deadline); this.forget(conn, src); });
    conn.on('error', () => conn.destroy());
    conn.write(JSON.stringify({ nonce }) + '\n');
    const onData = (chunk: Buffer) => {
      const nl = chunk.indexOf(0x0a);
      if (size + (nl < 0 ? chunk.length : nl) > this.limits.maxRequest) return this.drop(conn, 'oversize');
      if (nl < 0) { chunks.push(chunk); size += chunk.length; return; }
      // One request per connection: anything after it (a second copy included) is ignored.
      conn.off('data', onData);
      conn.on('data', () => undefined);
      clearTimeout(deadline);
      chunks.push(chunk.subarray(0, nl));
      void this.handle(conn, src, nonce, Buffer.concat(chunks).toString('utf8'));
    };
    conn.on('data', onData);
  }

  private drop(conn: net.Socket, why: keyof PeerServer['dropped']): void {
    this.dropped[why]++;
    conn.destroy();
  }

  private async handle(conn: net.Socket, src: string, nonce: string, line: string): Promise<void> {
    let msg: { from?: unknown; req?: unknown; mac?: unknown };
    try { msg = JSON.parse(line); } catch { return this.drop(conn, 'malformed'); }
    if (!msg || typeof msg.from !== 'string' || typeof msg.mac !== 'string' || !this.knownServers.includes(msg.from)) return this.drop(conn, 'malformed');
    const body = JSON.stringify(msg.req ?? null);
    if (!same(sign(this.key, this.channel, nonce, msg.from, body), msg.mac)) { this.log.warn(`${this.label}: bad authentication from ${src}`); return this.drop(conn, 'auth'); }
    if (msg.from === this.self) { this.log.warn(`${this.label}: refused a request claiming to come from this server, from ${src}`); return this.drop(conn, 'reflected'); }
    this.forget(conn, src);
    const reply = await this.registry.dispatch(msg.req, { server: msg.from, local: false });
    const rbody = JSON.stringify(reply);
    conn.end(JSON.stringify({ reply, mac: sign(this.key, this.channel, nonce, 'reply', rbody) }) + '\n');
    // A client that never closes after its reply does not keep the socket.
    conn.setTimeout(this.limits.authMs, () => conn.destroy());
  }

  async stop(): Promise<void> {
    const closed = Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    for (const c of this.open) c.destroy();
    await closed;
    this.servers = [];
  }
}

export class PeerClient implements PeerControl {
  constructor(
    private readonly self: string,
    private readonly addressesOf: (server: string) => string[],
    private readonly port: number,
    private readonly key: Buffer,
    private readonly defaultTimeout: number,
    private readonly channel = '',
  ) {}

  async request(server: string, req: ControlRequest, timeoutMs = this.defaultTimeout): Promise<ControlReply> {
    const errors: string[] = [];
    for (const addr of this.addressesOf(server)) {
      try { return await this.once(addr, req, timeoutMs); } catch (e) {
        if (e instanceof SentError) throw new Error(`server ${server} gave no answer (${addr}: ${e.message}; not sent again, it may have run)`);
        errors.push(`${addr}: ${(e as Error).message}`);
      }
    }
    throw new Error(`server ${server} cannot be reached (${errors.join('; ') || 'no address'})`);
  }

  private once(addr: string, req: ControlRequest, timeoutMs: number): Promise<ControlReply> {
    return new Promise((resolve, reject) => {
      const conn = net.createConnection({ host: addr, port: this.port });
      let buf = '';
      let nonce: string | undefined;
      let sent = false;
      let settled = false;
      const fail = (why: string) => { if (settled) return; settled = true; clearTimeout(timer); conn.destroy(); reject(sent ? new SentError(why) : new Error(why)); };
      const timer = setTimeout(() => fail(`no reply within ${timeoutMs} ms`), timeoutMs);
      conn.setEncoding('utf8');
      conn.on('error', (e) => fail(e.message));
      conn.on('data', (c: string) => {
        buf += c;
        if (buf.length > MAX_REPLY) return fail('reply too long');
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          let msg: { nonce?: string; reply?: ControlReply; mac?: string };
          try { msg = JSON.parse(line); } catch { return fail('malformed answer'); }
          if (nonce === undefined) {
            if (typeof msg.nonce !== 'string') return fail('malformed challenge');
            nonce = msg.nonce;
            const body = JSON.stringify(req);
            sent = true;
            conn.write(JSON.stringify({ from: this.self, req, mac: sign(this.key, this.channel, nonce, this.self, body) }) + '\n');
          } else {
            if (typeof msg.mac !== 'string' || !same(sign(this.key, this.channel, nonce, 'reply', JSON.stringify(msg.reply)), msg.mac)) return fail('reply failed authentication');
            settled = true;
            clearTimeout(timer);
            conn.end();
            return resolve(msg.reply as ControlReply);
          }
        }
      });
      // Closed before an authenticated reply: refused (wrong key) or the peer went away.
      conn.on('close', () => fail('connection closed by the peer'));
    });
  }
}
