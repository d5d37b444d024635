// The configuration schema as data, and the single description of the configuration:
// each key has a type, a default (absent = required), an optional range or enum, and the
// doc line docs/config.md is generated from. Keys are built by typed field builders, so
// the TypeScript type of every value (src/config/types.ts) is derived from this table and
// the readers (src/config/fields.ts) need no casts.

export type KeyType = 'string' | 'int' | 'bool' | 'ipv4' | 'cidr' | 'path' | 'absolutePath' | 'list' | 'enum' | 'ms';

export interface KeySpec {
  key: string;
  type: KeyType;
  /** Default as written in the file; undefined = required. */
  def?: string;
  min?: number;
  max?: number;
  values?: readonly string[];
  doc: string;
  /** An empty value means "not set": the field reads as undefined. */
  unset?: boolean;
  /** Enum values read as numbers (comhb baud_rate). */
  numeric?: boolean;
  /** Longest value in UTF-8 bytes (a string carried in a length-prefixed field). */
  maxBytes?: number;
  /** How a change of this key takes effect (seed §6.1); default: its section's (reflect.ts). */
  reflect?: Reflect;
}

/** The seed's reflect methods (§6.1.1-6.1.6), mildest first. */
export const reflectMethods = ['upload', 'alertsync', 'webmgr', 'suspend', 'daemon', 'reboot'] as const;
export type Reflect = (typeof reflectMethods)[number];
/** The same field, changed by `method`. */
const by = <F extends KeySpec>(method: Reflect, f: F): F => ({ ...f, reflect: method });

/** A key whose value reads as T. `T` is carried for the types only. */
export interface Field<T> extends KeySpec { readonly _value?: T }
export type Fields = Record<string, Field<unknown>>;
export type FieldType<F> = F extends Field<infer T> ? T : never;

interface Range { def?: string; min?: number; max?: number }
const str = (key: string, doc: string, def?: string): Field<string> => ({ key, type: 'string', def, doc });
const path = (key: string, doc: string, def?: string): Field<string> => ({ key, type: 'path', def, doc });
/** A path that reaches a command line (mount, umount, fuser, the liscal driver ...): fields.ts isAbsolutePath. */
const absolutePath = (key: string, doc: string): Field<string> => ({ key, type: 'absolutePath', doc });
/** A string or path whose empty default means "not set". */
const optional = (type: 'string' | 'absolutePath', key: string, doc: string): Field<string | undefined> => ({ key, type, def: '', doc, unset: true });
const int = (key: string, doc: string, r: Range = {}): Field<number> => ({ key, type: 'int', ...r, doc });
const ms = (key: string, doc: string, r: Range = {}): Field<number> => ({ key, type: 'ms', ...r, doc });
const bool = (key: string, def: 'true' | 'false', doc: string): Field<boolean> => ({ key, type: 'bool', def, doc });
const list = (key: string, doc: string, def?: string): Field<string[]> => ({ key, type: 'list', def, doc });
const cidr = (key: string, doc: string): Field<string> => ({ key, type: 'cidr', doc });
const oneOf = <const V extends string>(key: string, values: readonly V[], def: V | undefined, doc: string): Field<V> => ({ key, type: 'enum', def, values, doc });
/** An int whose empty default means "not set" (a default taken from elsewhere). */
const optionalInt = (key: string, doc: string, r: Range): Field<number | undefined> => ({ key, type: 'int', ...r, def: '', doc });
/** An enum of numbers (line speeds). */
const numberOf = (key: string, values: readonly string[], def: string, doc: string): Field<number> => ({ key, type: 'enum', def, values, doc, numeric: true });
const port = (key: string, def: string, doc: string): Field<number> => int(key, doc, { def, min: 1, max: 65535 });

/** The heartbeat codec carries the cluster name after a one-byte length (src/heartbeat/codec.ts). */
export const clusterNameMaxBytes = 255;

export const finalActions = ['none', 'stop-group', 'stop-daemon', 'shutdown', 'reboot'] as const;
export const recoveryActions = ['restart', 'failover', 'stop-daemon', 'shutdown', 'reboot', 'none'] as const;
const facilities = ['daemon', 'user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'] as const;

