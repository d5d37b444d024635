// The ops of the alert log: clpalert reads it; alert.stats counts the synchronisation with
// the peers (ports.alertSync).
import { defineOp, noArgs, optNumber } from '../control/op';
import type { AlertEntry } from './sinks/alert';
import type { SyncStats } from './sync/alert-sync';

export const alertOps = {
  /** The last n entries (all without n). */
  read: defineOp<{ n?: number }, AlertEntry[]>('alert.read', (a) => ({ n: optNumber(a.n) })),
  /** null when the alert log is not synchronised. */
  stats: defineOp<Record<string, never>, SyncStats | null>('alert.stats', noArgs),
};
