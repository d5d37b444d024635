// The mirror operations of the local control socket, used by the clpmd* commands. They run
// on this server's agent; clpmdinit and clpmdchng reinitialise a cluster partition so that
// the driver creates fresh metadata (every chunk dirty, generation 0) at the next bind.
import type { ClusterConfig, MdResourceConfig } from '../config/types';
import { ev } from '../events/ids';
import type { ControlRegistry, Reply } from '../control/op';
import type { Events } from '../events/types';
import type { Platform } from '../platform/types';
import type { MirrorAgent } from './agent';
import { activateReason, MdError, mdError } from './errors';
import { nmpDevice } from './md-resource';
import { mdOps } from './protocol';

export interface MirrorOpsDeps {
  config: ClusterConfig;
  platform: Platform;
  events: Events;
  /** The running agent, if any. */
  agent(): MirrorAgent | undefined;
}

/** A partition of the disk: /dev/sdb1 and /dev/nvme0n1p2 are on /dev/sdb and /dev/nvme0n1; /dev/sdba1 is not on /dev/sdb. */
export const onDisk = (partition: string, disk: string) => partition === disk || (partition.startsWith(disk) && /^p?\d+$/.test(partition.slice(disk.length)));

/** Zero the metadata block of a cluster partition: the driver finds no magic and starts afresh. */
async function wipeMetadata(d: MirrorOpsDeps, agent: MirrorAgent, r: MdResourceConfig): Promise<void> {
  const s = agent.localStatus(r.nmp);
  if (s?.port === 'open') throw new MdError(1, `${r.name} is active on this server: deactivate it first (clpmdctrl --deactive ${r.name})`);
  if (s?.state === 'RECOVERING') throw new MdError(1, `${r.name} is recovering: wait for the end`);
  // The agent's tick rebinds unbound NMPs: not while the metadata is being wiped.
  agent.holdUnbound(r.nmp, true);
  try {
    if (s?.bound) await agent.liscal.unbind(r.nmp);
    const res = await d.platform.run('dd', ['if=/dev/zero', `of=${r.clusterPartition}`, 'bs=4096', 'count=1', 'conv=fsync'], { timeoutMs: 60000 });
    if (res.code) throw mdError(82);
    // §6.7.1 runs clpmdchng with clusterpro_md disabled (no driver): bound at its next load.
    if (agent.liscal.loaded()) await agent.bind(r);
  } finally { agent.holdUnbound(r.nmp, false); }
}

export function serveMirrorOps(reg: ControlRegistry, d: MirrorOpsDeps): void {
  const run = <A extends object, R>(h: (agent: MirrorAgent, args: A) => Promise<Reply<R>>) => async (args: A): Promise<Reply<R>> => {
    const agent = d.agent();
    if (!agent?.running) return { code: 1, message: mdError(1).message };
    try { return await h(agent, args); } catch (e) { return { code: e instanceof MdError ? e.code : 1, message: (e as Error).message }; }
  };
  reg.serve(mdOps.stat, run(async (agent, a) => ({ code: 0, data: await agent.view(agent.resource(a.resource).name) })));
  reg.serve(mdOps.active, run(async (agent, a) => {
    const r = agent.resource(a.resource);
    if (agent.localStatus(r.nmp)?.port === 'open') {
      d.events.emit(ev.mdadm.activateFailed, activateReason.localActive, nmpDevice(r.nmp));
      return { code: 1, message: `${r.name} is already active on this server` };
    }
    await agent.activate(r.name, a.mount);
    return { code: 0 };
  }));
  reg.serve(mdOps.deactive, run(async (agent, a) => { await agent.deactivate(agent.resource(a.resource).name, true); return { code: 0 }; }));
  reg.serve(mdOps.recovery, run(async (agent, a) => ({ code: 0, message: await agent.recovery(agent.resource(a.resource).name) })));
  reg.serve(mdOps.stopRecovery, run(async (agent, a) => ({ code: 0, message: await agent.stopRecovery(agent.resource(a.resource).name) })));
  reg.serve(mdOps.force, run(async (agent, a) => ({ code: 0, message: await agent.force(agent.resource(a.resource).name, a.server) })));
  reg.serve(mdOps.init, run(async (agent, a) => { await wipeMetadata(d, agent, agent.resource(a.resource)); return { code: 0 }; }));
  reg.serve(mdOps.chng, run(async (agent, { device }) => {
    const on = agent.resources.filter((r) => onDisk(r.clusterPartition, device) || onDisk(r.dataPartition, device));
    if (!on.length) return { code: 2, message: `no mirror disk resource has its partitions on ${device}` };
    for (const r of on) await wipeMetadata(d, agent, r);
    return { code: 0, message: `cluster partitions reinitialised: ${on.map((r) => `${r.name} (${r.clusterPartition})`).join(', ')}` };
  }));
}
