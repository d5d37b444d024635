// What every role of the runtime (the seed's daemons: nm, rc, rm, lanhb, mdagent ...) is
// given and must offer. Collaborators are passed in; there are no module-level singletons.
// Below every role: it names the mirror only through its port, never the mirror's modules.
import type { ClusterConfig, ServerConfig } from '../config/types';
import type { Paths } from '../constants';
import type { Events } from '../events/types';
import type { Logger } from '../logger';
import type { MirrorPort } from './mirror-port';
import type { Platform } from '../platform/types';

export interface RuntimeContext {
  config: ClusterConfig;
  /** This server's entry in config.servers. */
  local: ServerConfig;
  /** The cluster key (contents of config.cluster.keyFile). */
  key: Buffer;
  /** Random per start of the runtime; carried by heartbeats to detect restarts. */
  bootId: Buffer;
  paths: Paths;
  events: Events;
  log: Logger;
  platform: Platform;
  /** The mirror agent, when the configuration has md resources (set by the runtime). */
  mirror?: MirrorPort;
}

export interface Role {
  /** Module type as the seed names it (nm, rc, rm, lanhb ...). */
  readonly type: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}