/** Sections that appear once, without a name; property names are those of ClusterConfig. */
export const singleSections = {
  cluster: {
    name: { ...str('name', 'Cluster name, carried by every heartbeat.'), maxBytes: clusterNameMaxBytes },
    keyFile: path('key_file', 'File holding the cluster key (16+ bytes); relative to the config file. Owned by root (or by the user the runtime runs as), no access for group or others (mode 0600 or 0400).'),
    comment: by('upload', str('comment', 'Free text.', '')),
    generation: by('upload', int('generation', 'Configuration generation: clpcfctrl --push raises it, a server refuses one not newer than its own (docs/clpcfctrl.md).', { def: '0', min: 0, max: 2147483647 })),
    rtPriority: int('rt_priority', 'SCHED_RR priority of the runtime, so that load on the box cannot starve the heartbeats (as corosync does); 0 = normal scheduling.', { def: '10', min: 0, max: 99 }),
  },
  timeouts: {
    hbInterval: by('suspend', ms('hb_interval', 'Heartbeat send interval (ms).', { def: '3000', min: 50, max: 60000 })),
    hbTimeout: by('suspend', ms('hb_timeout', 'A heartbeat is down after this silence; a server when all are (ms).', { def: '90000', min: 150, max: 3600000 })),
    startSyncWait: by('daemon', ms('start_sync_wait', 'At start, wait this long for peers before starting groups (ms).', { def: '300000', min: 0, max: 3600000 })),
    internal: ms('internal', 'Server-to-server control request timeout (ms).', { def: '180000', min: 100, max: 3600000 }),
  },
  ports: {
    internal: port('internal', '29001', 'TCP, server-to-server control (seed §8).'),
    dataTransfer: port('data_transfer', '29002', 'TCP, data transfer.'),
    heartbeat: by('daemon', port('heartbeat', '29002', 'UDP, LAN heartbeat.')),
    alertSync: by('alertsync', port('alert_sync', '29003', 'UDP, alert log synchronisation.')),
    manager: by('webmgr', port('manager', '29003', 'TCP, the web manager (HTTPS, docs/web.md; clusterpro_webmgr).')),
    mirrorAgent: port('mirror_agent', '29004', 'TCP, mirror agents.'),
    mirrorDriver: port('mirror_driver', '29005', 'TCP, mirror drivers.'),
  },
  mail: {
    enabled: bool('enabled', 'false', 'Send events whose SEND has mail.'),
    smtpHost: str('smtp_host', 'SMTP server.', '127.0.0.1'),
    smtpPort: port('smtp_port', '25', 'SMTP port.'),
    from: str('from', 'Sender address.', 'pairha@localhost'),
    to: list('to', 'Recipients, comma separated.', 'root@localhost'),
    subject: str('subject', 'Subject prefix.', 'pairha event'),
  },
  alert: {
    sync: by('alertsync', bool('sync', 'true', 'Copy alert log entries to the other servers (ports.alert_sync).')),
    maxEntries: int('max_entries', 'Alert log entries kept on disk.', { def: '10000', min: 10, max: 1000000 }),
  },
  syslog: {
    enabled: bool('enabled', 'true', 'Send events whose SEND has syslog.'),
    facility: oneOf('facility', facilities, 'daemon', 'Syslog facility.'),
  },
  watchdog: {
    enabled: bool('enabled', 'true', 'userw feeds /dev/watchdog (softdog) while the runtime answers.'),
    margin: ms('margin', 'Watchdog margin (ms): a stall this long resets the server. At most, and by default, [timeouts] hb_timeout.', { def: '90000', min: 1000, max: 3600000 }),
  },
  leds: {
    enabled: bool('enabled', 'false', 'Drive the front-panel LEDs.'),
    run: str('run', 'LED-class name of the run LED.', 'pairha:green:run'),
    status: str('status', 'LED-class name of the status LED.', 'pairha:green:status'),
    statusError: str('status_error', 'LED-class name of the status error LED.', 'pairha:red:status'),
    mirror: str('mirror', 'LED-class name of the mirror LED.', 'pairha:green:mirror'),
    mirrorError: str('mirror_error', 'LED-class name of the mirror error LED.', 'pairha:red:mirror'),
  },
  partition: {
    targets: list('targets', 'Ping addresses; a server reaching none of them takes no group over.', ''),
  },
} satisfies Record<string, Fields>;

/** Named sections: `[kind NAME]`. Per-server keys (heartbeats, md addresses) are checked by their readers. */
export const namedSections = {
  server: {
    comment: by('upload', str('comment', 'Free text. Servers are listed in priority order.', '')),
  },
  group: {
    servers: list('servers', 'Failover policy: servers in order of preference.'),
    autoFailback: bool('auto_failback', 'false', 'Move back to the first server of the policy when it returns.'),
    autoStart: bool('auto_start', 'true', 'Start when the cluster starts.'),
  },
} satisfies Record<string, Fields>;

export const heartbeatTypes = {
  lanhb: {
    port: optionalInt('port', 'UDP port (default ports.heartbeat). Other keys: SERVER = address.', { min: 1, max: 65535 }),
  },
  comhb: {
    baudRate: numberOf('baud_rate', ['9600', '19200', '38400', '57600', '115200'], '19200', 'Line speed. Other keys: SERVER = serial device.'),
  },
  diskhb: {
    offset: int('offset', 'Byte offset of the slot area (multiple of 512). Other keys: SERVER = device.', { def: '0', min: 0 }),
    slotSize: int('slot_size', 'Bytes per server slot (multiple of 512).', { def: '4096', min: 512, max: 1048576 }),
  },
} satisfies Record<string, Fields>;

export const resourceCommon = {
  group: str('group', 'Group the resource belongs to.'),
  dependsOn: list('depends_on', 'Resources activated before this one (default: fip, then disk/md/raw, then exec).', ''),
  activeRetry: int('active_retry', 'Activation retries.', { def: '0', min: 0, max: 99 }),
  deactiveRetry: int('deactive_retry', 'Deactivation retries.', { def: '0', min: 0, max: 99 }),
  failoverThreshold: int('failover_threshold', 'Failovers after activation failure before the final action.', { def: '1', min: 0, max: 99 }),
  activeFinalAction: oneOf('active_final_action', finalActions, 'none', 'Final action when activation fails (seed §10.1).'),
  deactiveFinalAction: oneOf('deactive_final_action', finalActions, 'shutdown', 'Final action when deactivation fails.'),
} satisfies Fields;

