// [monitor NAME] sections: the common keys, and the type's keys kept as params.
import { nameOf } from './cluster';
import { Checker, complete, ipv4Re } from './fields';
import type { ScannedSection } from './scan';
import { monitorCommon, monitorTypes, type Fields } from './schema';
import type { MonitorConfig, MonitorType } from './types';

const isType = (t: string): t is MonitorType => Object.hasOwn(monitorTypes, t);
const typeKey: Fields = { type: { key: 'type', type: 'string', doc: '' } };

export function readMonitors(c: Checker, sections: ScannedSection[], groupNames: Set<string>, resourceNames: Set<string>): MonitorConfig[] {
  const monitors: MonitorConfig[] = [];
  for (const sec of sections) {
    const type = sec.values.get('type') ?? '';
    if (!isType(type)) { c.add(Checker.line(sec, 'type'), sec.name, 'type', sec.values.has('type') ? `unknown monitor type '${type}' (${Object.keys(monitorTypes).join(', ')})` : 'required key is missing'); continue; }
    const fields: Fields = monitorTypes[type];
    const v = c.read(monitorCommon, sec);
    const p = c.read(fields, sec);
    c.unknownKeys(sec, [typeKey, monitorCommon, fields]);
    const line = (k: string) => Checker.line(sec, k);
    const { recoveryTarget: target, targetGroup: tg } = v;
    if (target && !groupNames.has(target) && !resourceNames.has(target)) c.add(line('recovery_target'), sec.name, 'recovery_target', `unknown group or resource '${target}'`);
    if (tg && !groupNames.has(tg)) c.add(line('target_group'), sec.name, 'target_group', `unknown group '${tg}'`);
    if (v.when === 'active' && !tg) c.add(line('when'), sec.name, 'when', "'active' needs target_group");
    const resource = p.resource;
    if (typeof resource === 'string' && !resourceNames.has(resource)) c.add(line('resource'), sec.name, 'resource', `unknown resource '${resource}'`);
    const targets = p.targets;
    if (type === 'ipw' && Array.isArray(targets)) {
      if (!targets.length) c.add(line('targets'), sec.name, 'targets', 'no address to ping');
      for (const a of targets) if (!ipv4Re.test(a)) c.add(line('targets'), sec.name, 'targets', `'${a}' is not an IPv4 address`);
    }
    // The type's keys as written (lists comma-joined): each monitor reads its own.
    const params: Record<string, string> = {};
    for (const [name, spec] of Object.entries(fields)) {
      const x = p[name];
      if (x !== undefined) params[spec.key] = Array.isArray(x) ? x.join(',') : String(x);
    }
    const ok = complete(monitorCommon, v);
    if (ok) monitors.push({ name: nameOf(sec), type, ...ok, params });
  }
  return monitors;
}
