// The configuration schema as data: one table per section kind. Each key has a type,
// a default (absent = required), an optional range or enum, and the doc line that
// docs/config.md is generated from.

export type KeyType = 'string' | 'int' | 'bool' | 'ipv4' | 'cidr' | 'path' | 'list' | 'enum' | 'ms';

export interface KeySpec {
  key: string;
  type: KeyType;
  /** Default as written in the file; undefined = required. */
  def?: string;
  min?: number;
  max?: number;
  values?: readonly string[];
  doc: string;
}

export const finalActions = ['none', 'stop-group', 'stop-daemon', 'shutdown', 'reboot'] as const;
export const recoveryActions = ['restart', 'failover', 'stop-daemon', 'shutdown', 'reboot', 'none'] as const;

const port = (key: string, def: string, doc: string): KeySpec => ({ key, type: 'int', def, min: 1, max: 65535, doc });

/** Sections that appear once, without a name. */
export const singleSections: Record<string, KeySpec[]> = {
  cluster: [
    { key: 'name', type: 'string', doc: 'Cluster name, carried by every heartbeat.' },
    { key: 'key_file', type: 'path', doc: 'File holding the cluster key (16+ bytes, mode 0600); relative to the config file.' },
    { key: 'comment', type: 'string', def: '', doc: 'Free text.' },
    { key: 'rt_priority', type: 'int', def: '10', min: 0, max: 99, doc: 'SCHED_RR priority of the runtime, so that load on the box cannot starve the heartbeats (as corosync does); 0 = normal scheduling.' },
  ],
  timeouts: [
    { key: 'hb_interval', type: 'ms', def: '3000', min: 50, max: 60000, doc: 'Heartbeat send interval (ms).' },
    { key: 'hb_timeout', type: 'ms', def: '90000', min: 150, max: 3600000, doc: 'A heartbeat is down after this silence; a server when all are (ms).' },
    { key: 'start_sync_wait', type: 'ms', def: '300000', min: 0, max: 3600000, doc: 'At start, wait this long for peers before starting groups (ms).' },
    { key: 'internal', type: 'ms', def: '180000', min: 100, max: 3600000, doc: 'Server-to-server control request timeout (ms).' },
  ],
  ports: [
    port('internal', '29001', 'TCP, server-to-server control (seed §8).'),
    port('data_transfer', '29002', 'TCP, data transfer.'),
    port('heartbeat', '29002', 'UDP, LAN heartbeat.'),
    port('alert_sync', '29003', 'UDP, alert log synchronisation.'),
    port('manager', '29003', 'TCP, manager (reserved; nothing listens).'),
    port('mirror_agent', '29004', 'TCP, mirror agents.'),
    port('mirror_driver', '29005', 'TCP, mirror drivers.'),
  ],
  mail: [
    { key: 'enabled', type: 'bool', def: 'false', doc: 'Send events whose SEND has mail.' },
    { key: 'smtp_host', type: 'string', def: '127.0.0.1', doc: 'SMTP server.' },
    port('smtp_port', '25', 'SMTP port.'),
    { key: 'from', type: 'string', def: 'pairha@localhost', doc: 'Sender address.' },
    { key: 'to', type: 'list', def: 'root@localhost', doc: 'Recipients, comma separated.' },
    { key: 'subject', type: 'string', def: 'pairha event', doc: 'Subject prefix.' },
  ],
  alert: [
    { key: 'sync', type: 'bool', def: 'true', doc: 'Copy alert log entries to the other servers (ports.alert_sync).' },
    { key: 'max_entries', type: 'int', def: '10000', min: 10, max: 1000000, doc: 'Alert log entries kept on disk.' },
  ],
  syslog: [
    { key: 'enabled', type: 'bool', def: 'true', doc: 'Send events whose SEND has syslog.' },
    { key: 'facility', type: 'enum', def: 'daemon', values: ['daemon', 'user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'], doc: 'Syslog facility.' },
  ],
  watchdog: [
    { key: 'enabled', type: 'bool', def: 'true', doc: 'userw feeds /dev/watchdog (softdog) while the runtime answers.' },
    { key: 'margin', type: 'ms', def: '90000', min: 1000, max: 3600000, doc: 'Watchdog margin (ms): a stall this long resets the server. At most, and by default, [timeouts] hb_timeout.' },
  ],
  leds: [
    { key: 'enabled', type: 'bool', def: 'false', doc: 'Drive the front-panel LEDs.' },
    { key: 'run', type: 'string', def: 'pairha:green:run', doc: 'LED-class name of the run LED.' },
    { key: 'status', type: 'string', def: 'pairha:green:status', doc: 'LED-class name of the status LED.' },
    { key: 'status_error', type: 'string', def: 'pairha:red:status', doc: 'LED-class name of the status error LED.' },
    { key: 'mirror', type: 'string', def: 'pairha:green:mirror', doc: 'LED-class name of the mirror LED.' },
    { key: 'mirror_error', type: 'string', def: 'pairha:red:mirror', doc: 'LED-class name of the mirror error LED.' },
  ],
  partition: [
    { key: 'targets', type: 'list', def: '', doc: 'Ping addresses; a server reaching none of them takes no group over.' },
  ],
};

