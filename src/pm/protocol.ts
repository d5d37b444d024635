// The ops of the cluster daemon's lifecycle (the seed's pm and clpcl, clpstdn): start, stop,
// suspend and resume the cluster daemon here or on other servers, power actions, and the
// test-only fault injection.
import type { LoopLag } from './loop-lag';
import { defineOp, LONG_OP_MS, noArgs, targetArgs, type Target } from '../control/op';

/** The core roles whose death is an emergency shutdown (seed §10.3: clprc, clprm, clpnm). */
export const coreRoles = ['rc', 'rm', 'nm'] as const;
export type CoreRole = (typeof coreRoles)[number];

/** 'starting' and 'stopping' last while the roles start or the groups stop. */
export type DaemonPhase = 'stopped' | 'starting' | 'running' | 'stopping';
export interface DaemonStatus { daemon: DaemonPhase; server: string; pid: number; loopLag?: LoopLag }
export type FaultArgs = { kind: 'role'; role: CoreRole } | { kind: 'stall-shutdown' } | { kind: 'clock-step'; ms: number };

/** The largest clock step the fault takes, either way. */
export const MAX_CLOCK_STEP_MS = 24 * 3600 * 1000;

const reboot = (a: Record<string, unknown>) => ({ reboot: a.reboot === true });

export const pmOps = {
  status: defineOp<Record<string, never>, DaemonStatus>('pm.status', noArgs),
  /** Power this server off (or reboot it), asked by clpstdn on another server: the peer leg
   * of cl.shutdown only (clpstdn here goes through cl.shutdown). */
  power: defineOp<{ reboot: boolean }>('pm.power', reboot, { from: 'peer' }),
  /** `fault` (PAIRHA_FAULTS=1, local socket only): {kind: 'role', role} throws out of a timer
   * as a dying role would; {kind: 'stall-shutdown'} stalls the next power action;
   * {kind: 'clock-step', ms} steps the process's wall clock. */
  fault: defineOp<FaultArgs>('fault', (a) => {
    if (a.kind === 'stall-shutdown') return { kind: 'stall-shutdown' };
    if (a.kind === 'clock-step') {
      const ms = a.ms;
      return typeof ms === 'number' && Number.isInteger(ms) && Math.abs(ms) <= MAX_CLOCK_STEP_MS ? { kind: 'clock-step', ms } : `ms must be an integer within ±${MAX_CLOCK_STEP_MS}`;
    }
    if (a.kind !== 'role') return "kind must be 'role', 'stall-shutdown' or 'clock-step'";
    const role = coreRoles.find((r) => r === a.role);
    return role ? { kind: 'role', role } : `role must be one of ${coreRoles.join(', ')}`;
  }, { from: 'local' }),
};

/** clpcl: from the local socket on the target servers; from another server, that server's
 * fan-out reaching this one, run here only (control/fan-out.ts). */
export const clOps = {
  start: defineOp<Target>('cl.start', targetArgs),
  stop: defineOp<Target>('cl.stop', targetArgs),
  suspend: defineOp<Target>('cl.suspend', targetArgs),
  resume: defineOp<Target>('cl.resume', targetArgs),
  /** One server's shutdown or reboot (the web manager; the console's `reboot`/`poweroff`):
   * its groups are handed over to the others, as when the cluster daemon powers it off. */
  power: defineOp<{ reboot: boolean; host: string }>('cl.power', (a) => (typeof a.host === 'string' && a.host
    ? { reboot: a.reboot === true, host: a.host } : 'host is missing'), { from: 'local', timeoutMs: LONG_OP_MS }),
  /** Cluster shutdown (clpstdn): every server's groups, then every server's power. */
  shutdown: defineOp<{ reboot: boolean }>('cl.shutdown', reboot, { from: 'local', timeoutMs: LONG_OP_MS }),
};
