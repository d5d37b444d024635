// The ops of the alert log: clpalert reads it; alert.stats counts the synchronisation with
// the peers (ports.alertSync).
import { defineOp, noArgs, optNumber } from '../control/op';
import type { AlertEntry } from './sinks/alert';
import type { SyncStats } from './sync/alert-sync';

export const alertOps = {
  /** The last n entries (all without n). */
  read: defineOp<{ n?: number }, AlertEntry[]>('alert.read', (a) => ({ n: optNumber(a.n) })),
  /** The web manager's failed login (local socket only): an event of its own, so it goes to
   * syslog and the alert log, and to the peer, as every other event does. */
  loginFailed: defineOp<{ user: string; address: string }>('alert.loginfailed', (a) => (typeof a.user === 'string' && typeof a.address === 'string'
    ? { user: a.user.slice(0, 64).replace(/[^\x20-\x7e]/g, '?'), address: a.address.slice(0, 64).replace(/[^\x20-\x7e]/g, '?') }
    : "'user' and 'address' strings expected"), { from: 'local' }),
  /** null when the alert log is not synchronised. */
  stats: defineOp<Record<string, never>, SyncStats | null>('alert.stats', noArgs),
};
