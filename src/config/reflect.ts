// Which reflect method (seed §6.1) a configuration change needs: the old and new clp.conf are
// compared key by key, each changed key looks up its method in the schema (a key's own
// `reflect`, else its section's below), and the change needs the strongest of them. A method
// is what re-reads the key: keys read by objects built with the process need a reboot, keys
// read when the cluster daemon starts need a daemon stop/start, and so on.
import { scanIni, type ScannedSection } from './scan';
import { heartbeatTypes, monitorCommon, monitorTypes, namedSections, reflectMethods, resourceCommon, resourceTypes, singleSections, type Fields, type Reflect } from './schema';

/** Default method of each section kind: what builds the objects that read it. */
export const sectionReflect: Record<string, Reflect> = {
  cluster: 'reboot', // name and key: the peer channel and alert sync, built with the process
  timeouts: 'reboot', // internal: the peer client; the heartbeat ones say 'suspend'
  ports: 'reboot', // listeners bound with the process
  mail: 'reboot', // the event sinks, built with the process
  syslog: 'reboot',
  alert: 'reboot', // max_entries: the alert log; sync and its port say 'alertsync'
  watchdog: 'daemon', // userw starts with the cluster daemon
  leds: 'reboot',
  partition: 'daemon',
  server: 'reboot', // adding or removing a server: seed §6.3
  heartbeat: 'reboot', // LAN addresses also carry the peer channel and alert sync
  group: 'daemon',
  resource: 'daemon',
  monitor: 'daemon',
};
/** md resources are served by the mirror agent, which runs with the process (seed §12.3: mdagent). */
const resourceTypeReflect: Record<string, Reflect> = { md: 'reboot' };

export interface KeyChange { section: string; key: string; old?: string; new?: string; method: Reflect }
export type SideMethod = 'alertsync' | 'webmgr';
export interface ConfigDiff { changes: KeyChange[]; method: Reflect; /** Restarts needed besides `method`. */ extras: SideMethod[] }

const rank = (m: Reflect) => reflectMethods.indexOf(m);
export const stronger = (a: Reflect, b: Reflect): Reflect => (rank(a) >= rank(b) ? a : b);
/** The restarts of §6.1.2-6.1.3 stand beside the others: a daemon stop/start does not restart them. */
const sideMethods: readonly Reflect[] = ['alertsync', 'webmgr'];
const isSide = (m: Reflect): m is SideMethod => sideMethods.includes(m);

function specsOf(kind: string, type: string | undefined): Fields {
  switch (kind) {
    case 'resource': return { ...resourceCommon, ...(type ? (resourceTypes as Record<string, Fields>)[type] : {}) };
    case 'monitor': return { ...monitorCommon, ...(type ? (monitorTypes as Record<string, Fields>)[type] : {}) };
    case 'heartbeat': return type ? (heartbeatTypes as Record<string, Fields>)[type] ?? {} : {};
    default: return (singleSections as Record<string, Fields>)[kind] ?? (namedSections as Record<string, Fields>)[kind] ?? {};
  }
}

/** The method a change of `key` in section `section` (as written: `resource fip1`) needs. */
export function reflectOf(section: string, key: string, type: string | undefined): Reflect {
  const kind = section.split(/\s+/)[0];
  const spec = Object.values(specsOf(kind, type)).find((s) => s.key === key);
  if (spec?.reflect) return spec.reflect;
  if (kind === 'resource' && type && resourceTypeReflect[type]) return resourceTypeReflect[type];
  return sectionReflect[kind] ?? 'reboot';
}

const byName = (sections: ScannedSection[]) => new Map(sections.map((s) => [s.name.trim().replace(/\s+/g, ' '), s.values]));

/** Compare two clp.conf texts. Both must scan (parse errors are the loader's to report). */
export function diffConfigs(oldText: string, newText: string): ConfigDiff {
  const a = byName(scanIni(oldText, 'old').sections), b = byName(scanIni(newText, 'new').sections);
  const changes: KeyChange[] = [];
  for (const section of new Set([...a.keys(), ...b.keys()])) {
    const o = a.get(section) ?? new Map<string, string>(), n = b.get(section) ?? new Map<string, string>();
    // A section that changes type is a new section: every key of it changes.
    const type = n.get('type') ?? o.get('type');
    const retyped = o.has('type') && n.has('type') && o.get('type') !== n.get('type');
    for (const key of new Set([...o.keys(), ...n.keys()])) {
      if (!retyped && o.get(key) === n.get(key)) continue;
      const method = retyped ? reflectOf(section, 'type', undefined) : reflectOf(section, key, type);
      changes.push({ section, key, old: o.get(key), new: n.get(key), method });
    }
  }
  let method: Reflect = 'upload';
  const extras = new Set<SideMethod>();
  for (const c of changes) {
    if (isSide(c.method)) extras.add(c.method);
    else method = stronger(method, c.method);
  }
  // A reboot restarts everything.
  return { changes, method, extras: method === 'reboot' ? [] : [...extras] };
}

/** One line of clpcfctrl's report. */
export const describeChange = (c: KeyChange) => `[${c.section}] ${c.key}: ${c.old ?? '(unset)'} -> ${c.new ?? '(unset)'} (${c.method})`;
