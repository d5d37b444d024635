// What this agent answers on the agents' channel (29004/TCP). Requests come authenticated,
// but their arguments are still checked: a wrong NMP, kind or mode is refused by name.
import type { ControlReply } from '../control/types';
import type { Registry } from '../control/registry';
import { MdError } from './errors';
import type { ForceKind, RecoverMode } from './liscal';
import type { LiscalStatus } from './liscal-status';
import { agentOps, forceArg, modeArg, nmpArg, statusReply } from './protocol';
import type { MdResourceConfig } from '../config/types';

/** What the channel asks of the agent serving it (the agent passes itself in). */
export interface ChannelAgent {
  readonly self: string;
  readonly resources: MdResourceConfig[];
  readonly liscal: { force(nmp: number, kind: ForceKind): void };
  localStatus(nmp: number): LiscalStatus | undefined;
  forceHere(r: MdResourceConfig): Promise<string>;
  recoverFrom(r: MdResourceConfig, from: string, mode: RecoverMode): Promise<string>;
}

type Handler = (r: MdResourceConfig, args: Record<string, unknown>) => Promise<ControlReply>;

export function serveAgentChannel(reg: Registry, agent: ChannelAgent): void {
  const withResource = (h: Handler) => async (args: Record<string, unknown>): Promise<ControlReply> => {
    const nmp = nmpArg(args);
    if (typeof nmp === 'string') return { code: 2, message: nmp };
    const r = agent.resources.find((x) => x.nmp === nmp);
    if (!r) return { code: 2, message: `NMP${nmp} is not a mirror disk of this cluster` };
    try { return await h(r, args); } catch (e) { return { code: e instanceof MdError ? e.code : 1, message: (e as Error).message }; }
  };
  reg.register(agentOps.status, withResource(async (r) => statusReply(agent.localStatus(r.nmp))));
  reg.register(agentOps.force, withResource(async (r, args) => {
    const kind = forceArg(args);
    if (!kind.ok) return { code: 2, message: kind.why };
    if (kind.value === 'latest') return { code: 0, message: await agent.forceHere(r) };
    if (agent.localStatus(r.nmp)?.port === 'open') return { code: 1, message: `the mirror disk is active on ${agent.self}` };
    agent.liscal.force(r.nmp, kind.value);
    return { code: 0 };
  }));
  reg.register(agentOps.recover, withResource(async (r, args) => {
    const mode = modeArg(args);
    if (!mode.ok) return { code: 2, message: mode.why };
    return { code: 0, message: await agent.recoverFrom(r, agent.self, mode.value) };
  }));
}
