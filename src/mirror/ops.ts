// The mirror operations of the local control socket, used by the clpmd* commands. They run
// on this server's agent; clpmdinit and clpmdchng reinitialise a cluster partition so that
// the driver creates fresh metadata (every chunk dirty, generation 0) at the next bind.
import type { ClusterConfig, MdResourceConfig } from '../config/types';
import type { ControlReply, ControlRegistry } from '../control/types';
import { ev } from '../events/ids';
import type { Events } from '../events/types';
import type { Platform } from '../platform/types';
import type { MirrorAgent } from './agent';
import { activateReason, MdError, mdError } from './errors';
import { nmpDevice } from './md-resource';

export interface MirrorOpsDeps {
  config: ClusterConfig;
  platform: Platform;
  events: Events;
  /** The running agent, if any. */
  agent(): MirrorAgent | undefined;
}

/** A partition of the disk: /dev/sdb1 and /dev/nvme0n1p2 are on /dev/sdb and /dev/nvme0n1; /dev/sdba1 is not on /dev/sdb. */
export const onDisk = (partition: string, disk: string) => partition === disk || (partition.startsWith(disk) && /^p?\d+$/.test(partition.slice(disk.length)));

const str = (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length <= 255 ? v : undefined);

/** Zero the metadata block of a cluster partition: the driver finds no magic and starts afresh. */
async function wipeMetadata(d: MirrorOpsDeps, agent: MirrorAgent, r: MdResourceConfig): Promise<void> {
  const s = agent.localStatus(r.nmp);
  if (s?.port === 'open') throw new MdError(1, `${r.name} is active on this server: deactivate it first (clpmdctrl --deactive ${r.name})`);
  if (s?.state === 'RECOVERING') throw new MdError(1, `${r.name} is recovering: wait for the end`);
  // The agent's tick rebinds unbound NMPs: not while the metadata is being wiped.
  agent.holdUnbound(r.nmp, true);
  try {
    if (s?.bound) agent.liscal.unbind(r.nmp);
    const res = await d.platform.run('dd', ['if=/dev/zero', `of=${r.clusterPartition}`, 'bs=4096', 'count=1', 'conv=fsync'], { timeoutMs: 60000 });
    if (res.code) throw mdError(82);
    // §6.7.1 runs clpmdchng with clusterpro_md disabled (no driver): bound at its next load.
    if (agent.liscal.loaded()) agent.bind(r);
  } finally { agent.holdUnbound(r.nmp, false); }
}

export function registerMirrorOps(reg: ControlRegistry, d: MirrorOpsDeps): void {
  const run = (h: (agent: MirrorAgent, args: Record<string, unknown>) => Promise<ControlReply>) => async (args: Record<string, unknown>): Promise<ControlReply> => {
    const agent = d.agent();
    if (!agent?.running) return { code: 1, message: mdError(1).message };
    try { return await h(agent, args); } catch (e) { return { code: e instanceof MdError ? e.code : 1, message: (e as Error).message }; }
  };
  const resource = (agent: MirrorAgent, args: Record<string, unknown>) => {
    const name = str(args.resource);
    if (!name) throw mdError(2);
    return agent.resource(name);
  };
  reg.register('md.stat', run(async (agent, a) => ({ code: 0, data: await agent.view(resource(agent, a).name) })));
  reg.register('md.active', run(async (agent, a) => {
    const r = resource(agent, a);
    if (agent.localStatus(r.nmp)?.port === 'open') {
      d.events.emit(ev.mdadm.activateFailed, activateReason.localActive, nmpDevice(r.nmp));
      return { code: 1, message: `${r.name} is already active on this server` };
    }
    await agent.activate(r.name, a.mount !== false);
    return { code: 0 };
  }));
  reg.register('md.deactive', run(async (agent, a) => { await agent.deactivate(resource(agent, a).name, true); return { code: 0 }; }));
  reg.register('md.recovery', run(async (agent, a) => ({ code: 0, message: await agent.recovery(resource(agent, a).name) })));
  reg.register('md.force', run(async (agent, a) => {
    const server = str(a.server);
    if (!server) throw mdError(2);
    return { code: 0, message: await agent.force(resource(agent, a).name, server) };
  }));
  reg.register('md.init', run(async (agent, a) => { await wipeMetadata(d, agent, resource(agent, a)); return { code: 0 }; }));
  reg.register('md.chng', run(async (agent, a) => {
    const dev = str(a.device);
    if (!dev || !dev.startsWith('/dev/')) return { code: 2, message: `'${String(a.device).slice(0, 60)}' is not a device path (/dev/...)` };
    const on = agent.resources.filter((r) => onDisk(r.clusterPartition, dev) || onDisk(r.dataPartition, dev));
    if (!on.length) return { code: 2, message: `no mirror disk resource has its partitions on ${dev}` };
    for (const r of on) await wipeMetadata(d, agent, r);
    return { code: 0, message: `cluster partitions reinitialised: ${on.map((r) => `${r.name} (${r.clusterPartition})`).join(', ')}` };
  }));
}
