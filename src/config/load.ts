// Loads clp.conf: scan.ts reads the INI text with line numbers, the schema gives types and
// defaults, one reader per kind of section (cluster.ts, heartbeats.ts, resources.ts,
// monitors.ts) reads the values, and the cross-checks run last. All problems are
// collected; any problem means nothing starts (pm event 13).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { nameOf, readGroups, readServers, readSingles, sortSections } from './cluster';
import { checkDevices, checkNames, checkPorts, checkTiming } from './cross-checks';
import { ConfigError } from './errors';
import { Checker, complete } from './fields';
import { readHeartbeats } from './heartbeats';
import { readMonitors } from './monitors';
import { readResources } from './resources';
import { scanIni } from './scan';
import { singleSections } from './schema';
import type { ClusterConfig, ServerConfig } from './types';

export function parseConfig(text: string, file: string): ClusterConfig {
  const scan = scanIni(text, file);
  const c = new Checker(file);
  c.problems.push(...scan.problems);
  const { single, named } = sortSections(c, scan);
  const s = readSingles(c, single);

  const servers = readServers(c, named.server);
  const { heartbeats, uses: hbUses } = readHeartbeats(c, named.heartbeat, servers, s.ports.heartbeat);
  if (servers.length > 1 && !named.heartbeat.length) c.add(1, '', '', 'no [heartbeat NAME] section: servers could not see each other');
  const groups = readGroups(c, named.group, new Set(servers.map((x) => x.name)));
  const groupNames = new Set(named.group.map(nameOf));
  const { resources, uses: resUses } = readResources(c, named.resource, servers, groupNames);
  const monitors = readMonitors(c, named.monitor, groupNames, new Set(resUses.map((r) => r.name)));

  checkNames(c, named);
  checkPorts(c, s.ports, single.get('ports'), resUses, hbUses);
  checkDevices(c, hbUses);
  checkTiming(c, s.timeouts, single.get('timeouts'), s.watchdog, single.get('watchdog'));

  const cluster = complete(singleSections.cluster, s.cluster);
  const timeouts = complete(singleSections.timeouts, s.timeouts);
  const ports = complete(singleSections.ports, s.ports);
  const mail = complete(singleSections.mail, s.mail);
  const alert = complete(singleSections.alert, s.alert);
  const syslog = complete(singleSections.syslog, s.syslog);
  const watchdog = complete(singleSections.watchdog, s.watchdog);
  const leds = complete(singleSections.leds, s.leds);
  const partition = complete(singleSections.partition, s.partition);
  if (c.problems.length) throw new ConfigError(13, c.problems.sort((a, b) => a.line - b.line));
  if (!cluster || !timeouts || !ports || !mail || !alert || !syslog || !watchdog || !leds || !partition) {
    throw new Error(`${file}: a value is missing without a problem reported`);
  }
  const { enabled, ...names } = leds;
  return {
    file,
    cluster: { ...cluster, keyFile: path.resolve(path.dirname(file), cluster.keyFile) },
    timeouts, ports, servers, heartbeats, groups, resources, monitors, mail, alert, syslog, watchdog,
    leds: { enabled, names },
    partitionTargets: partition.targets,
  };
}

export function loadConfig(file: string): ClusterConfig {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const reason = err.code === 'ENOENT' ? 'configuration file does not exist' : `cannot read: ${err.message}`;
    throw new ConfigError(err.code === 'ENOENT' ? 14 : 13, [{ file: abs, line: 0, section: '', key: '', reason }]);
  }
  return parseConfig(text, abs);
}

/** This server's entry; event 15 when the name is not in the configuration. */
export function findLocalServer(config: ClusterConfig, name: string): ServerConfig {
  const s = config.servers.find((x) => x.name === name);
  if (!s) throw new ConfigError(15, [{ file: config.file, line: 0, section: '', key: '', reason: `this server '${name}' is not in the configuration (servers: ${config.servers.map((x) => x.name).join(', ')})` }]);
  return s;
}

/**
 * The cluster key: at least 16 bytes, in a regular file owned by root, or by the user the
 * runtime runs as (the lab and the tests write their own keys), with no access for group or
 * others. Checked on the open descriptor, so the file read is the file checked.
 */
export function loadKey(config: ClusterConfig): Buffer {
  const file = config.cluster.keyFile;
  const fail = (reason: string): never => { throw new ConfigError(13, [{ file, line: 0, section: 'cluster', key: 'key_file', reason }]); };
  let fd: number;
  try { fd = fs.openSync(file, 'r'); } catch (e) { return fail(`cannot read the cluster key: ${(e as Error).message}`); }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) fail('the cluster key is not a regular file');
    const self = process.getuid?.() ?? 0;
    if (st.uid !== 0 && st.uid !== self) fail(`the cluster key is owned by uid ${st.uid}; it must be owned by root${self ? ` or uid ${self} (the runtime's user)` : ''}; chown root it`);
    if (st.mode & 0o077) fail(`the cluster key is open to group or others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`);
    const key = fs.readFileSync(fd);
    if (key.length < 16) fail(`the cluster key has ${key.length} bytes; at least 16 are needed`);
    return key;
  } finally { fs.closeSync(fd); }
}
