// The ops of log collection (clplogcc): a server packs its own logs into a tar.gz in its tmp
// directory, and the archive is read back in chunks (the peer channel's replies are capped
// at 1 MiB). Asked on the local socket for another server, the runtime forwards the op to it.
import { defineOp, optString, type OpArgs } from '../control/op';

/** What clplogcc -t collects (docs/logs.md). */
export const collectTypes = ['type1', 'type2', 'type3'] as const;
export type CollectType = (typeof collectTypes)[number];

/** The raw bytes of one chunk (base64 makes it a third larger, well under the 1 MiB reply cap). */
export const CHUNK_BYTES = 384 * 1024;
/** Collecting runs clpstat and friends: seconds each on a loaded box. */
const COLLECT_MS = 240000;

export interface Collected { id: string; size: number }
export interface Chunk { data: string; eof: boolean }

const ID = /^[0-9a-f]{16}$/;
const server = (a: OpArgs): string | undefined => optString(a.server);

function collectArgs(a: OpArgs): { server?: string; type: CollectType } | string {
  const type = a.type ?? 'type1';
  const t = collectTypes.find((x) => x === type);
  if (!t) return `type must be one of ${collectTypes.join(', ')}, not '${String(type).slice(0, 20)}'`;
  if (a.server !== undefined && typeof a.server !== 'string') return 'server must be a server name';
  return { server: server(a), type: t };
}

function chunkArgs(a: OpArgs): { server?: string; id: string; offset: number } | string {
  if (typeof a.id !== 'string' || !ID.test(a.id)) return 'id must be 16 hex digits (from logs.collect)';
  if (typeof a.offset !== 'number' || !Number.isInteger(a.offset) || a.offset < 0) return 'offset must be an integer >= 0';
  if (a.server !== undefined && typeof a.server !== 'string') return 'server must be a server name';
  return { server: server(a), id: a.id, offset: a.offset };
}

export const logOps = {
  /** Pack the logs of `server` (default: the one asked). */
  collect: defineOp<{ server?: string; type: CollectType }, Collected>('logs.collect', collectArgs, { timeoutMs: COLLECT_MS }),
  /** CHUNK_BYTES of a packed archive from offset, base64; the archive is removed after its last chunk. */
  chunk: defineOp<{ server?: string; id: string; offset: number }, Chunk>('logs.chunk', chunkArgs),
};
