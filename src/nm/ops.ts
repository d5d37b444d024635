// Serving the membership role's ops. The role lives while the cluster daemon runs: asked
// while it is stopped, an op fails (code 1).
import { fanOut, type FanOut } from '../control/fan-out';
import type { ControlRegistry } from '../control/op';
import type { Membership } from './membership';
import { nmOps } from './protocol';

export interface MembershipOpsDeps {
  /** The running membership role, or undefined while the cluster daemon is stopped. */
  membership(): Membership | undefined;
  fan: FanOut;
}

export function serveMembershipOps(reg: ControlRegistry, d: MembershipOpsDeps): void {
  const need = (): Membership => {
    const m = d.membership();
    if (!m) throw new Error('the cluster daemon is not running');
    return m;
  };
  reg.serve(nmOps.view, async () => ({ code: 0, data: need().view() }));
  reg.serve(nmOps.stats, async () => ({ code: 0, data: need().stats() }));
  reg.serve(nmOps.ratio, async (a, origin) => fanOut(d.fan, nmOps.ratio, { ...a, all: false }, a, origin, async () => {
    const m = need();
    if ('clear' in a) m.clearRatio();
    else m.setRatio(a.value, a.until);
    return { code: 0 };
  }));
}
