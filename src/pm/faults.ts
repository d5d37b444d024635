// Fault injection for tests of the server-down rules (seed §10.3, §10.6). Only present when
// the runtime starts with PAIRHA_FAULTS=1 (the lab sets it), and only on the local control
// socket: a peer can never inject a fault.
import type { ControlRegistry } from '../control/op';
import { pmOps, type CoreRole } from './protocol';

/** An error thrown out of a role, naming it (pm 20 `%1 process exit abnormally.`). */
export class RoleFailure extends Error {
  constructor(readonly role: CoreRole, message: string) { super(message); }
}

export interface FaultState {
  /** The next OS shutdown stalls after it was recorded (the shutdown stall monitor's case). */
  stallShutdown: boolean;
  /** Steps the wall clock (installSteppableClock); absent, the clock-step fault is refused. */
  stepClock?: (ms: number) => void;
}

/** A wall clock the clock-step fault can step, as an OS clock step would: Date.now moves,
 * the monotonic clock (performance.now) does not. Installed before anything reads Date.now
 * (main.ts), so that every reference taken later is this one. */
export function installSteppableClock(): (ms: number) => void {
  const real = Date.now;
  let offset = 0;
  Date.now = () => real() + offset;
  return (ms) => { offset += ms; };
}

export const faultsEnabled = (env: NodeJS.ProcessEnv = process.env) => env.PAIRHA_FAULTS === '1';

/** Block the event loop without burning a core, as a hung kernel shutdown would. */
export function stall(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Serve the `fault` op (its arguments: pm/protocol.ts). */
export function serveFaults(registry: ControlRegistry, state: FaultState): void {
  registry.serve(pmOps.fault, async (a) => {
    if (a.kind === 'stall-shutdown') { state.stallShutdown = true; return { code: 0 }; }
    if (a.kind === 'clock-step') {
      if (!state.stepClock) return { code: 3, message: 'this runtime has no steppable clock' };
      state.stepClock(a.ms);
      return { code: 0 };
    }
    const role = a.role;
    setTimeout(() => { throw new RoleFailure(role, `injected fault in ${role}`); }, 0);
    return { code: 0 };
  });
}
