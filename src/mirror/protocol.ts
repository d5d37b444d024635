// The ops of the mirror: md.* on the local control socket (the clpmd* commands), and what the
// mirror agents say to each other on ports.mirrorAgent (29004/TCP), over the authenticated
// channel of control/peer.ts. A status travels as the driver's own /proc/liscalstat line, so
// a peer's answer goes through the same strict parser as the kernel's; every other field is
// checked here. Nothing from the wire is trusted as typed.
import { defineOp, LONG_OP_MS, shown, type OpArgs } from '../control/op';
import type { ControlReply } from '../control/types';
import { mdError } from './errors';
import type { MirrorView } from './format';
import { formatStatusLine, parseStatusLine, type LiscalStatus } from './liscal-status';
import type { ForceKind, RecoverMode } from './liscal';

const isNmp = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 64;
const forceKinds: readonly ForceKind[] = ['green', 'red', 'latest'];
const modes: readonly RecoverMode[] = ['full', 'diff'];

/** The NMP of a request, or a reason. */
function nmpArg<A extends object>(more: (a: OpArgs) => A | string) {
  return (a: OpArgs): (A & { nmp: number }) | string => {
    if (!isNmp(a.nmp)) return `bad nmp '${shown(a.nmp)}'`;
    const rest = more(a);
    return typeof rest === 'string' ? rest : { ...rest, nmp: a.nmp };
  };
}

/** The agents' ops (29004/TCP). */
export const agentOps = {
  /** The status line of an NMP there, or null when it is not bound there. */
  status: defineOp<{ nmp: number }, { line: string | null }>('agent.status', nmpArg(() => ({}))),
  force: defineOp<{ nmp: number; kind: ForceKind }>('agent.force', nmpArg((a) => (forceKinds.includes(a.kind as ForceKind) ? { kind: a.kind as ForceKind } : `bad force kind '${shown(a.kind)}'`))),
  /** Stop the recovery this server is the source of (the web manager's Stop recovery). */
  stopRecovery: defineOp<{ nmp: number }>('agent.stoprecover', nmpArg(() => ({}))),
  recover: defineOp<{ nmp: number; mode: RecoverMode }>('agent.recover', nmpArg((a) => (modes.includes(a.mode as RecoverMode) ? { mode: a.mode as RecoverMode } : `bad recovery mode '${shown(a.mode)}'`))),
};

const str = (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length <= 255 ? v : undefined);
/** Options or parameters are invalid (§12.4.4 code 2). */
const invalid = () => mdError(2).message;
const resourceArg = <A extends object>(more: (a: OpArgs) => A | string) => (a: OpArgs): (A & { resource: string }) | string => {
  const resource = str(a.resource);
  if (!resource) return invalid();
  const rest = more(a);
  return typeof rest === 'string' ? rest : { ...rest, resource };
};
const resourceOnly = resourceArg(() => ({}));

/** The clpmd* commands' ops: the operator's, on the local control socket only (a metadata
 * wipe or a forced state from the network would be anyone's with the key). */
const operator = { from: 'local', timeoutMs: LONG_OP_MS } as const;
export const mdOps = {
  stat: defineOp<{ resource: string }, MirrorView>('md.stat', resourceOnly, { from: 'local' }),
  active: defineOp<{ resource: string; mount: boolean }>('md.active', resourceArg((a) => ({ mount: a.mount !== false })), operator),
  deactive: defineOp<{ resource: string }>('md.deactive', resourceOnly, operator),
  recovery: defineOp<{ resource: string }>('md.recovery', resourceOnly, operator),
  /** Stop a running recovery (§11.10.8: the mirror stays broken until the next one). */
  stopRecovery: defineOp<{ resource: string }>('md.stoprecovery', resourceOnly, operator),
  force: defineOp<{ resource: string; server: string }>('md.force', resourceArg((a) => { const server = str(a.server); return server ? { server } : invalid(); }), operator),
  init: defineOp<{ resource: string }>('md.init', resourceOnly, operator),
  chng: defineOp<{ device: string }>('md.chng', (a) => {
    const device = str(a.device);
    return device?.startsWith('/dev/') ? { device } : `'${String(a.device).slice(0, 60)}' is not a device path (/dev/...)`;
  }, operator),
};

/** Reply to agent.status: the status line, or null when the NMP is not bound there. */
export const statusReply = (s: LiscalStatus | undefined) => ({ code: 0, data: { line: s ? formatStatusLine(s) : null } });

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
