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
} as const;

const isNmp = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 64;
const forceKinds: readonly ForceKind[] = ['green', 'red', 'latest'];
const modes: readonly RecoverMode[] = ['full', 'diff'];

export const statusRequest = (nmp: number): ControlRequest => ({ op: agentOps.status, args: { nmp } });
export const forceRequest = (nmp: number, kind: ForceKind): ControlRequest => ({ op: agentOps.force, args: { nmp, kind } });
export const recoverRequest = (nmp: number, mode: RecoverMode): ControlRequest => ({ op: agentOps.recover, args: { nmp, mode } });

type Checked<T> = { ok: true; value: T } | { ok: false; why: string };
const shown = (v: unknown) => String(v).slice(0, 20);

/** The NMP of a request, or a reason. */
export function nmpArg(args: Record<string, unknown>): number | string {
  return isNmp(args.nmp) ? args.nmp : `bad nmp '${shown(args.nmp)}'`;
}
export function forceArg(args: Record<string, unknown>): Checked<ForceKind> {
  return forceKinds.includes(args.kind as ForceKind) ? { ok: true, value: args.kind as ForceKind } : { ok: false, why: `bad force kind '${shown(args.kind)}'` };
}
export function modeArg(args: Record<string, unknown>): Checked<RecoverMode> {
  return modes.includes(args.mode as RecoverMode) ? { ok: true, value: args.mode as RecoverMode } : { ok: false, why: `bad recovery mode '${shown(args.mode)}'` };
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
