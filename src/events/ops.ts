// Serving the alert log's ops.
import type { ControlRegistry } from '../control/op';
import { ev } from './ids';
import type { Events } from './types';
import { alertOps } from './protocol';
import { readAlerts } from './sinks/alert';
import type { AlertSync } from './sync/alert-sync';

export function serveAlertOps(reg: ControlRegistry, d: { alertDir: string; sync?: AlertSync; events?: Events }): void {
  reg.serve(alertOps.loginFailed, async ({ user, address }) => {
    if (!d.events) return { code: 1, message: 'no event bus here' };
    d.events.emit(ev.webmgr.loginFailed, `'${user}'`, address);
    return { code: 0 };
  });
  reg.serve(alertOps.read, async ({ n }) => ({ code: 0, data: readAlerts(d.alertDir, n) }));
  reg.serve(alertOps.stats, async () => ({ code: 0, data: d.sync?.stats ?? null }));
}