/** Named sections: `[kind NAME]`. Per-server keys (heartbeats, md addresses) are checked in validate. */
export const namedSections: Record<string, KeySpec[]> = {
  server: [
    { key: 'comment', type: 'string', def: '', doc: 'Free text. Servers are listed in priority order.' },
  ],
  group: [
    { key: 'servers', type: 'list', doc: 'Failover policy: servers in order of preference.' },
    { key: 'auto_failback', type: 'bool', def: 'false', doc: 'Move back to the first server of the policy when it returns.' },
    { key: 'auto_start', type: 'bool', def: 'true', doc: 'Start when the cluster starts.' },
  ],
};

export const heartbeatTypes: Record<string, KeySpec[]> = {
  lanhb: [
    { key: 'port', type: 'int', min: 1, max: 65535, def: '', doc: 'UDP port (default ports.heartbeat). Other keys: SERVER = address.' },
  ],
  comhb: [
    { key: 'baud_rate', type: 'enum', def: '19200', values: ['9600', '19200', '38400', '57600', '115200'], doc: 'Line speed. Other keys: SERVER = serial device.' },
  ],
  diskhb: [
    { key: 'offset', type: 'int', def: '0', min: 0, doc: 'Byte offset of the slot area (multiple of 512). Other keys: SERVER = device.' },
    { key: 'slot_size', type: 'int', def: '4096', min: 512, max: 1048576, doc: 'Bytes per server slot (multiple of 512).' },
  ],
};

export const resourceCommon: KeySpec[] = [
  { key: 'group', type: 'string', doc: 'Group the resource belongs to.' },
  { key: 'depends_on', type: 'list', def: '', doc: 'Resources activated before this one (default: fip, then disk/md/raw, then exec).' },
  { key: 'active_retry', type: 'int', def: '0', min: 0, max: 99, doc: 'Activation retries.' },
  { key: 'deactive_retry', type: 'int', def: '0', min: 0, max: 99, doc: 'Deactivation retries.' },
  { key: 'failover_threshold', type: 'int', def: '1', min: 0, max: 99, doc: 'Failovers after activation failure before the final action.' },
  { key: 'active_final_action', type: 'enum', def: 'none', values: finalActions, doc: 'Final action when activation fails (seed §10.1).' },
  { key: 'deactive_final_action', type: 'enum', def: 'shutdown', values: finalActions, doc: 'Final action when deactivation fails.' },
];

const fsKeys: KeySpec[] = [
  { key: 'mount_point', type: 'path', doc: 'Mount point.' },
  { key: 'fs_type', type: 'string', def: 'ext4', doc: 'File system type.' },
  { key: 'mount_options', type: 'string', def: 'rw', doc: 'Mount options.' },
  { key: 'fsck', type: 'enum', def: 'always', values: ['always', 'never'], doc: 'Run fsck before mounting.' },
  { key: 'fsck_options', type: 'string', def: '-y', doc: 'fsck options.' },
];

