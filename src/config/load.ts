// Loads clp.conf: scan.ts reads the INI text with line numbers, the schema tables give
// types and defaults, and the cross-reference checks run last.
// All problems are collected; any problem means nothing starts (pm event 13).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, type ConfigProblem } from './errors';
import { scanIni, type ScannedSection } from './scan';
import {
  heartbeatTypes, monitorCommon, monitorTypes, namedSections, resourceCommon, resourceTypes,
  singleSections, type KeySpec,
} from './schema';
import type {
  ClusterConfig, HeartbeatConfig, MonitorConfig, ResourceConfig, ServerConfig,
} from './types';

type Raw = Record<string, string>;
type Value = string | number | boolean | string[];

const ipv4Re = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const nameRe = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;

class Checker {
  readonly problems: ConfigProblem[] = [];
  constructor(readonly file: string) {}

  add(line: number, section: string, key: string, reason: string): void {
    this.problems.push({ file: this.file, line, section, key, reason });
  }

  /** Coerce one raw value by its spec; undefined (and a problem) when invalid. */
  value(spec: KeySpec, raw: string | undefined, sec: ScannedSection): Value | undefined {
    const line = sec.keys.get(spec.key) ?? sec.line;
    if (raw === undefined) {
      if (spec.def === undefined) { this.add(sec.line, sec.name, spec.key, 'required key is missing'); return undefined; }
      raw = spec.def;
      if (raw === '' && spec.type !== 'string' && spec.type !== 'list') return undefined;
    }
    const s = String(raw).trim();
    const bad = (why: string) => { this.add(line, sec.name, spec.key, why); return undefined; };
    switch (spec.type) {
      case 'string': return s;
      case 'path':
        if (!s) return bad('empty path');
        return s;
      case 'list': return s ? s.split(',').map((x) => x.trim()).filter(Boolean) : [];
      case 'bool':
        if (['true', 'yes', 'on', '1'].includes(s)) return true;
        if (['false', 'no', 'off', '0'].includes(s)) return false;
        return bad(`'${s}' is not a boolean (true/false)`);
      case 'enum':
        if (!spec.values!.includes(s)) return bad(`'${s}' is not one of ${spec.values!.join(', ')}`);
        return s;
      case 'ipv4':
        if (!ipv4Re.test(s)) return bad(`'${s}' is not an IPv4 address`);
        return s;
      case 'cidr': {
        const [a, p, extra] = s.split('/');
        const n = Number(p);
        if (extra !== undefined || !ipv4Re.test(a) || !/^\d+$/.test(p ?? '') || n < 1 || n > 32) return bad(`'${s}' is not an IPv4 address with prefix (a.b.c.d/n)`);
        return s;
      }
      case 'int': case 'ms': {
        if (!/^-?\d+$/.test(s)) return bad(`'${s}' is not an integer`);
        const n = Number(s);
        if (spec.min !== undefined && n < spec.min) return bad(`${n} is below the minimum ${spec.min}`);
        if (spec.max !== undefined && n > spec.max) return bad(`${n} is above the maximum ${spec.max}`);
        return n;
      }
    }
  }

  /** Check a section against specs; keys not in specs are returned for the caller (or reported). */
  section(specs: KeySpec[], raw: Raw, sec: ScannedSection, extra?: (key: string) => boolean): Record<string, Value | undefined> {
    const out: Record<string, Value | undefined> = {};
    for (const spec of specs) out[spec.key] = this.value(spec, raw[spec.key], sec);
    for (const key of Object.keys(raw)) {
      // Keys the scan did not see come from lines it already refused.
      if (!sec.keys.has(key) || specs.some((s) => s.key === key) || extra?.(key)) continue;
      this.add(sec.keys.get(key) ?? sec.line, sec.name, key, 'unknown key');
    }
    return out;
  }
}

