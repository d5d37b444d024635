// Fault injection for tests of the server-down rules (seed §10.3, §10.6). Only present when
// the runtime starts with PAIRHA_FAULTS=1 (the lab sets it), and only on the local control
// socket: a peer can never inject a fault.
import type { Registry } from '../control/registry';

/** The core roles whose death is an emergency shutdown (seed §10.3: clprc, clprm, clpnm). */
export const coreRoles = ['rc', 'rm', 'nm'] as const;
export type CoreRole = (typeof coreRoles)[number];

/** An error thrown out of a role, naming it (pm 20 `%1 process exit abnormally.`). */
export class RoleFailure extends Error {
  constructor(readonly role: CoreRole, message: string) { super(message); }
}

export interface FaultState {
  /** The next OS shutdown stalls after it was recorded (the shutdown stall monitor's case). */
  stallShutdown: boolean;
}

export const faultsEnabled = (env: NodeJS.ProcessEnv = process.env) => env.PAIRHA_FAULTS === '1';

/** Block the event loop without burning a core, as a hung kernel shutdown would. */
export function stall(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** `fault` op: {kind: 'role', role} throws out of a timer as a dying role would;
 * {kind: 'stall-shutdown'} makes the next power action stall after it is recorded. */
export function registerFaults(registry: Registry, state: FaultState): void {
  registry.register('fault', async (a, origin) => {
    if (!origin.local) return { code: 2, message: 'faults are injected on the local control socket only' };
    if (a.kind === 'stall-shutdown') { state.stallShutdown = true; return { code: 0 }; }
    if (a.kind === 'role') {
      const role = coreRoles.find((r) => r === a.role);
      if (!role) return { code: 2, message: `role must be one of ${coreRoles.join(', ')}` };
      setTimeout(() => { throw new RoleFailure(role, `injected fault in ${role}`); }, 0);
      return { code: 0 };
    }
    return { code: 2, message: "kind must be 'role' or 'stall-shutdown'" };
  });
}
