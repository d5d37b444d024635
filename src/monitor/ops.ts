// Serving the monitor role's op: this server's monitor states (rm's and userw).
import type { ControlRegistry } from '../control/op';
import { rmOps, type MonitorState } from './protocol';

export function serveMonitorOps(reg: ControlRegistry, d: { monitors(): MonitorState[] }): void {
  reg.serve(rmOps.status, async () => ({ code: 0, data: d.monitors() }));
}
