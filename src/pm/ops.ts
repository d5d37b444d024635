// Serving the cluster daemon's ops: its status (the clp* commands' "is it running"), and
// clpcl's start, stop, suspend and resume, here or fanned out to the other servers.
import { fanOut, type FanOut } from '../control/fan-out';
import type { ControlRegistry } from '../control/op';
import type { ControlReply } from '../control/types';
import type { ClusterDaemon } from './daemon';
import type { LoopLagMonitor } from './loop-lag';
import { clOps, pmOps } from './protocol';

/** `resume` re-reads clp.conf before resuming (seed §6.1.4); without it the daemon just resumes. */
export function serveDaemonOps(reg: ControlRegistry, daemon: ClusterDaemon, fan: FanOut, resume?: () => Promise<ControlReply>, lag?: LoopLagMonitor): void {
  const membership = () => {
    if (!daemon.membership) throw new Error('the cluster daemon is not running');
    return daemon.membership;
  };
  reg.serve(pmOps.status, async () => ({ code: 0, data: { daemon: daemon.state, server: fan.local, pid: process.pid, loopLag: lag?.read() } }));
  // The other servers run the op on themselves only.
  reg.serve(clOps.start, async (t, origin) => fanOut(fan, clOps.start, {}, t, origin, () => daemon.start()));
  reg.serve(clOps.stop, async (t, origin) => fanOut(fan, clOps.stop, {}, t, origin, () => daemon.stop()));
  reg.serve(clOps.suspend, async (t, origin) => fanOut(fan, clOps.suspend, {}, t, origin, async () => { membership().suspend(); return { code: 0 }; }));
  reg.serve(clOps.resume, async (t, origin) => fanOut(fan, clOps.resume, {}, t, origin, async () => { membership(); if (resume) return resume(); membership().resume(); return { code: 0 }; }));
}
