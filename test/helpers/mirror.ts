// Builds liscal status records for the mirror tests: a SYNC, connected NMP1 unless overridden.
import type { LiscalStatus } from '../../src/mirror/liscal-status';

export function st(over: Partial<LiscalStatus> = {}): LiscalStatus {
  return {
    nmp: 1, bound: true, port: 'closed', peerPort: 'closed', conn: 'connected', act: 'idle', state: 'SYNC', color: 'GREEN',
    dirty: 0, chunks: 16384, diskErr: false, recovery: 'none', pct: 0, elapsed: 0, remaining: 0,
    gen: 5, peerGen: 5, lastUpdate: 1764030000, breakTime: 0, ...over,
  };
}
