// The sections of the cluster as a whole: the single sections ([cluster], [timeouts] ...),
// the servers and the groups; and the sorting of sections by kind.
import { Checker, complete, type Read } from './fields';
import type { Scan, ScannedSection } from './scan';
import { namedSections, singleSections } from './schema';
import type { GroupConfig, ServerConfig } from './types';

type Single = typeof singleSections;
export type Singles = { [K in keyof Single]: Read<Single[K]> };
export const namedKinds = ['server', 'heartbeat', 'group', 'resource', 'monitor'] as const;
export type Named = Record<typeof namedKinds[number], ScannedSection[]>;

const nameRe = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;
const isSingle = (kind: string): kind is keyof Single => Object.hasOwn(singleSections, kind);
const isNamed = (kind: string): kind is keyof Named => namedKinds.some((k) => k === kind);

/** NAME of `[kind NAME]`. */
export const nameOf = (sec: ScannedSection): string => sec.name.split(' ')[1];

/** Sections by kind; a misnamed or unknown section is a problem and left out. */
export function sortSections(c: Checker, scan: Scan): { single: Map<string, ScannedSection>; named: Named } {
  const single = new Map<string, ScannedSection>();
  const named: Named = { server: [], heartbeat: [], group: [], resource: [], monitor: [] };
  for (const sec of scan.sections) {
    const [kind, name, ...rest] = sec.name.split(' ');
    if (name === undefined && isSingle(kind)) {
      single.set(kind, sec);
    } else if (name !== undefined && isNamed(kind)) {
      if (rest.length || !nameRe.test(name)) c.add(sec.line, sec.name, '', `invalid ${kind} name '${[name, ...rest].join(' ')}' (letters, digits, '-', '_'; up to 32; starts with a letter)`);
      // Names key plain objects downstream (addresses[server], devices[server]): 'toString' would find Object.prototype's.
      else if (name in Object.prototype) c.add(sec.line, sec.name, '', `invalid ${kind} name '${name}' (a built-in property name)`);
      else named[kind].push(sec);
    } else if (isSingle(kind)) {
      c.add(sec.line, sec.name, '', `[${kind}] takes no name`);
    } else if (isNamed(kind)) {
      c.add(sec.line, sec.name, '', `[${kind}] needs a name: [${kind} NAME]`);
    } else {
      c.add(sec.line, sec.name, '', `unknown section kind '${kind}'`);
    }
  }
  return { single, named };
}

/** The single sections; an absent one has its defaults (its problems at line 1). */
export function readSingles(c: Checker, single: Map<string, ScannedSection>): Singles {
  const read = <K extends keyof Single>(kind: K): Read<Single[K]> =>
    c.section(singleSections[kind], single.get(kind) ?? { name: kind, line: 1, keys: new Map(), values: new Map() });
  return {
    cluster: read('cluster'), timeouts: read('timeouts'), ports: read('ports'), mail: read('mail'), alert: read('alert'),
    syslog: read('syslog'), watchdog: read('watchdog'), leds: read('leds'), partition: read('partition'),
  };
}

/** Servers in file order = priority order. */
export function readServers(c: Checker, sections: ScannedSection[]): ServerConfig[] {
  const servers = sections.map((sec, index) => {
    c.section(namedSections.server, sec);
    return { name: nameOf(sec), index };
  });
  if (!servers.length) c.add(1, '', '', 'no [server NAME] section: a cluster needs at least one server');
  return servers;
}

export function readGroups(c: Checker, sections: ScannedSection[], serverNames: Set<string>): GroupConfig[] {
  const groups: GroupConfig[] = [];
  for (const sec of sections) {
    const v = c.section(namedSections.group, sec);
    const list = v.servers ?? [];
    const line = Checker.line(sec, 'servers');
    for (const s of list) if (!serverNames.has(s)) c.add(line, sec.name, 'servers', `unknown server '${s}'`);
    if (v.servers && !list.length) c.add(line, sec.name, 'servers', 'empty failover policy');
    if (new Set(list).size !== list.length) c.add(line, sec.name, 'servers', 'a server is listed twice');
    const ok = complete(namedSections.group, v);
    if (ok) groups.push({ name: nameOf(sec), ...ok });
  }
  return groups;
}
