// [heartbeat NAME] sections: the type's keys, and one SERVER = address/device per server.
import { nameOf } from './cluster';
import { Checker, complete, ipv4Re, isAbsolutePath } from './fields';
import type { ScannedSection } from './scan';
import { heartbeatTypes } from './schema';
import type { HeartbeatConfig, ServerConfig } from './types';

type HeartbeatType = keyof typeof heartbeatTypes;
const isType = (t: string): t is HeartbeatType => Object.hasOwn(heartbeatTypes, t);

/** A section's SERVER = value keys (every server exactly once), checked by `check`. */
export function perServer(c: Checker, sec: ScannedSection, servers: ServerConfig[], skip: (key: string) => boolean, check: (v: string) => string | undefined): Record<string, string> {
  const names = new Set(servers.map((s) => s.name));
  const out: Record<string, string> = {};
  for (const [key, v] of sec.values) {
    if (key === 'type' || skip(key)) continue;
    const line = Checker.line(sec, key);
    if (!names.has(key)) { c.add(line, sec.name, key, `unknown server '${key}'`); continue; }
    if (!v) { c.add(line, sec.name, key, 'has no value'); continue; }
    const why = check(v);
    if (why) c.add(line, sec.name, key, why);
    else out[key] = v;
  }
  for (const s of servers) if (!Object.hasOwn(out, s.name) && !sec.values.has(s.name)) c.add(sec.line, sec.name, s.name, `server '${s.name}' has no entry in this section`);
  return out;
}

export const isAddress = (a: string) => (ipv4Re.test(a) ? undefined : `'${a}' is not an IPv4 address`);
/** A per-server device: the schema's absolute-path rule, worded for a device. */
export const isDevice = (d: string) => (d.startsWith('/') ? isAbsolutePath(d) : `'${d}' is not an absolute device path`);

/** What the cross-checks need of a heartbeat, even one with a bad value. */
export interface HeartbeatUse { sec: ScannedSection; name: string; port?: number; devices?: Record<string, string> }

/** Heartbeats in file order (HB0, HB1 ...); a lanhb without port uses ports.heartbeat. */
export function readHeartbeats(c: Checker, sections: ScannedSection[], servers: ServerConfig[], defaultPort: number | undefined): { heartbeats: HeartbeatConfig[]; uses: HeartbeatUse[] } {
  const heartbeats: HeartbeatConfig[] = [];
  const uses: HeartbeatUse[] = [];
  for (const sec of sections) {
    const type = sec.values.get('type') ?? '';
    if (!isType(type)) { c.add(Checker.line(sec, 'type'), sec.name, 'type', sec.values.has('type') ? `unknown heartbeat type '${type}' (lanhb, comhb, diskhb)` : 'required key is missing'); continue; }
    const known = (k: string) => Object.values(heartbeatTypes[type]).some((s) => s.key === k);
    const base = { name: nameOf(sec), index: uses.length };
    // Other keys are servers: perServer reports the unknown ones.
    if (type === 'lanhb') {
      const v = c.read(heartbeatTypes.lanhb, sec);
      const addresses = perServer(c, sec, servers, known, isAddress);
      const port = v.port ?? defaultPort;
      uses.push({ sec, name: base.name, port });
      if (port !== undefined) heartbeats.push({ ...base, type, addresses, port });
    } else if (type === 'comhb') {
      const v = c.read(heartbeatTypes.comhb, sec);
      const devices = perServer(c, sec, servers, known, isDevice);
      uses.push({ sec, name: base.name, devices });
      const ok = complete(heartbeatTypes.comhb, v);
      if (ok) heartbeats.push({ ...base, type, devices, ...ok });
    } else {
      const v = c.read(heartbeatTypes.diskhb, sec);
      const devices = perServer(c, sec, servers, known, isDevice);
      uses.push({ sec, name: base.name, devices });
      const multiple = (k: string, n: number | undefined) => {
        if (n !== undefined && n % 512) c.add(Checker.line(sec, k), sec.name, k, `${n} is not a multiple of 512`);
      };
      multiple('offset', v.offset);
      multiple('slot_size', v.slotSize);
      const ok = complete(heartbeatTypes.diskhb, v);
      if (ok) heartbeats.push({ ...base, type, devices, ...ok });
    }
  }
  return { heartbeats, uses };
}
