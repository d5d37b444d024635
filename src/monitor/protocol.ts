// The op of the monitor role (rm): its monitors' states, merged by rc.cluster for clpstat.
import { defineOp, noArgs } from '../control/op';

export interface MonitorState { name: string; type: string; state: string }

export const rmOps = {
  status: defineOp<Record<string, never>, MonitorState[]>('rm.status', noArgs),
};
