// Contract of the membership role (the seed's nm) towards clpstat, control and rc.
export type HbCell = 'o' | 'x' | '-';
export type ServerStatus = 'Online' | 'Offline';

export interface MembershipView {
  cluster: string;
  /** Name of the server this view was taken on. */
  local: string;
  /** In priority order (index = serverN in clpstat); status as seen from the local server. */
  servers: Array<{ name: string; index: number; status: ServerStatus }>;
  /** In priority order (index = HBn in clpstat -n). */
  heartbeats: Array<{ name: string; index: number; type: string }>;
  /**
   * matrix[observer][server][hb]: the state of `server`'s heartbeat `hb` as seen by
   * `observer` (all indices are priority indices). An observer the local server cannot
   * hear from has every cell '-'.
   */
  matrix: HbCell[][][];
  /** Current timeout ratio (clptoratio) and when it expires (epoch ms), if set. */
  ratio: { value: number; until?: number };
  /** The heartbeat timeout in use, before the ratio ([timeouts] hb_timeout, re-read at resume). */
  timeoutMs: number;
  suspended: boolean;
}
