// Heartbeat packet codec. Every packet is authenticated with HMAC-SHA256 over the cluster
// key; decode never throws and names why a packet was dropped. Layout (docs/heartbeat.md):
//   0  magic "PHB2"        4   version u8       5  flags u8 (bit0 suspended)
//   6  sender index u8     7   servers u8 (S)   8  heartbeats u8 (H)
//   9  heartbeat index u8: the link it was sent on (a packet moved to another link is refused)
//  10  boot id (16)       26  seq u64 (per boot, one per interval)
//  34  ratio u16          36  ratio until u64 (ms, 0 = none)
//  44  cluster name: len u8 + bytes, sender name: len u8 + bytes
//   …  view: S*H cells (0 '-', 1 'o', 2 'x'), the sender's row of clpstat -n
//   …  echo: S * (boot id (16) + seq u64): what the sender last heard of each server
//   …  HMAC-SHA256 (32) over everything before it
// No wall-clock time decides anything: freshness comes from the echo (a boot of the peer
// counts only once it echoes the receiver's current boot) and the per-boot sequence.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { HbCell } from '../nm/types';

export const MAGIC = Buffer.from('PHB2');
export const VERSION = 2;
const FIXED = 44;
const ECHO = 24;
const MAC = 32;

/** What a sender last heard of one server: its boot id and sequence (zeros: nothing). */
export interface Echo { bootId: Buffer; seq: bigint }
export const noEcho = (): Echo => ({ bootId: Buffer.alloc(16), seq: 0n });

export interface HeartbeatPacket {
  cluster: string;
  sender: string;
  senderIndex: number;
  /** Index of the heartbeat (link) the packet was made for. */
  hb: number;
  bootId: Buffer;
  seq: bigint;
  suspended: boolean;
  ratio: number;
  ratioUntil: number;
  /** view[server][hb] as the sender sees it. */
  view: HbCell[][];
  /** echo[server]: the boot and sequence the sender last heard from that server. */
  echo: Echo[];
}

export type DropReason = 'truncated' | 'bad-magic' | 'bad-version' | 'bad-hmac' | 'foreign-cluster' | 'unknown-sender' | 'wrong-heartbeat' | 'replay' | 'late' | 'unconfirmed' | 'self' | 'bad-shape';
export const dropReasons: readonly DropReason[] = ['truncated', 'bad-magic', 'bad-version', 'bad-hmac', 'foreign-cluster', 'unknown-sender', 'wrong-heartbeat', 'replay', 'late', 'unconfirmed', 'self', 'bad-shape'];

const cellCode: Record<HbCell, number> = { '-': 0, o: 1, x: 2 };
const codeCell: HbCell[] = ['-', 'o', 'x'];

export function encode(p: HeartbeatPacket, key: Buffer): Buffer {
  const cluster = Buffer.from(p.cluster);
  const sender = Buffer.from(p.sender);
  const S = p.view.length;
  const H = S ? p.view[0].length : 0;
  const body = Buffer.alloc(FIXED + 2 + cluster.length + sender.length + S * H + S * ECHO);
  MAGIC.copy(body, 0);
  body[4] = VERSION;
  body[5] = p.suspended ? 1 : 0;
  body[6] = p.senderIndex;
  body[7] = S;
  body[8] = H;
  body[9] = p.hb;
  p.bootId.copy(body, 10, 0, 16);
  body.writeBigUInt64BE(p.seq, 26);
  body.writeUInt16BE(Math.min(65535, Math.max(1, Math.round(p.ratio))), 34);
  body.writeBigUInt64BE(BigInt(p.ratioUntil), 36);
  let o = FIXED;
  body[o++] = cluster.length; cluster.copy(body, o); o += cluster.length;
  body[o++] = sender.length; sender.copy(body, o); o += sender.length;
  for (const row of p.view) for (const c of row) body[o++] = cellCode[c];
  for (let s = 0; s < S; s++) {
    const e = p.echo[s] ?? noEcho();
    e.bootId.copy(body, o, 0, 16);
    body.writeBigUInt64BE(e.seq, o + 16);
    o += ECHO;
  }
  return Buffer.concat([body, mac(body, key)]);
}

function mac(body: Buffer, key: Buffer): Buffer {
  return createHmac('sha256', key).update(body).digest();
}

export type Decoded = { ok: true; packet: HeartbeatPacket } | { ok: false; reason: DropReason };

/** Authenticate and parse. The caller checks cluster, sender, link, freshness and self. */
export function decode(buf: Buffer, key: Buffer): Decoded {
  if (buf.length < 4) return { ok: false, reason: 'truncated' };
  // "PHB" with another digit is a peer running another protocol version, not noise.
  if (!buf.subarray(0, 3).equals(MAGIC.subarray(0, 3))) return { ok: false, reason: 'bad-magic' };
  if (buf[3] !== MAGIC[3]) return { ok: false, reason: 'bad-version' };
  if (buf.length < FIXED + 2 + MAC) return { ok: false, reason: 'truncated' };
  if (buf[4] !== VERSION) return { ok: false, reason: 'bad-version' };
  const body = buf.subarray(0, buf.length - MAC);
  if (!timingSafeEqual(mac(body, key), buf.subarray(buf.length - MAC))) return { ok: false, reason: 'bad-hmac' };
  const S = body[7], H = body[8];
  let o = FIXED;
  const cl = body[o++];
  if (o + cl + 1 > body.length) return { ok: false, reason: 'bad-shape' };
  const cluster = body.subarray(o, o + cl).toString(); o += cl;
  const sl = body[o++];
  if (o + sl + S * H + S * ECHO !== body.length) return { ok: false, reason: 'bad-shape' };
  const sender = body.subarray(o, o + sl).toString(); o += sl;
  const view: HbCell[][] = [];
  for (let s = 0; s < S; s++) {
    const row: HbCell[] = [];
    for (let h = 0; h < H; h++) {
      const c = codeCell[body[o++]];
      if (!c) return { ok: false, reason: 'bad-shape' };
      row.push(c);
    }
    view.push(row);
  }
  const echo: Echo[] = [];
  for (let s = 0; s < S; s++, o += ECHO) echo.push({ bootId: Buffer.from(body.subarray(o, o + 16)), seq: body.readBigUInt64BE(o + 16) });
  return {
    ok: true,
    packet: {
      cluster, sender, senderIndex: body[6], hb: body[9], bootId: Buffer.from(body.subarray(10, 26)), seq: body.readBigUInt64BE(26),
      suspended: (body[5] & 1) === 1, ratio: body.readUInt16BE(34), ratioUntil: Number(body.readBigUInt64BE(36)), view, echo,
    },
  };
}
