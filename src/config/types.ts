// The typed shape of the cluster configuration after loading and validation, derived from
// the schema (src/config/schema.ts): a key's field builder gives its value's type.
// Contract between config/ (which produces it) and every role (which reads it).
// Times are in milliseconds, sizes in bytes. Lists keep the file's priority order.
import type {
  FieldType, Fields, finalActions, heartbeatTypes, monitorCommon, monitorTypes, namedSections,
  recoveryActions, resourceCommon, resourceTypes, singleSections,
} from './schema';

type Flat<T> = { [K in keyof T]: T[K] };
type UnsetKeys<S> = { [K in keyof S]: undefined extends FieldType<S[K]> ? K : never }[keyof S];
/** The values of a table of fields; a field that may be unset is an optional property. */
export type Values<S extends Fields> = Flat<
  { [K in Exclude<keyof S, UnsetKeys<S>>]: FieldType<S[K]> } & { [K in UnsetKeys<S>]?: Exclude<FieldType<S[K]>, undefined> }
>;
type Single = typeof singleSections;

/** none; stop-group; stop-daemon; shutdown, reboot: stop the cluster daemon, then the OS (seed §10.1). */
export type FinalAction = typeof finalActions[number];
/** restart the recovery target (resource or group) up to restartCount times, then failover; ... */
export type RecoveryAction = typeof recoveryActions[number];

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
export type LanHeartbeatConfig = Flat<HeartbeatBase & Required<Values<typeof heartbeatTypes.lanhb>> & {
  type: 'lanhb';
  /** Address of each server on this interconnect, by server name. */
  addresses: Record<string, string>;
}>;
export type ComHeartbeatConfig = Flat<HeartbeatBase & Values<typeof heartbeatTypes.comhb> & {
  type: 'comhb';
  /** Serial device of each server (null-modem cable), by server name. */
  devices: Record<string, string>;
}>;
/** offset: of the slot area inside the partition; slotSize: one server's slot (multiples of 512). */
export type DiskHeartbeatConfig = Flat<HeartbeatBase & Values<typeof heartbeatTypes.diskhb> & {
  type: 'diskhb';
  /** Shared partition as each server names it, by server name. */
  devices: Record<string, string>;
}>;
export type HeartbeatConfig = LanHeartbeatConfig | ComHeartbeatConfig | DiskHeartbeatConfig;

/** startSyncWait: grace before declaring a peer down at cluster start (the seed's synchronous wait). */
export type TimeoutConfig = Values<Single['timeouts']>;
/** Seed §8 ports; manager is the web manager's HTTPS (src/web). */
export type PortConfig = Values<Single['ports']>;
export type MailConfig = Values<Single['mail']>;
/** sync: send alert log entries to the peers on ports.alertSync; maxEntries kept on disk. */
export type AlertConfig = Values<Single['alert']>;
export type SyslogConfig = Values<Single['syslog']>;
/** softdog margin in ms; the runtime writes /dev/watchdog while its loop answers in time. */
export type WatchdogConfig = Values<Single['watchdog']>;

export interface LedConfig {
  enabled: boolean;
  /** LED-class device names by role (run, status, statusError, mirror, mirrorError). */
  names: Record<string, string>;
}

export type GroupConfig = Flat<{ name: string } & Values<typeof namedSections.group>>;

export type ResourceType = keyof typeof resourceTypes;

/** dependsOn: resources that must be active before this one; default order fip < disk/md/raw < exec. */
export type ResourceCommon = Flat<{ name: string; type: ResourceType } & Values<typeof resourceCommon>>;
type Resource<T extends ResourceType, Extra = unknown> = Flat<ResourceCommon & { type: T } & Values<typeof resourceTypes[T]> & Extra>;
/** address without its prefix, which is `prefix`. */
export type FipResourceConfig = Resource<'fip', { prefix: number }>;
export type ExecResourceConfig = Resource<'exec'>;
/** devices: the shared device as a server names it, where it differs from `device`. */
export type DiskResourceConfig = Resource<'disk', { devices: Record<string, string> }>;
export type RawResourceConfig = Resource<'raw', { devices: Record<string, string> }>;
/** addresses: peer address of the mirror link, by server name. */
export type MdResourceConfig = Resource<'md', { addresses: Record<string, string> }>;
export type ResourceConfig =
  | FipResourceConfig | ExecResourceConfig | DiskResourceConfig | RawResourceConfig | MdResourceConfig;

export type MonitorType = keyof typeof monitorTypes;

/** when: 'always', or only while `targetGroup` is active on this server; recoveryTarget: a resource or group. */
export type MonitorConfig = Flat<{ name: string; type: MonitorType } & Values<typeof monitorCommon> & {
  /** Type-specific parameters (ping targets, device, script, ...), validated by config/. */
  params: Record<string, string>;
}>;

export interface ClusterConfig {
  /** Absolute path of the file this came from. */
  file: string;
  /** rtPriority: SCHED_RR priority of the runtime (0: normal scheduling). */
  cluster: Values<Single['cluster']>;
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