export function parseConfig(text: string, file: string): ClusterConfig {
  const scan = scanIni(text, file);
  const c = new Checker(file);
  c.problems.push(...scan.problems);
  const rawOf = (sec: ScannedSection): Raw => Object.fromEntries(sec.values);

  const single: Record<string, Record<string, Value | undefined>> = {};
  const named: Record<string, ScannedSection[]> = { server: [], heartbeat: [], group: [], resource: [], monitor: [] };
  for (const sec of scan.sections) {
    const [kind, name, ...rest] = sec.name.split(' ');
    if (name === undefined && singleSections[kind]) {
      single[kind] = c.section(singleSections[kind], rawOf(sec), sec);
    } else if (name !== undefined && named[kind]) {
      if (rest.length || !nameRe.test(name)) c.add(sec.line, sec.name, '', `invalid ${kind} name '${[name, ...rest].join(' ')}' (letters, digits, '-', '_'; up to 32; starts with a letter)`);
      else named[kind].push(sec);
    } else if (singleSections[kind]) {
      c.add(sec.line, sec.name, '', `[${kind}] takes no name`);
    } else if (named[kind]) {
      c.add(sec.line, sec.name, '', `[${kind}] needs a name: [${kind} NAME]`);
    } else {
      c.add(sec.line, sec.name, '', `unknown section kind '${kind}'`);
    }
  }
  const headerLine = (kind: string) => scan.sections.find((s) => s.name === kind)?.line ?? 1;
  const defaults = (kind: string) => {
    if (single[kind]) return single[kind];
    const sec: ScannedSection = { name: kind, line: headerLine(kind), keys: new Map(), values: new Map() };
    return (single[kind] = c.section(singleSections[kind], {}, sec));
  };
  const cluster = defaults('cluster');
  const timeouts = defaults('timeouts');
  const ports = defaults('ports');
  const mail = defaults('mail');
  const alert = defaults('alert');
  const syslog = defaults('syslog');
  const watchdog = defaults('watchdog');
  const leds = defaults('leds');
  const partition = defaults('partition');

  // Servers, in file order = priority order.
  const servers: ServerConfig[] = [];
  for (const sec of named.server) {
    c.section(namedSections.server, rawOf(sec), sec);
    servers.push({ name: sec.name.split(' ')[1], index: servers.length });
  }
  if (!servers.length) c.add(1, '', '', 'no [server NAME] section: a cluster needs at least one server');
  const serverNames = new Set(servers.map((s) => s.name));
  const nameOf = (sec: ScannedSection) => sec.name.split(' ')[1];

  /** Per-server keys of a section (heartbeat devices/addresses): every server exactly once. */
  const perServer = (sec: ScannedSection, raw: Raw, known: KeySpec[], check: (v: string, key: string) => string | undefined): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [key, v] of Object.entries(raw)) {
      if (key === 'type' || known.some((s) => s.key === key)) continue;
      const line = sec.keys.get(key) ?? sec.line;
      if (!serverNames.has(key)) { c.add(line, sec.name, key, `unknown server '${key}'`); continue; }
      if (!String(v).trim()) { c.add(line, sec.name, key, 'has no value'); continue; }
      const why = check(String(v).trim(), key);
      if (why) c.add(line, sec.name, key, why);
      else out[key] = String(v).trim();
    }
    for (const s of servers) if (!(s.name in out) && !(s.name in raw)) c.add(sec.line, sec.name, s.name, `server '${s.name}' has no entry in this section`);
    return out;
  };

  const heartbeats: HeartbeatConfig[] = [];
  for (const sec of named.heartbeat) {
    const raw = rawOf(sec);
    const type = String(raw.type ?? '');
    const specs = heartbeatTypes[type];
    if (!specs) { c.add(sec.keys.get('type') ?? sec.line, sec.name, 'type', raw.type === undefined ? 'required key is missing' : `unknown heartbeat type '${type}' (lanhb, comhb, diskhb)`); continue; }
    const known = [{ key: 'type', type: 'string', doc: '' } as KeySpec, ...specs];
    const v = c.section(known, raw, sec, (k) => serverNames.has(k) || !known.some((s) => s.key === k));
    const base = { name: nameOf(sec), index: heartbeats.length };
    if (type === 'lanhb') {
      const addresses = perServer(sec, raw, known, (a) => (ipv4Re.test(a) ? undefined : `'${a}' is not an IPv4 address`));
      heartbeats.push({ ...base, type, addresses, port: (v.port as number | undefined) ?? (ports.heartbeat as number) });
    } else if (type === 'comhb') {
      const devices = perServer(sec, raw, known, (d) => (d.startsWith('/') ? undefined : `'${d}' is not an absolute device path`));
      heartbeats.push({ ...base, type, devices, baudRate: Number(v.baud_rate) });
    } else {
      const devices = perServer(sec, raw, known, (d) => (d.startsWith('/') ? undefined : `'${d}' is not an absolute device path`));
      for (const k of ['offset', 'slot_size']) {
        if (typeof v[k] === 'number' && (v[k] as number) % 512) c.add(sec.keys.get(k) ?? sec.line, sec.name, k, `${v[k]} is not a multiple of 512`);
      }
      heartbeats.push({ ...base, type: 'diskhb', devices, offset: v.offset as number, slotSize: v.slot_size as number });
    }
  }
  if (servers.length > 1 && !heartbeats.length && !named.heartbeat.length) c.add(1, '', '', 'no [heartbeat NAME] section: servers could not see each other');

  const groups = named.group.map((sec) => {
    const v = c.section(namedSections.group, rawOf(sec), sec);
    const list = (v.servers as string[] | undefined) ?? [];
    for (const s of list) if (!serverNames.has(s)) c.add(sec.keys.get('servers') ?? sec.line, sec.name, 'servers', `unknown server '${s}'`);
    if (v.servers && !list.length) c.add(sec.keys.get('servers') ?? sec.line, sec.name, 'servers', 'empty failover policy');
    if (new Set(list).size !== list.length) c.add(sec.keys.get('servers') ?? sec.line, sec.name, 'servers', 'a server is listed twice');
    return { name: nameOf(sec), servers: list, autoFailback: v.auto_failback as boolean, autoStart: v.auto_start as boolean };
  });
  const groupNames = new Set(groups.map((g) => g.name));

  const resources: ResourceConfig[] = [];
  const resourceLines = new Map<string, ScannedSection>();
  for (const sec of named.resource) {
    const raw = rawOf(sec);
    const type = String(raw.type ?? '');
    const specs = resourceTypes[type];
    if (!specs) { c.add(sec.keys.get('type') ?? sec.line, sec.name, 'type', raw.type === undefined ? 'required key is missing' : `unknown resource type '${type}' (fip, exec, disk, raw, md)`); continue; }
    const known = [{ key: 'type', type: 'string', doc: '' } as KeySpec, ...resourceCommon, ...specs];
    const isMd = type === 'md';
    // A shared device may have another name on each server (SERVER = device, optional).
    const perServerDevice = type === 'disk' || type === 'raw';
    const v = c.section(known, raw, sec, (k) => (isMd || perServerDevice) && serverNames.has(k));
    if (v.group !== undefined && !groupNames.has(v.group as string)) c.add(sec.keys.get('group') ?? sec.line, sec.name, 'group', `unknown group '${v.group}'`);
    const camel: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v)) camel[k.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase())] = val;
    const r = { ...camel, name: nameOf(sec), type, dependsOn: (v.depends_on as string[]) ?? [] } as Record<string, unknown>;
    delete r.dependsOn_; delete r.depends_on;
    if (type === 'fip' && typeof v.address === 'string') {
      const [a, p] = v.address.split('/');
      r.address = a; r.prefix = Number(p);
      r.interface = v.interface || undefined;
    }
    if (type === 'exec') r.logFile = v.log_file || undefined;
    if (perServerDevice) {
      r.devices = {};
      for (const [key, d] of Object.entries(raw)) {
        if (!serverNames.has(key)) continue;
        if (typeof d === 'string' && d.startsWith('/')) (r.devices as Record<string, string>)[key] = d;
        else c.add(sec.keys.get(key) ?? sec.line, sec.name, key, `'${d}' is not an absolute device path`);
      }
    }
    if (isMd) {
      r.addresses = perServer(sec, raw, known, (a) => (ipv4Re.test(a) ? undefined : `'${a}' is not an IPv4 address`));
      r.dataPartition = v.data_partition; r.clusterPartition = v.cluster_partition;
    }
    resourceLines.set(nameOf(sec), sec);
    resources.push(r as unknown as ResourceConfig);
  }
  const resourceNames = new Set(resources.map((r) => r.name));
  for (const r of resources) {
    const sec = resourceLines.get(r.name)!;
    for (const d of r.dependsOn) {
      if (!resourceNames.has(d)) c.add(sec.keys.get('depends_on') ?? sec.line, sec.name, 'depends_on', `unknown resource '${d}'`);
      else if (resources.find((x) => x.name === d)!.group !== r.group) c.add(sec.keys.get('depends_on') ?? sec.line, sec.name, 'depends_on', `'${d}' belongs to another group`);
    }
  }

  const monitors: MonitorConfig[] = [];
  for (const sec of named.monitor) {
    const raw = rawOf(sec);
    const type = String(raw.type ?? '');
    const specs = monitorTypes[type];
    if (!specs) { c.add(sec.keys.get('type') ?? sec.line, sec.name, 'type', raw.type === undefined ? 'required key is missing' : `unknown monitor type '${type}' (${Object.keys(monitorTypes).join(', ')})`); continue; }
    const v = c.section([{ key: 'type', type: 'string', doc: '' }, ...monitorCommon, ...specs], raw, sec);
    const line = (k: string) => sec.keys.get(k) ?? sec.line;
    const target = v.recovery_target as string;
    if (target && !groupNames.has(target) && !resourceNames.has(target)) c.add(line('recovery_target'), sec.name, 'recovery_target', `unknown group or resource '${target}'`);
    const tg = v.target_group as string;
    if (tg && !groupNames.has(tg)) c.add(line('target_group'), sec.name, 'target_group', `unknown group '${tg}'`);
    if (v.when === 'active' && !tg) c.add(line('when'), sec.name, 'when', "'active' needs target_group");
    for (const k of ['resource']) {
      if (typeof v[k] === 'string' && !resourceNames.has(v[k] as string)) c.add(line(k), sec.name, k, `unknown resource '${v[k]}'`);
    }
    if (typeof v.targets !== 'undefined' && type === 'ipw') {
      const t = v.targets as string[];
      if (!t.length) c.add(line('targets'), sec.name, 'targets', 'no address to ping');
      for (const a of t) if (!ipv4Re.test(a)) c.add(line('targets'), sec.name, 'targets', `'${a}' is not an IPv4 address`);
    }
    const params: Record<string, string> = {};
    for (const s of specs) if (v[s.key] !== undefined) params[s.key] = Array.isArray(v[s.key]) ? (v[s.key] as string[]).join(',') : String(v[s.key]);
    monitors.push({
      name: nameOf(sec), type: type as MonitorConfig['type'],
      interval: v.interval as number, timeout: v.timeout as number, retry: v.retry as number, startWait: v.start_wait as number,
      when: v.when as MonitorConfig['when'], targetGroup: tg || undefined, recoveryTarget: target || undefined,
      recoveryAction: v.recovery_action as MonitorConfig['recoveryAction'], restartCount: v.restart_count as number,
      finalAction: v.final_action as MonitorConfig['finalAction'], params,
    });
  }

  // Names are unique across groups, resources, monitors and heartbeats: the CLI and the
  // events name them without their kind.
  const owners = new Map<string, string>();
  for (const kind of ['heartbeat', 'group', 'resource', 'monitor'] as const) {
    for (const sec of named[kind]) {
      const n = nameOf(sec);
      const prev = owners.get(n);
      if (prev) c.add(sec.line, sec.name, '', `name '${n}' is already used by [${prev}]`);
      else owners.set(n, sec.name);
    }
  }

  // Ports: none used twice on the same protocol.
  const portSec = scan.sections.find((s) => s.name === 'ports');
  const usage = (proto: string, entries: Array<[string, number | undefined, ScannedSection | undefined, string]>) => {
    const seen = new Map<number, string>();
    for (const [label, p, sec, key] of entries) {
      if (p === undefined) continue;
      const prev = seen.get(p);
      if (prev) c.add(sec?.keys.get(key) ?? sec?.line ?? 1, sec?.name ?? 'ports', key, `${proto} port ${p} is already used by ${prev}`);
      else seen.set(p, label);
    }
  };
  const pn = (k: string) => ports[k] as number | undefined;
  usage('TCP', [
    ['ports.internal', pn('internal'), portSec, 'internal'],
    ['ports.data_transfer', pn('data_transfer'), portSec, 'data_transfer'],
    ['ports.manager', pn('manager'), portSec, 'manager'],
    ['ports.mirror_agent', pn('mirror_agent'), portSec, 'mirror_agent'],
    ['ports.mirror_driver', pn('mirror_driver'), portSec, 'mirror_driver'],
    ...resources.filter((r) => r.type === 'md').map((r) => [`[resource ${r.name}] data_port`, (r as { dataPort?: number }).dataPort, resourceLines.get(r.name), 'data_port'] as [string, number | undefined, ScannedSection | undefined, string]),
  ]);
  usage('UDP', [
    ['ports.heartbeat', pn('heartbeat'), portSec, 'heartbeat'],
    ['ports.alert_sync', pn('alert_sync'), portSec, 'alert_sync'],
    ...heartbeats.filter((h) => h.type === 'lanhb' && h.port !== pn('heartbeat')).map((h) => [`[heartbeat ${h.name}] port`, (h as { port: number }).port, named.heartbeat.find((s) => nameOf(s) === h.name), 'port'] as [string, number | undefined, ScannedSection | undefined, string]),
  ]);

  // Devices: no two serial/disk heartbeats may claim the same device on one server.
  const claimed = new Map<string, string>();
  for (const h of heartbeats) {
    if (h.type === 'lanhb') continue;
    for (const [srv, dev] of Object.entries(h.devices)) {
      const k = `${srv}:${dev}`;
      const prev = claimed.get(k);
      const sec = named.heartbeat.find((s) => nameOf(s) === h.name)!;
      if (prev) c.add(sec.keys.get(srv) ?? sec.line, sec.name, srv, `device ${dev} is already used by ${prev}`);
      else claimed.set(k, `[heartbeat ${h.name}]`);
    }
  }

  const t = timeouts;
  if (typeof t.hb_interval === 'number' && typeof t.hb_timeout === 'number' && t.hb_timeout < 2 * t.hb_interval) {
    const sec = scan.sections.find((s) => s.name === 'timeouts');
    c.add(sec?.keys.get('hb_timeout') ?? sec?.line ?? 1, 'timeouts', 'hb_timeout', `${t.hb_timeout} must be at least twice hb_interval (${t.hb_interval})`);
  }

  // Seed §10.5: a stall longer than the heartbeat timeout must reset the server before the peer
  // takes its groups over; a longer margin would leave both active meanwhile.
  // Unset, the margin is the heartbeat timeout.
  const wdSec = scan.sections.find((s) => s.name === 'watchdog');
  if (!wdSec?.keys.has('margin') && typeof t.hb_timeout === 'number') watchdog.margin = t.hb_timeout;
  if (watchdog.enabled === true && typeof watchdog.margin === 'number' && typeof t.hb_timeout === 'number' && watchdog.margin > t.hb_timeout) {
    const sec = wdSec;
    c.add(sec?.keys.get('margin') ?? sec?.line ?? 1, 'watchdog', 'margin', `${watchdog.margin} exceeds [timeouts] hb_timeout (${t.hb_timeout}): a stalled server would not be reset before its peer takes its groups over`);
  }

  if (c.problems.length) throw new ConfigError(13, c.problems.sort((a, b) => a.line - b.line));

  const keyFile = cluster.key_file as string;
  return {
    file,
    cluster: { name: cluster.name as string, keyFile: path.resolve(path.dirname(file), keyFile), comment: cluster.comment as string, rtPriority: cluster.rt_priority as number },
    timeouts: { hbInterval: t.hb_interval as number, hbTimeout: t.hb_timeout as number, startSyncWait: t.start_sync_wait as number, internal: t.internal as number },
    ports: {
      internal: pn('internal')!, dataTransfer: pn('data_transfer')!, heartbeat: pn('heartbeat')!, alertSync: pn('alert_sync')!,
      manager: pn('manager')!, mirrorAgent: pn('mirror_agent')!, mirrorDriver: pn('mirror_driver')!,
    },
    servers, heartbeats, groups, resources, monitors,
    mail: { enabled: mail.enabled as boolean, smtpHost: mail.smtp_host as string, smtpPort: mail.smtp_port as number, from: mail.from as string, to: mail.to as string[], subject: mail.subject as string },
    alert: { sync: alert.sync as boolean, maxEntries: alert.max_entries as number },
    syslog: { enabled: syslog.enabled as boolean, facility: syslog.facility as string },
    watchdog: { enabled: watchdog.enabled as boolean, margin: watchdog.margin as number },
    leds: {
      enabled: leds.enabled as boolean,
      names: { run: leds.run as string, status: leds.status as string, statusError: leds.status_error as string, mirror: leds.mirror as string, mirrorError: leds.mirror_error as string },
    },
    partitionTargets: (partition.targets as string[]) ?? [],
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

/** The cluster key: at least 16 bytes, in a file nobody but its owner can read. */
export function loadKey(config: ClusterConfig): Buffer {
  const file = config.cluster.keyFile;
  const fail = (reason: string): never => { throw new ConfigError(13, [{ file, line: 0, section: 'cluster', key: 'key_file', reason }]); };
  let st: fs.Stats;
  try { st = fs.statSync(file); } catch (e) { return fail(`cannot read the cluster key: ${(e as Error).message}`); }
  if (!st.isFile()) fail('the cluster key is not a regular file');
  if (st.mode & 0o077) fail(`the cluster key is readable by others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`);
  const key = fs.readFileSync(file);
  if (key.length < 16) fail(`the cluster key has ${key.length} bytes; at least 16 are needed`);
  return key;
}
