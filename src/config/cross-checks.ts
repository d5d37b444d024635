// Checks across sections: unique names, ports, devices, and the timing rules.
import type { Named } from './cluster';
import { nameOf } from './cluster';
import { Checker, type Read } from './fields';
import type { HeartbeatUse } from './heartbeats';
import type { ResourceUse } from './resources';
import type { ScannedSection } from './scan';
import type { singleSections } from './schema';

type Single = typeof singleSections;

/** Names are unique across groups, resources, monitors and heartbeats: the CLI and the events name them without their kind. */
export function checkNames(c: Checker, named: Named): void {
  const owners = new Map<string, string>();
  for (const kind of ['heartbeat', 'group', 'resource', 'monitor'] as const) {
    for (const sec of named[kind]) {
      const n = nameOf(sec);
      const prev = owners.get(n);
      if (prev) c.add(sec.line, sec.name, '', `name '${n}' is already used by [${prev}]`);
      else owners.set(n, sec.name);
    }
  }
}

interface PortUse { label: string; port: number | undefined; sec: ScannedSection | undefined; key: string }

/** No port used twice on the same protocol. */
export function checkPorts(c: Checker, ports: Read<Single['ports']>, portSec: ScannedSection | undefined, resources: ResourceUse[], heartbeats: HeartbeatUse[]): void {
  const usage = (proto: string, uses: PortUse[]) => {
    const seen = new Map<number, string>();
    for (const { label, port, sec, key } of uses) {
      if (port === undefined) continue;
      const prev = seen.get(port);
      if (prev) c.add(sec?.keys.get(key) ?? sec?.line ?? 1, sec?.name ?? 'ports', key, `${proto} port ${port} is already used by ${prev}`);
      else seen.set(port, label);
    }
  };
  const p = (field: keyof Single['ports'], key: string): PortUse => ({ label: `ports.${key}`, port: ports[field], sec: portSec, key });
  usage('TCP', [
    p('internal', 'internal'), p('dataTransfer', 'data_transfer'), p('manager', 'manager'), p('mirrorAgent', 'mirror_agent'), p('mirrorDriver', 'mirror_driver'),
    ...resources.filter((r) => r.dataPort !== undefined || r.sec.values.get('type') === 'md')
      .map((r) => ({ label: `[resource ${r.name}] data_port`, port: r.dataPort, sec: r.sec, key: 'data_port' })),
  ]);
  usage('UDP', [
    p('heartbeat', 'heartbeat'), p('alertSync', 'alert_sync'),
    ...heartbeats.filter((h) => h.devices === undefined && h.port !== ports.heartbeat)
      .map((h) => ({ label: `[heartbeat ${h.name}] port`, port: h.port, sec: h.sec, key: 'port' })),
  ]);
}

/** No two serial/disk heartbeats may claim the same device on one server. */
export function checkDevices(c: Checker, heartbeats: HeartbeatUse[]): void {
  const claimed = new Map<string, string>();
  for (const h of heartbeats) {
    for (const [srv, dev] of Object.entries(h.devices ?? {})) {
      const k = `${srv}:${dev}`;
      const prev = claimed.get(k);
      if (prev) c.add(Checker.line(h.sec, srv), h.sec.name, srv, `device ${dev} is already used by ${prev}`);
      else claimed.set(k, `[heartbeat ${h.name}]`);
    }
  }
}

/**
 * hb_timeout at least twice hb_interval; and seed §10.5: a stall longer than the heartbeat
 * timeout must reset the server before the peer takes its groups over, so the watchdog
 * margin is at most hb_timeout (and, unset, is hb_timeout).
 */
export function checkTiming(c: Checker, t: Read<Single['timeouts']>, tSec: ScannedSection | undefined, wd: Read<Single['watchdog']>, wdSec: ScannedSection | undefined): void {
  if (t.hbInterval !== undefined && t.hbTimeout !== undefined && t.hbTimeout < 2 * t.hbInterval) {
    c.add(tSec?.keys.get('hb_timeout') ?? tSec?.line ?? 1, 'timeouts', 'hb_timeout', `${t.hbTimeout} must be at least twice hb_interval (${t.hbInterval})`);
  }
  if (!wdSec?.keys.has('margin') && t.hbTimeout !== undefined) wd.margin = t.hbTimeout;
  if (wd.enabled === true && wd.margin !== undefined && t.hbTimeout !== undefined && wd.margin > t.hbTimeout) {
    c.add(wdSec?.keys.get('margin') ?? wdSec?.line ?? 1, 'watchdog', 'margin', `${wd.margin} exceeds [timeouts] hb_timeout (${t.hbTimeout}): a stalled server would not be reset before its peer takes its groups over`);
  }
}
