// Heartbeat packet codec. Every packet is authenticated with HMAC-SHA256 over the cluster
// key; decode never throws and names why a packet was dropped. Layout (docs/heartbeat.md):
//   0  magic "PHB1"        4   version u8       5  flags u8 (bit0 suspended)
//   6  sender index u8     7   servers u8 (S)   8  heartbeats u8 (H)   9  reserved u8
//  10  boot id (16)       26  seq u64          34 send time u64 (ms)
//  42  ratio u16          44  ratio until u64 (ms, 0 = none)
//  52  cluster name: len u8 + bytes, sender name: len u8 + bytes
//   …  view: S*H cells (0 '-', 1 'o', 2 'x'), the sender's row of clpstat -n
//   …  HMAC-SHA256 (32) over everything before it
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { HbCell } from '../nm/types';

export const MAGIC = Buffer.from('PHB1');
export const VERSION = 1;
const FIXED = 52;
const MAC = 32;

export interface HeartbeatPacket {
  cluster: string;
  sender: string;
  senderIndex: number;
  bootId: Buffer;
  seq: bigint;
  sendTime: number;
  suspended: boolean;
  ratio: number;
  ratioUntil: number;
  /** view[server][hb] as the sender sees it. */
  view: HbCell[][];
}

export type DropReason = 'truncated' | 'bad-magic' | 'bad-version' | 'bad-hmac' | 'foreign-cluster' | 'unknown-sender' | 'replay' | 'self' | 'bad-shape';
export const dropReasons: readonly DropReason[] = ['truncated', 'bad-magic', 'bad-version', 'bad-hmac', 'foreign-cluster', 'unknown-sender', 'replay', 'self', 'bad-shape'];

const cellCode: Record<HbCell, number> = { '-': 0, o: 1, x: 2 };
const codeCell: HbCell[] = ['-', 'o', 'x'];

export function encode(p: HeartbeatPacket, key: Buffer): Buffer {
  const cluster = Buffer.from(p.cluster);
  const sender = Buffer.from(p.sender);
  const S = p.view.length;
  const H = S ? p.view[0].length : 0;
  const body = Buffer.alloc(FIXED + 2 + cluster.length + sender.length + S * H);
  MAGIC.copy(body, 0);
  body[4] = VERSION;
  body[5] = p.suspended ? 1 : 0;
  body[6] = p.senderIndex;
  body[7] = S;
  body[8] = H;
  p.bootId.copy(body, 10, 0, 16);
  body.writeBigUInt64BE(p.seq, 26);
  body.writeBigUInt64BE(BigInt(p.sendTime), 34);
  body.writeUInt16BE(Math.min(65535, Math.max(1, Math.round(p.ratio))), 42);
  body.writeBigUInt64BE(BigInt(p.ratioUntil), 44);
  let o = FIXED;
  body[o++] = cluster.length; cluster.copy(body, o); o += cluster.length;
  body[o++] = sender.length; sender.copy(body, o); o += sender.length;
  for (const row of p.view) for (const c of row) body[o++] = cellCode[c];
  return Buffer.concat([body, mac(body, key)]);
}

function mac(body: Buffer, key: Buffer): Buffer {
  return createHmac('sha256', key).update(body).digest();
}

export type Decoded = { ok: true; packet: HeartbeatPacket } | { ok: false; reason: DropReason };

/** Authenticate and parse. The caller checks cluster, sender, replay and self. */
export function decode(buf: Buffer, key: Buffer): Decoded {
  if (buf.length < FIXED + 2 + MAC) return { ok: false, reason: 'truncated' };
  if (!buf.subarray(0, 4).equals(MAGIC)) return { ok: false, reason: 'bad-magic' };
  if (buf[4] !== VERSION) return { ok: false, reason: 'bad-version' };
  const body = buf.subarray(0, buf.length - MAC);
  if (!timingSafeEqual(mac(body, key), buf.subarray(buf.length - MAC))) return { ok: false, reason: 'bad-hmac' };
  const S = body[7], H = body[8];
  let o = FIXED;
  const cl = body[o++];
  if (o + cl + 1 > body.length) return { ok: false, reason: 'bad-shape' };
  const cluster = body.subarray(o, o + cl).toString(); o += cl;
  const sl = body[o++];
  if (o + sl + S * H !== body.length) return { ok: false, reason: 'bad-shape' };
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
  return {
    ok: true,
    packet: {
      cluster, sender, senderIndex: body[6], bootId: Buffer.from(body.subarray(10, 26)), seq: body.readBigUInt64BE(26),
      sendTime: Number(body.readBigUInt64BE(34)), suspended: (body[5] & 1) === 1, ratio: body.readUInt16BE(42),
      ratioUntil: Number(body.readBigUInt64BE(44)), view,
    },
  };
}
