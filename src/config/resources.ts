// [resource NAME] sections: the common keys, the type's keys, and per-server keys (a shared
// device's name on each server; an md's address on each server).
import { nameOf } from './cluster';
import { Checker, complete } from './fields';
import { isAddress, isDevice, perServer } from './heartbeats';
import type { ScannedSection } from './scan';
import { resourceCommon, resourceTypes, type Fields } from './schema';
import type { ResourceConfig, ResourceType, ServerConfig } from './types';

const isType = (t: string): t is ResourceType => Object.hasOwn(resourceTypes, t);

/** What the cross-checks need of a resource, even one with a bad value. */
export interface ResourceUse { sec: ScannedSection; name: string; group?: string; dependsOn: string[]; dataPort?: number }

export function readResources(c: Checker, sections: ScannedSection[], servers: ServerConfig[], groupNames: Set<string>): { resources: ResourceConfig[]; uses: ResourceUse[] } {
  const serverNames = new Set(servers.map((s) => s.name));
  const resources: ResourceConfig[] = [];
  const uses: ResourceUse[] = [];
  for (const sec of sections) {
    const type = sec.values.get('type') ?? '';
    if (!isType(type)) { c.add(Checker.line(sec, 'type'), sec.name, 'type', sec.values.has('type') ? `unknown resource type '${type}' (fip, exec, disk, raw, md)` : 'required key is missing'); continue; }
    const name = nameOf(sec);
    const common = c.read(resourceCommon, sec);
    const typeKey: Fields = { type: { key: 'type', type: 'string', doc: '' } };
    const known = (fields: Fields) => (k: string) => Object.values(fields).some((s) => s.key === k);
    // A shared device may have another name on each server (SERVER = device, optional).
    const perServerDevice = type === 'disk' || type === 'raw';
    // After the values: keys no table knows, then the group.
    const checkKeys = (fields: Fields) => {
      c.unknownKeys(sec, [typeKey, resourceCommon, fields], (k) => (perServerDevice || type === 'md') && serverNames.has(k));
      if (common.group !== undefined && !groupNames.has(common.group)) c.add(Checker.line(sec, 'group'), sec.name, 'group', `unknown group '${common.group}'`);
    };
    const use: ResourceUse = { sec, name, group: common.group, dependsOn: common.dependsOn ?? [] };
    uses.push(use);
    const base = complete(resourceCommon, common);
    const devices = (): Record<string, string> => {
      const out: Record<string, string> = {};
      for (const [key, d] of sec.values) {
        if (!serverNames.has(key)) continue;
        const why = isDevice(d);
        if (why) c.add(Checker.line(sec, key), sec.name, key, why);
        else out[key] = d;
      }
      return out;
    };
    switch (type) {
      case 'fip': {
        const v = c.read(resourceTypes.fip, sec);
        checkKeys(resourceTypes.fip);
        const ok = complete(resourceTypes.fip, v);
        if (base && ok) {
          const [address, prefix] = ok.address.split('/');
          resources.push({ ...base, ...ok, name, type, address, prefix: Number(prefix) });
        }
        break;
      }
      case 'exec': {
        const v = c.read(resourceTypes.exec, sec);
        checkKeys(resourceTypes.exec);
        const ok = complete(resourceTypes.exec, v);
        if (base && ok) resources.push({ ...base, ...ok, name, type });
        break;
      }
      case 'disk': {
        const v = c.read(resourceTypes.disk, sec);
        checkKeys(resourceTypes.disk);
        const d = devices();
        const ok = complete(resourceTypes.disk, v);
        if (base && ok) resources.push({ ...base, ...ok, name, type, devices: d });
        break;
      }
      case 'raw': {
        const v = c.read(resourceTypes.raw, sec);
        checkKeys(resourceTypes.raw);
        const d = devices();
        const ok = complete(resourceTypes.raw, v);
        if (base && ok) resources.push({ ...base, ...ok, name, type, devices: d });
        break;
      }
      case 'md': {
        const v = c.read(resourceTypes.md, sec);
        checkKeys(resourceTypes.md);
        use.dataPort = v.dataPort;
        const addresses = perServer(c, sec, servers, known({ ...typeKey, ...resourceCommon, ...resourceTypes.md }), isAddress);
        const ok = complete(resourceTypes.md, v);
        if (base && ok) resources.push({ ...base, ...ok, name, type, addresses });
        break;
      }
    }
  }
  // depends_on: resources of the same group.
  const byName = new Map(uses.map((u) => [u.name, u]));
  for (const u of uses) {
    const line = Checker.line(u.sec, 'depends_on');
    for (const d of u.dependsOn) {
      const dep = byName.get(d);
      if (!dep) c.add(line, u.sec.name, 'depends_on', `unknown resource '${d}'`);
      else if (dep.group !== u.group) c.add(line, u.sec.name, 'depends_on', `'${d}' belongs to another group`);
    }
  }
  return { resources, uses };
}
