// Test configurations, written once: complete and valid because they come from the real
// parser, from INI keys added to a small two-server cluster (schema defaults elsewhere).
import { parseConfig } from '../../src/config';
import type { ClusterConfig, HeartbeatConfig, MonitorConfig, MonitorType, ResourceConfig, ResourceType } from '../../src/config/types';
import { resolvePaths } from '../../src/constants';
import { nullLogger } from '../../src/logger';
import type { Platform } from '../../src/platform/types';
import type { ResourceDeps } from '../../src/resource/types';
import { stubPlatform } from './platform';

/** A section's keys as written in clp.conf. */
export type Keys = Record<string, string | number | boolean>;
/** `[section]` with its keys, e.g. ['resource fip1', { type: 'fip', ... }]. */
export type Section = [string, Keys];

const cluster: Section[] = [
  ['cluster', { name: 'cluster', key_file: 'cluster.key' }],
  ['server server1', {}],
  ['server server2', {}],
  ['heartbeat lanhb1', { type: 'lanhb', server1: '10.0.0.1', server2: '10.0.0.2' }],
  ['group g1', { servers: 'server1,server2' }],
];

/** The least a resource of each type needs. */
const required: Record<ResourceType, Keys> = {
  fip: { address: '10.0.0.100/24' },
  exec: { start: '/bin/true', stop: '/bin/true' },
  disk: { device: '/dev/sdb1', mount_point: '/mnt/disk' },
  raw: { device: '/dev/sdc' },
  md: { nmp: 1, data_partition: '/dev/vdb1', cluster_partition: '/dev/vdb2', mount_point: '/mnt/md', data_port: 29051, server1: '10.0.1.1', server2: '10.0.1.2' },
};

export const iniText = (sections: Section[]): string =>
  sections.map(([name, keys]) => [`[${name}]`, ...Object.entries(keys).map(([k, v]) => `${k} = ${v}`)].join('\n')).join('\n\n') + '\n';

/** The cluster (server1, server2, lanhb1, group g1 of both) with `sections` added; a key given again replaces the cluster's. */
export function testConfig(sections: Section[] = [], file = '/opt/pairha/etc/clp.conf'): ClusterConfig {
  const merged = new Map(cluster.map(([n, k]) => [n, { ...k }]));
  for (const [n, k] of sections) merged.set(n, { ...merged.get(n), ...k });
  return parseConfig(iniText([...merged]), file);
}

/** `[resource NAME]` of `type` in group g1: the keys it needs, then `keys`. */
export const resourceSection = (type: ResourceType, name: string, keys: Keys = {}): Section => [`resource ${name}`, { type, group: 'g1', ...required[type], ...keys }];

/** A resource of `type` in group g1, as the runtime gets it; `keys` as in clp.conf. */
export function testResource<T extends ResourceType>(type: T, name: string, keys: Keys = {}): Extract<ResourceConfig, { type: T }> {
  const config = testConfig([resourceSection(type, name, keys)]);
  const isIt = (r: ResourceConfig): r is Extract<ResourceConfig, { type: T }> => r.name === name && r.type === type;
  const r = config.resources.find(isIt);
  if (!r) throw new Error(`testResource: no ${type} ${name}`);
  return r;
}

/** A heartbeat of `type` after lanhb1; `keys` as in clp.conf (SERVER = address or device, for both servers). */
export function testHeartbeat<T extends HeartbeatConfig['type']>(type: T, name: string, keys: Keys): Extract<HeartbeatConfig, { type: T }> {
  const isIt = (h: HeartbeatConfig): h is Extract<HeartbeatConfig, { type: T }> => h.name === name && h.type === type;
  const h = testConfig([[`heartbeat ${name}`, { type, ...keys }]]).heartbeats.find(isIt);
  if (!h) throw new Error(`testHeartbeat: no ${type} ${name}`);
  return h;
}

/** A monitor of `type`; `keys` as in clp.conf (the type's own keys are required ones). */
export function testMonitor(type: MonitorType, name: string, keys: Keys, sections: Section[] = []): MonitorConfig {
  const m = testConfig([...sections, [`monitor ${name}`, { type, ...keys }]]).monitors.find((x) => x.name === name);
  if (!m) throw new Error(`testMonitor: no ${type} ${name}`);
  return m;
}

/** What a resource gets from the runtime: the test cluster, server1 unless `local`, paths under `root`. */
export function resourceDeps(o: { root?: string; platform?: Platform; config?: ClusterConfig; local?: string } = {}): ResourceDeps {
  const config = o.config ?? testConfig();
  const local = config.servers.find((s) => s.name === (o.local ?? 'server1'));
  if (!local) throw new Error(`resourceDeps: no server ${o.local}`);
  return { config, local, paths: resolvePaths(o.root ? { PAIRHA_ROOT: o.root } : {}), platform: o.platform ?? stubPlatform(), log: nullLogger };
}
