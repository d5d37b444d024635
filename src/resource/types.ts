// Contract of a group resource (the seed's fip, disk, exec, raw ...): activate and
// deactivate, each failure carrying the return code and text of seed §12.4.
import type { ClusterConfig, ResourceConfig, ServerConfig } from '../config/types';
import type { Paths } from '../constants';
import type { Logger } from '../logger';
import type { Platform } from '../platform/types';
import type { MirrorPort } from '../core/mirror-port';

/** Why a resource is (de)activated; exec scripts see it as CLP_EVENT. */
export type Why = 'start' | 'failover' | 'move' | 'restart' | 'stop' | 'failback';

/** A failure with the seed's return code (§12.4) and message. */
export class ResourceError extends Error {
  /** retryAfterMs: how long the group waits before its next attempt (active_retry). */
  constructor(readonly code: number, message: string, readonly retryAfterMs = 0) { super(message); }
}

export interface ResourceDeps {
  config: ClusterConfig;
  local: ServerConfig;
  paths: Paths;
  platform: Platform;
  log: Logger;
  /** The mirror agent (md resources). */
  mirror?: MirrorPort;
}

export interface Resource {
  readonly cfg: ResourceConfig;
  activate(why: Why): Promise<void>;
  deactivate(why: Why): Promise<void>;
  /** The process of an asynchronous exec resource while active (watched by pidw). */
  readonly pid?: number;
  /** Keep what the resource guards safe while it is inactive here (read-only device). */
  protect?(): Promise<void>;
}

/** Internal error of seed §12.4 for anything unexpected, so a bug never escapes as a crash. */
export function asResourceError(e: unknown): ResourceError {
  return e instanceof ResourceError ? e : new ResourceError(1, `Internal error. (status=${(e as Error)?.message ?? String(e)})`);
}
