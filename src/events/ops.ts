// Serving the alert log's ops.
import type { ControlRegistry } from '../control/op';
import { alertOps } from './protocol';
import { readAlerts } from './sinks/alert';
import type { AlertSync } from './sync/alert-sync';

export function serveAlertOps(reg: ControlRegistry, d: { alertDir: string; sync?: AlertSync }): void {
  reg.serve(alertOps.read, async ({ n }) => ({ code: 0, data: readAlerts(d.alertDir, n) }));
  reg.serve(alertOps.stats, async () => ({ code: 0, data: d.sync?.stats ?? null }));
}
