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
// A request is sent once: the server never cuts a connection whose handler runs (its idle
// timer stops when the request has arrived), and the client tries the next interconnect
// address only when the request could not be delivered on this one.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as net from 'node:net';
import type { Logger } from '../logger';
import type { Registry } from './registry';
import type { ControlReply, ControlRequest, PeerControl } from './types';

const MAX_LINE = 1 << 20;
/** A connection that says nothing this long is dropped; a running handler is not idle. */
export const IDLE_MS = 10000;

/** The request reached the server (or may have): sending it again could run it twice. */
class SentError extends Error {}

const sign = (key: Buffer, channel: string, ...parts: string[]) => createHmac('sha256', key).update((channel ? [channel, ...parts] : parts).join('\n')).digest('hex');
function same(a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class PeerServer {
  private servers: net.Server[] = [];
  readonly dropped = { auth: 0, malformed: 0, reflected: 0 };

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
  ) {}

  /** Addresses actually listened on (0: the channel could not be opened at all). */
  get listening(): number { return this.servers.length; }

  private get label(): string { return this.channel ? `${this.channel} channel` : 'peer control'; }

  async start(): Promise<void> {
    for (const addr of this.addresses) {
      const s = net.createServer((c) => this.serve(c));
      await new Promise<void>((resolve) => {
        s.once('error', (e) => { this.log.warn(`${this.label} ${addr}:${this.port}: ${e.message}`); resolve(); });
        s.listen({ host: addr, port: this.port, exclusive: true }, () => { this.servers.push(s); resolve(); });
      });
    }
  }

  private serve(conn: net.Socket): void {
    const nonce = randomBytes(16).toString('hex');
    let buf = '';
    conn.setEncoding('utf8');
    conn.setTimeout(IDLE_MS, () => conn.destroy());
    conn.on('error', () => conn.destroy());
    conn.write(JSON.stringify({ nonce }) + '\n');
    conn.on('data', async (chunk: string) => {
      buf += chunk;
      if (buf.length > MAX_LINE) { this.dropped.malformed++; conn.destroy(); return; }
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      conn.removeAllListeners('data');
      let msg: { from?: unknown; req?: unknown; mac?: unknown };
      try { msg = JSON.parse(buf.slice(0, nl)); } catch { this.dropped.malformed++; conn.destroy(); return; }
      if (!msg || typeof msg.from !== 'string' || typeof msg.mac !== 'string' || !this.knownServers.includes(msg.from)) { this.dropped.malformed++; conn.destroy(); return; }
      const body = JSON.stringify(msg.req ?? null);
      if (!same(sign(this.key, this.channel, nonce, msg.from, body), msg.mac)) { this.dropped.auth++; this.log.warn(`${this.label}: bad authentication from ${conn.remoteAddress}`); conn.destroy(); return; }
      if (msg.from === this.self) { this.dropped.reflected++; this.log.warn(`${this.label}: refused a request claiming to come from this server, from ${conn.remoteAddress}`); conn.destroy(); return; }
      conn.setTimeout(0);
      const reply = await this.registry.dispatch(msg.req, { server: msg.from, local: false });
      const rbody = JSON.stringify(reply);
      conn.end(JSON.stringify({ reply, mac: sign(this.key, this.channel, nonce, 'reply', rbody) }) + '\n');
    });
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
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
        if (buf.length > MAX_LINE) return fail('reply too long');
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
