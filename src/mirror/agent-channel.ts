// What this agent answers on the agents' channel (29004/TCP). Requests come authenticated,
// but their arguments are still checked (mirror/protocol.ts): a wrong NMP, kind or mode is
// refused by name.
import type { ControlRegistry, Reply } from '../control/op';
import { MdError } from './errors';
import type { ForceKind, RecoverMode } from './liscal';
import type { LiscalStatus } from './liscal-status';
import { agentOps, statusReply } from './protocol';
import type { MdResourceConfig } from '../config/types';

/** What the channel asks of the agent serving it (the agent passes itself in). */
export interface ChannelAgent {
  readonly self: string;
  readonly resources: MdResourceConfig[];
  readonly liscal: { force(nmp: number, kind: ForceKind): Promise<void> };
  localStatus(nmp: number): LiscalStatus | undefined;
  forceHere(r: MdResourceConfig): Promise<string>;
  recoverFrom(r: MdResourceConfig, from: string, mode: RecoverMode): Promise<string>;
  stopRecoveryHere(r: MdResourceConfig): Promise<void>;
}

export function serveAgentChannel(reg: ControlRegistry, agent: ChannelAgent): void {
  const withResource = <A extends { nmp: number }, R>(h: (r: MdResourceConfig, args: A) => Promise<Reply<R>>) => async (args: A): Promise<Reply<R>> => {
    const r = agent.resources.find((x) => x.nmp === args.nmp);
    if (!r) return { code: 2, message: `NMP${args.nmp} is not a mirror disk of this cluster` };
    try { return await h(r, args); } catch (e) { return { code: e instanceof MdError ? e.code : 1, message: (e as Error).message }; }
  };
  reg.serve(agentOps.status, withResource(async (r) => statusReply(agent.localStatus(r.nmp))));
  reg.serve(agentOps.force, withResource(async (r, { kind }) => {
    if (kind === 'latest') return { code: 0, message: await agent.forceHere(r) };
    if (agent.localStatus(r.nmp)?.port === 'open') return { code: 1, message: `the mirror disk is active on ${agent.self}` };
    await agent.liscal.force(r.nmp, kind);
    return { code: 0 };
  }));
  reg.serve(agentOps.stopRecovery, withResource(async (r) => { await agent.stopRecoveryHere(r); return { code: 0 }; }));
  reg.serve(agentOps.recover, withResource(async (r, { mode }) => ({ code: 0, message: await agent.recoverFrom(r, agent.self, mode) })));
}
