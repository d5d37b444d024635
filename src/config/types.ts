// The typed shape of the cluster configuration after loading and validation.
// Contract between config/ (which produces it) and every role (which reads it).
// Times are in milliseconds, sizes in bytes. Lists keep the file's priority order.

export type FinalAction =
  | 'none'            // do nothing more
  | 'stop-group'      // stop the group
  | 'stop-daemon'     // stop the cluster daemon
  | 'shutdown'        // stop cluster daemon + OS shutdown (seed §10.1)
  | 'reboot';         // stop cluster daemon + OS reboot

export type RecoveryAction =
  | 'restart'         // restart the recovery target (resource or group) up to restartCount times, then failover
  | 'failover'        // fail the group over
  | 'stop-daemon'
  | 'shutdown'
  | 'reboot'
  | 'none';

export interface ServerConfig {
  name: string;
  /** Position in priority order: 0 is the master server, shown as server0 in clpstat. */
  index: number;
}

export interface HeartbeatBase {
  name: string;            // lanhb1, comhb1, diskhb1 ...
  /** Position in priority order: HB0, HB1 ... in clpstat -n. */
  index: number;
}
export interface LanHeartbeatConfig extends HeartbeatBase {
  type: 'lanhb';
  /** Address of each server on this interconnect, by server name. */
  addresses: Record<string, string>;
  /** UDP port; defaults to ports.heartbeat. */
  port: number;
}
export interface ComHeartbeatConfig extends HeartbeatBase {
  type: 'comhb';
  /** Serial device of each server (null-modem cable), by server name. */
  devices: Record<string, string>;
  baudRate: number;
}
export interface DiskHeartbeatConfig extends HeartbeatBase {
  type: 'diskhb';
  /** Shared partition as each server names it, by server name. */
  devices: Record<string, string>;
  /** Byte offset of the slot area inside the partition (multiple of 512). */
  offset: number;
  /** Size of one server's slot (multiple of 512). */
  slotSize: number;
}
export type HeartbeatConfig = LanHeartbeatConfig | ComHeartbeatConfig | DiskHeartbeatConfig;

export interface TimeoutConfig {
  hbInterval: number;      // heartbeat send interval
  hbTimeout: number;       // heartbeat timeout: server down when every heartbeat exceeds it
  /** Grace before declaring a peer down at cluster start (the seed's synchronous wait). */
  startSyncWait: number;
  /** Server-to-server control request timeout. */
  internal: number;
}

export interface PortConfig {
  internal: number;        // 29001/TCP server-to-server control
  dataTransfer: number;    // 29002/TCP
  heartbeat: number;       // 29002/UDP
  alertSync: number;       // 29003/UDP
  manager: number;         // 29003/TCP (not listened on: no web manager)
  mirrorAgent: number;     // 29004/TCP
  mirrorDriver: number;    // 29005/TCP
}

export interface MailConfig {
  enabled: boolean;
  smtpHost: string;
  smtpPort: number;
  from: string;
  to: string[];
  subject: string;
}

export interface AlertConfig {
  /** Send alert log entries to the peers on ports.alertSync. */
  sync: boolean;
  /** Keep at most this many entries on disk. */
  maxEntries: number;
}

export interface SyslogConfig {
  enabled: boolean;
  facility: string;        // daemon, local0 ...
}

export interface WatchdogConfig {
  /** softdog margin in ms; the runtime writes /dev/watchdog while its loop answers in time. */
  enabled: boolean;
  margin: number;
}

export interface LedConfig {
  enabled: boolean;
  /** LED-class device names by role (run, status, statusError, mirror, mirrorError). */
  names: Record<string, string>;
}

export interface GroupConfig {
  name: string;
  /** Failover policy: servers in order of preference. */
  servers: string[];
  autoFailback: boolean;
  /** Start when the cluster starts (on the first live server of the policy). */
  autoStart: boolean;
}

export type ResourceType = 'fip' | 'exec' | 'disk' | 'raw' | 'md';

export interface ResourceCommon {
  name: string;
  type: ResourceType;
  group: string;
  /** Resources that must be active before this one; default order fip < disk/md/raw < exec. */
  dependsOn: string[];
  activeRetry: number;
  deactiveRetry: number;
  failoverThreshold: number;
  activeFinalAction: FinalAction;
  deactiveFinalAction: FinalAction;
}
export interface FipResourceConfig extends ResourceCommon { type: 'fip'; address: string; prefix: number; interface?: string }
export interface ExecResourceConfig extends ResourceCommon {
  type: 'exec'; start: string; stop: string; async: boolean; timeout: number; logFile?: string;
}
export interface DiskResourceConfig extends ResourceCommon {
  /** devices: the shared device as a server names it, where it differs from `device`. */
  type: 'disk'; device: string; devices: Record<string, string>; mountPoint: string; fsType: string; mountOptions: string;
  fsck: 'always' | 'never'; fsckOptions: string; umountRetry: number; killUsers: boolean;
}
export interface RawResourceConfig extends ResourceCommon { type: 'raw'; device: string; devices: Record<string, string> }
export interface MdResourceConfig extends ResourceCommon {
  type: 'md'; nmp: number; dataPartition: string; clusterPartition: string;
  mountPoint: string; fsType: string; mountOptions: string; fsck: 'always' | 'never'; fsckOptions: string;
  dataPort: number; autoRecovery: boolean;
  /** System command timeouts (ms) of activation and deactivation (md return code 83). */
  fsckTimeout: number; mountTimeout: number; umountTimeout: number;
  /** Peer address of the mirror link, by server name. */
  addresses: Record<string, string>;
}
export type ResourceConfig =
  | FipResourceConfig | ExecResourceConfig | DiskResourceConfig | RawResourceConfig | MdResourceConfig;

export type MonitorType = 'ipw' | 'diskw' | 'pidw' | 'raww' | 'miiw' | 'genw' | 'userw' | 'mdw' | 'mdnw';

export interface MonitorConfig {
  name: string;
  type: MonitorType;
  interval: number;
  timeout: number;
  retry: number;
  startWait: number;
  /** 'always', or only while `targetGroup` is active on this server. */
  when: 'always' | 'active';
  targetGroup?: string;
  /** The resource or group recovered on failure; name of a resource or a group. */
  recoveryTarget?: string;
  recoveryAction: RecoveryAction;
  restartCount: number;
  /** When restarts and failovers are used up (seed §10.2). */
  finalAction: FinalAction;
  /** Type-specific parameters (ping targets, device, script, ...), validated by config/. */
  params: Record<string, string>;
}

export interface ClusterConfig {
  /** Absolute path of the file this came from. */
  file: string;
  /** rtPriority: SCHED_RR priority of the runtime (0: normal scheduling). */
  cluster: { name: string; keyFile: string; comment: string; rtPriority: number };
  timeouts: TimeoutConfig;
  ports: PortConfig;
  servers: ServerConfig[];
  heartbeats: HeartbeatConfig[];
  groups: GroupConfig[];
  resources: ResourceConfig[];
  monitors: MonitorConfig[];
  mail: MailConfig;
  alert: AlertConfig;
  syslog: SyslogConfig;
  watchdog: WatchdogConfig;
  leds: LedConfig;
  /** Network-partition resolution targets (ping addresses); empty = not used. */
  partitionTargets: string[];
}