const fsKeys = {
  mountPoint: absolutePath('mount_point', 'Mount point.'),
  fsType: str('fs_type', 'File system type.', 'ext4'),
  mountOptions: str('mount_options', 'Mount options.', 'rw'),
  fsck: oneOf('fsck', ['always', 'never'], 'always', 'Run fsck before mounting.'),
  fsckOptions: str('fsck_options', 'fsck options.', '-y'),
} satisfies Fields;

export const resourceTypes = {
  fip: {
    address: cidr('address', 'Floating address with prefix, e.g. 10.0.0.100/24.'),
    interface: optional('string', 'interface', 'Interface (default: the one on the same subnet).'),
  },
  exec: {
    start: absolutePath('start', 'Start script.'),
    stop: absolutePath('stop', 'Stop script.'),
    async: bool('async', 'false', 'Start script keeps running (watched by pidw).'),
    timeout: ms('timeout', 'Script timeout (ms).', { def: '1800000', min: 100 }),
    logFile: optional('absolutePath', 'log_file', 'Script output (default under log/).'),
  },
  disk: {
    device: absolutePath('device', 'Shared-disk partition. Other keys (optional): SERVER = the partition as that server names it.'),
    ...fsKeys,
    umountRetry: int('umount_retry', 'umount retries.', { def: '3', min: 0, max: 99 }),
    killUsers: bool('kill_users', 'false', 'Kill processes using the file system before retrying umount.'),
  },
  raw: {
    device: absolutePath('device', 'Raw block device, writable only while active. Other keys (optional): SERVER = the device as that server names it.'),
  },
  md: {
    nmp: int('nmp', 'Mirror device number: /dev/NMPn.', { min: 1, max: 64 }),
    dataPartition: absolutePath('data_partition', 'Data partition.'),
    clusterPartition: absolutePath('cluster_partition', 'Cluster partition (metadata, difference bitmap).'),
    ...fsKeys,
    dataPort: int('data_port', 'TCP port of this mirror\'s data link.', { min: 1, max: 65535 }),
    autoRecovery: bool('auto_recovery', 'true', 'Automatic mirror recovery (seed §11.10.1).'),
    fsckTimeout: ms('fsck_timeout', 'fsck timeout (ms); md return code 83 when exceeded.', { def: '1800000', min: 1000 }),
    mountTimeout: ms('mount_timeout', 'mount timeout (ms).', { def: '120000', min: 1000 }),
    umountTimeout: ms('umount_timeout', 'umount timeout (ms).', { def: '120000', min: 1000 }),
  },
} satisfies Record<string, Fields>;

export const monitorCommon = {
  interval: ms('interval', 'Monitor interval (ms).', { def: '60000', min: 100 }),
  timeout: ms('timeout', 'One check\'s timeout (ms).', { def: '120000', min: 100 }),
  retry: int('retry', 'Failures tolerated before recovery.', { def: '0', min: 0, max: 99 }),
  startWait: ms('start_wait', 'Wait before the first check (ms).', { def: '0', min: 0 }),
  when: oneOf('when', ['always', 'active'], 'always', 'Monitor always, or only while target_group is active here.'),
  targetGroup: optional('string', 'target_group', 'Group whose activity enables the monitor (when = active).'),
  recoveryTarget: optional('string', 'recovery_target', 'Resource or group recovered on failure.'),
  recoveryAction: oneOf('recovery_action', recoveryActions, 'failover', 'Recovery action (seed §10.2).'),
  restartCount: int('restart_count', 'Restarts before failing over (recovery_action = restart).', { def: '1', min: 0, max: 99 }),
  finalAction: oneOf('final_action', finalActions, 'none', 'When restarts and failovers are used up (seed §10.2).'),
} satisfies Fields;

/** Type-specific monitor keys (kept in MonitorConfig.params, as written). */
export const monitorTypes = {
  ipw: { targets: list('targets', 'Addresses to ping; failure when none answers.') },
  diskw: {
    device: absolutePath('device', 'Device to read.'),
    method: oneOf('method', ['read', 'dummy'], 'read', 'Read the device, or only check it opens.'),
  },
  pidw: { resource: str('resource', 'Asynchronous exec resource whose process is watched.') },
  raww: { device: absolutePath('device', 'Raw device to read.') },
  miiw: { interface: str('interface', 'NIC whose link state is watched.') },
  genw: { script: absolutePath('script', 'Script; exit 0 = normal.') },
  userw: { method: oneOf('method', ['softdog', 'none'], 'softdog', 'softdog resets on a stall; none only reports.') },
  mdw: { resource: str('resource', 'Mirror disk resource watched.') },
  mdnw: { resource: str('resource', 'Mirror disk resource whose link is watched.') },
} satisfies Record<string, Fields>;
