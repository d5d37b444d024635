// Contract of a monitor check (seed §11.3, §12.5): one probe, answering undefined when all is
// well or the failure with its return code and message.
import type { MonitorConfig } from '../config/types';
import type { Logger } from '../logger';
import type { Platform } from '../platform/types';
import type { MirrorPort } from '../core/mirror-port';

export interface CheckFailure { code: number; message: string }

export interface Check {
  run(): Promise<CheckFailure | undefined>;
  /** The failure reported when one probe takes longer than the monitor's timeout. */
  timedOut(): CheckFailure;
}

export interface CheckDeps {
  platform: Platform;
  log: Logger;
  /** The process of an asynchronous exec resource, if it runs here (pidw). */
  pidOf(resource: string): number | undefined;
  /** The mirror agent (mdw, mdnw). */
  mirror?: MirrorPort;
  /** Whether the other server is up (mdw: its silent agent is a failure only then). */
  peerUp?: () => boolean;
}

export type CheckFactory = (cfg: MonitorConfig, d: CheckDeps) => Check;
