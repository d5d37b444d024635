// Builds liscal status records for the mirror tests: a SYNC, connected NMP1 unless overridden.
import type { LiscalStatus } from '../../src/mirror/liscal-status';

export function st(over: Partial<LiscalStatus> = {}): LiscalStatus {
  return {
    nmp: 1, bound: true, port: 'closed', peerPort: 'closed', conn: 'connected', act: 'idle', state: 'SYNC', color: 'GREEN',
    dirty: 0, chunks: 16384, diskErr: false, recovery: 'none', pct: 0, elapsed: 0, remaining: 0,
    gen: 5, peerGen: 5, lastUpdate: 1764030000, breakTime: 0, ...over,
  };
}

/** What the mirror tests' configurations differ in; the rest is the same two servers and md1. */
export interface Md1ConfOptions {
  /** [cluster] name: 'cluster' unless given. */
  cluster?: string;
  /** [ports] keys (internal, mirror_agent, heartbeat); no [ports] section when none. */
  ports?: Record<string, number>;
  /** Further sections ([timeouts], [watchdog], [leds], ...) as INI text, put after [ports]. */
  sections?: string;
  /** The failover group holding md1: 'failover1' unless given. */
  group?: string;
  /** The group's auto_start; left out (the default, true) unless given. */
  autoStart?: boolean;
  /** false: no [resource md1] at all. */
  md?: boolean;
  /** md1's mount_point: /mnt/md1 unless given. */
  mountPoint?: string;
  /** More md1 keys (fs_type, fsck_options, ...), put after mount_point. */
  mdKeys?: Record<string, string | number>;
}

/**
 * A cluster configuration of server1 (127.0.0.1) and server2 (127.0.0.2), one lanhb
 * heartbeat, and the mirror disk resource md1 (NMP1 on /dev/vdb2 with its cluster partition
 * /dev/vdb1, data port 29051) in a failover group of both.
 */
export function md1Conf(o: Md1ConfOptions = {}): string {
  const { cluster = 'cluster', ports = {}, sections = '', group = 'failover1', autoStart, md = true, mountPoint = '/mnt/md1', mdKeys = {} } = o;
  const keys = (r: Record<string, string | number | boolean>) => Object.entries(r).map(([k, v]) => `${k} = ${v}\n`).join('');
  const portsText = Object.keys(ports).length ? `[ports]\n${keys(ports)}` : '';
  const sectionsText = sections.trim() ? `${sections.trim()}\n` : '';
  const autoStartText = autoStart === undefined ? '' : keys({ auto_start: autoStart });
  const mdText = !md ? '' : `[resource md1]
type = md
group = ${group}
nmp = 1
data_partition = /dev/vdb2
cluster_partition = /dev/vdb1
mount_point = ${mountPoint}
${keys(mdKeys)}data_port = 29051
server1 = 127.0.0.1
server2 = 127.0.0.2
`;
  return `
[cluster]
name = ${cluster}
key_file = key
${portsText}${sectionsText}[server server1]
[server server2]
[heartbeat lanhb1]
type = lanhb
server1 = 127.0.0.1
server2 = 127.0.0.2
[group ${group}]
servers = server1, server2
${autoStartText}${mdText}`;
}
