// Alert-sync datagram codec (29003/UDP). Authenticated like heartbeats: HMAC-SHA256 with the
// cluster key over the whole datagram; decode never throws and names why it dropped one.
//   0 magic "PAS2"   4 version u8   5 kind u8 (1 entry, 2 ack)   6 boot id (16) of the sender
//  22 echo (16): entry, the receiver's boot as the sender last heard it; ack, the acknowledged
//     stream's boot   38 seq u64   46 base u64 (oldest seq the sender still holds)
//  54 cluster: len u8 + bytes, sender: len u8 + bytes, then for an entry: JSON of the entry
//   … HMAC-SHA256 (32)
// No send time: freshness is the echo and the per-boot sequence, never the clocks.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AlertEntry } from '../sinks/alert';

export const MAGIC = Buffer.from('PAS2');
export const VERSION = 2;
const FIXED = 54;
const MAC = 32;
export const MAX_DATAGRAM = 8192;

export type SyncKind = 'entry' | 'ack';
const kindCode: Record<SyncKind, number> = { entry: 1, ack: 2 };

export interface SyncPacket {
  kind: SyncKind;
  cluster: string;
  sender: string;
  bootId: Buffer;
  /** entry: the receiver's boot as last heard (zeros: none yet); ack: the stream's boot. */
  echo: Buffer;
  /** entry: its sequence number; ack: the highest sequence received in order. */
  seq: bigint;
  base: bigint;
  entry?: AlertEntry;
}

export type SyncDrop = 'truncated' | 'bad-magic' | 'bad-version' | 'bad-hmac' | 'bad-shape';

const mac = (body: Buffer, key: Buffer) => createHmac('sha256', key).update(body).digest();

export function encodeSync(p: SyncPacket, key: Buffer): Buffer {
  const cluster = Buffer.from(p.cluster);
  const sender = Buffer.from(p.sender);
  const entry = p.kind === 'entry' ? Buffer.from(JSON.stringify(p.entry)) : Buffer.alloc(0);
  const body = Buffer.alloc(FIXED + 2 + cluster.length + sender.length + entry.length);
  MAGIC.copy(body, 0);
  body[4] = VERSION;
  body[5] = kindCode[p.kind];
  p.bootId.copy(body, 6, 0, 16);
  p.echo.copy(body, 22, 0, 16);
  body.writeBigUInt64BE(p.seq, 38);
  body.writeBigUInt64BE(p.base, 46);
  let o = FIXED;
  body[o++] = cluster.length; o += cluster.copy(body, o);
  body[o++] = sender.length; o += sender.copy(body, o);
  entry.copy(body, o);
  return Buffer.concat([body, mac(body, key)]);
}

function validEntry(v: unknown): v is AlertEntry {
  const e = v as Record<string, unknown>;
  return !!e && typeof e === 'object' && typeof e.time === 'number' && typeof e.server === 'string' && typeof e.type === 'string'
    && typeof e.id === 'number' && typeof e.lvl === 'string' && typeof e.text === 'string';
}

export function decodeSync(buf: Buffer, key: Buffer): { ok: true; packet: SyncPacket } | { ok: false; reason: SyncDrop } {
  if (buf.length < 4) return { ok: false, reason: 'truncated' };
  // "PAS" with another digit is a peer running another protocol version, not noise.
  if (!buf.subarray(0, 3).equals(MAGIC.subarray(0, 3))) return { ok: false, reason: 'bad-magic' };
  if (buf[3] !== MAGIC[3]) return { ok: false, reason: 'bad-version' };
  if (buf.length < FIXED + 2 + MAC) return { ok: false, reason: 'truncated' };
  if (buf[4] !== VERSION) return { ok: false, reason: 'bad-version' };
  const body = buf.subarray(0, buf.length - MAC);
  if (!timingSafeEqual(mac(body, key), buf.subarray(buf.length - MAC))) return { ok: false, reason: 'bad-hmac' };
  const kind = buf[5] === 1 ? 'entry' : buf[5] === 2 ? 'ack' : undefined;
  if (!kind) return { ok: false, reason: 'bad-shape' };
  let o = FIXED;
  const cl = body[o++];
  if (o + cl + 1 > body.length) return { ok: false, reason: 'bad-shape' };
  const cluster = body.subarray(o, o + cl).toString(); o += cl;
  const sl = body[o++];
  if (o + sl > body.length) return { ok: false, reason: 'bad-shape' };
  const sender = body.subarray(o, o + sl).toString(); o += sl;
  let entry: AlertEntry | undefined;
  if (kind === 'entry') {
    try { entry = JSON.parse(body.subarray(o).toString()); } catch { return { ok: false, reason: 'bad-shape' }; }
    if (!validEntry(entry)) return { ok: false, reason: 'bad-shape' };
  } else if (o !== body.length) return { ok: false, reason: 'bad-shape' };
  return {
    ok: true,
    packet: {
      kind, cluster, sender, bootId: Buffer.from(body.subarray(6, 22)), echo: Buffer.from(body.subarray(22, 38)),
      seq: body.readBigUInt64BE(38), base: body.readBigUInt64BE(46), entry,
    },
  };
}
