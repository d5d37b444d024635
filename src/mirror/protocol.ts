// What the mirror agents say to each other on ports.mirrorAgent (29004/TCP), over the
// authenticated channel of control/peer.ts. A status travels as the driver's own
// /proc/liscalstat line, so a peer's answer goes through the same strict parser as the
// kernel's; every other field is checked here. Nothing from the wire is trusted as typed.
import type { ControlReply, ControlRequest } from '../control/types';
import { formatStatusLine, parseStatusLine, type LiscalStatus } from './liscal-status';
import type { ForceKind, RecoverMode } from './liscal';

export const agentOps = {
  status: 'agent.status',
  force: 'agent.force',
  recover: 'agent.recover',
  connect: 'agent.connect',
} as const;

const isNmp = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 64;
const forceKinds: readonly ForceKind[] = ['green', 'red', 'latest'];
const modes: readonly RecoverMode[] = ['full', 'diff'];

export const statusRequest = (nmp: number): ControlRequest => ({ op: agentOps.status, args: { nmp } });
export const forceRequest = (nmp: number, kind: ForceKind): ControlRequest => ({ op: agentOps.force, args: { nmp, kind } });
export const recoverRequest = (nmp: number, mode: RecoverMode | 'auto'): ControlRequest => ({ op: agentOps.recover, args: { nmp, mode } });
export const connectRequest = (nmp: number): ControlRequest => ({ op: agentOps.connect, args: { nmp } });

/** The NMP of a request, or a reason. */
export function nmpArg(args: Record<string, unknown>): number | string {
  return isNmp(args.nmp) ? args.nmp : `bad nmp '${String(args.nmp).slice(0, 20)}'`;
}
export function forceArg(args: Record<string, unknown>): ForceKind | string {
  return forceKinds.includes(args.kind as ForceKind) ? args.kind as ForceKind : `bad force kind '${String(args.kind).slice(0, 20)}'`;
}
export function modeArg(args: Record<string, unknown>): RecoverMode | 'auto' | string {
  return args.mode === 'auto' || modes.includes(args.mode as RecoverMode) ? args.mode as RecoverMode | 'auto' : `bad recovery mode '${String(args.mode).slice(0, 20)}'`;
}

/** Reply to agent.status: the status line, or null when the NMP is not bound there. */
export const statusReply = (s: LiscalStatus | undefined): ControlReply => ({ code: 0, data: { line: s ? formatStatusLine(s) : null } });

/** Decode a peer's agent.status reply; undefined when it says nothing usable (and why). */
export function decodeStatusReply(r: ControlReply, nmp: number): { status?: LiscalStatus; problem?: string } {
  if (!r || typeof r !== 'object' || r.code !== 0) return { problem: `peer agent: ${typeof r?.message === 'string' ? r.message.slice(0, 200) : 'refused'}` };
  const data = r.data as { line?: unknown } | null;
  if (!data || typeof data !== 'object') return { problem: 'peer agent: malformed status reply' };
  if (data.line === null) return {};
  if (typeof data.line !== 'string' || data.line.length > 1024) return { problem: 'peer agent: malformed status line' };
  const s = parseStatusLine(data.line);
  if (typeof s === 'string') return { problem: `peer agent: ${s}` };
  if (s.nmp !== nmp) return { problem: `peer agent: status of NMP${s.nmp}, asked for NMP${nmp}` };
  return { status: s };
}
