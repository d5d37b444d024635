// The monitor role (the seed's rm): one runner per configured monitor, recovery through
// the group role. Monitor states go to clpstat.
import type { ServerActions } from '../group/actions';
import type { GroupPort } from '../group/types';
import type { Role, RuntimeContext } from '../core/context';
import { checks } from './index';
import { Recovery } from './recovery';
import { MonitorRunner } from './runner';

export class MonitorManager implements Role {
  readonly type = 'rm';
  private readonly runners: MonitorRunner[] = [];

  constructor(private readonly ctx: RuntimeContext, rc: GroupPort, actions: ServerActions, isUp: (server: string) => boolean = () => false) {
    const recovery = new Recovery(rc, ctx.events, actions);
    const log = ctx.log.child('rm');
    const pidOf = (name: string) => rc.pidOf(name);
    for (const m of ctx.config.monitors) {
      const factory = checks[m.type];
      if (!factory) continue; // userw runs in the runtime
      const peerUp = () => ctx.config.servers.some((s) => s.name !== ctx.local.name && isUp(s.name));
      const check = factory(m, { platform: ctx.platform, log, pidOf, mirror: ctx.mirror, peerUp });
      const enabled = () => {
        // Only once the group is fully started: its resources' processes exist from then on.
        const active = m.when === 'always' || rc.isOnline(m.targetGroup ?? '');
        if (!active) recovery.reset(m.name);
        return active;
      };
      this.runners.push(new MonitorRunner(m, check, ctx.events, enabled, () => recovery.recover(m)));
    }
  }

  async start(): Promise<void> { for (const r of this.runners) r.start(); }
  async stop(): Promise<void> { for (const r of this.runners) r.stop(); }

  status(): Array<{ name: string; type: string; state: string }> {
    return this.runners.map((r) => ({ name: r.cfg.name, type: r.cfg.type, state: r.state }));
  }
}