export const resourceTypes: Record<string, KeySpec[]> = {
  fip: [
    { key: 'address', type: 'cidr', doc: 'Floating address with prefix, e.g. 10.0.0.100/24.' },
    { key: 'interface', type: 'string', def: '', doc: 'Interface (default: the one on the same subnet).' },
  ],
  exec: [
    { key: 'start', type: 'path', doc: 'Start script.' },
    { key: 'stop', type: 'path', doc: 'Stop script.' },
    { key: 'async', type: 'bool', def: 'false', doc: 'Start script keeps running (watched by pidw).' },
    { key: 'timeout', type: 'ms', def: '1800000', min: 100, doc: 'Script timeout (ms).' },
    { key: 'log_file', type: 'path', def: '', doc: 'Script output (default under log/).' },
  ],
  disk: [
    { key: 'device', type: 'path', doc: 'Shared-disk partition. Other keys (optional): SERVER = the partition as that server names it.' },
    ...fsKeys,
    { key: 'umount_retry', type: 'int', def: '3', min: 0, max: 99, doc: 'umount retries.' },
    { key: 'kill_users', type: 'bool', def: 'false', doc: 'Kill processes using the file system before retrying umount.' },
  ],
  raw: [
    { key: 'device', type: 'path', doc: 'Raw block device, writable only while active. Other keys (optional): SERVER = the device as that server names it.' },
  ],
  md: [
    { key: 'nmp', type: 'int', min: 1, max: 64, doc: 'Mirror device number: /dev/NMPn.' },
    { key: 'data_partition', type: 'path', doc: 'Data partition.' },
    { key: 'cluster_partition', type: 'path', doc: 'Cluster partition (metadata, difference bitmap).' },
    ...fsKeys,
    { key: 'data_port', type: 'int', min: 1, max: 65535, doc: 'TCP port of this mirror\'s data link.' },
    { key: 'auto_recovery', type: 'bool', def: 'true', doc: 'Automatic mirror recovery (seed §11.10.1).' },
    { key: 'fsck_timeout', type: 'ms', def: '1800000', min: 1000, doc: 'fsck timeout (ms); md return code 83 when exceeded.' },
    { key: 'mount_timeout', type: 'ms', def: '120000', min: 1000, doc: 'mount timeout (ms).' },
    { key: 'umount_timeout', type: 'ms', def: '120000', min: 1000, doc: 'umount timeout (ms).' },
  ],
};

export const monitorCommon: KeySpec[] = [
  { key: 'interval', type: 'ms', def: '60000', min: 100, doc: 'Monitor interval (ms).' },
  { key: 'timeout', type: 'ms', def: '120000', min: 100, doc: 'One check\'s timeout (ms).' },
  { key: 'retry', type: 'int', def: '0', min: 0, max: 99, doc: 'Failures tolerated before recovery.' },
  { key: 'start_wait', type: 'ms', def: '0', min: 0, doc: 'Wait before the first check (ms).' },
  { key: 'when', type: 'enum', def: 'always', values: ['always', 'active'], doc: 'Monitor always, or only while target_group is active here.' },
  { key: 'target_group', type: 'string', def: '', doc: 'Group whose activity enables the monitor (when = active).' },
  { key: 'recovery_target', type: 'string', def: '', doc: 'Resource or group recovered on failure.' },
  { key: 'recovery_action', type: 'enum', def: 'failover', values: recoveryActions, doc: 'Recovery action (seed §10.2).' },
  { key: 'restart_count', type: 'int', def: '1', min: 0, max: 99, doc: 'Restarts before failing over (recovery_action = restart).' },
  { key: 'final_action', type: 'enum', def: 'none', values: finalActions, doc: 'When restarts and failovers are used up (seed §10.2).' },
];

/** Type-specific monitor keys (kept in MonitorConfig.params). */
export const monitorTypes: Record<string, KeySpec[]> = {
  ipw: [{ key: 'targets', type: 'list', doc: 'Addresses to ping; failure when none answers.' }],
  diskw: [
    { key: 'device', type: 'path', doc: 'Device to read.' },
    { key: 'method', type: 'enum', def: 'read', values: ['read', 'dummy'], doc: 'Read the device, or only check it opens.' },
  ],
  pidw: [{ key: 'resource', type: 'string', doc: 'Asynchronous exec resource whose process is watched.' }],
  raww: [{ key: 'device', type: 'path', doc: 'Raw device to read.' }],
  miiw: [{ key: 'interface', type: 'string', doc: 'NIC whose link state is watched.' }],
  genw: [{ key: 'script', type: 'path', doc: 'Script; exit 0 = normal.' }],
  userw: [{ key: 'method', type: 'enum', def: 'softdog', values: ['softdog', 'none'], doc: 'softdog resets on a stall; none only reports.' }],
  mdw: [{ key: 'resource', type: 'string', doc: 'Mirror disk resource watched.' }],
  mdnw: [{ key: 'resource', type: 'string', doc: 'Mirror disk resource whose link is watched.' }],
};
