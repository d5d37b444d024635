// An operation of the control channels, declared once in the protocol file of the role that
// serves it: its name, its argument checker and the type of its result. The server serves it
// through Registry.serve (arguments checked before the handler runs), clients call it through
// call(), so that no op name is spelt anywhere else.
import type { ControlReply, ControlRequest, Origin, PeerControl } from './types';

export type OpArgs = Record<string, unknown>;

/** A reply whose data is the op's result. */
export interface Reply<R> extends ControlReply { data?: R }

/** Who may call an op: the local socket only (operator commands, destructive ops), the other
 * servers only, or both. */
export type Caller = 'local' | 'peer' | 'both';

/** What an op declaration says besides its name and checker. */
export interface OpPolicy {
  /** Who may call it (default both); Registry.dispatch refuses the others before the checker. */
  readonly from?: Caller;
  /** How long a client waits for the reply (default: the channel's, timeouts.internal on the
   * peer channel); long ops (fsck and mount, a metadata wipe) need more than a query. */
  readonly timeoutMs?: number;
}

export interface Op<A extends object, R> extends OpPolicy {
  readonly name: string;
  /** The arguments as the handler may trust them, or why they are refused (reply code 2). */
  check(args: OpArgs): A | string;
  /** Never set: carries the result type. */
  readonly result?: R;
}

export const defineOp = <A extends object, R = undefined>(name: string, check: (args: OpArgs) => A | string, policy: OpPolicy = {}): Op<A, R> => ({ name, check, ...policy });

/** The budget of a long op: starting a group runs fsck and mounts, stopping one waits for
 * its resources (the local socket's and timeouts.internal's defaults are for queries). */
export const LONG_OP_MS = 600000;

/** An op without arguments: anything given is ignored, as before. */
export const noArgs = (): Record<string, never> => ({});

/** Where a role serves its ops (control/registry.ts). */
export interface ControlRegistry {
  serve<A extends object, R>(op: Op<A, R>, handler: (args: A, origin: Origin) => Promise<Reply<R>>): void;
}

/** How a request reaches a server: the local socket, or the peer channel to one server. */
export type Send = (req: ControlRequest, timeoutMs?: number) => Promise<ControlReply>;

export const toServer = (peer: PeerControl, server: string): Send => (req, t) => peer.request(server, req, t);

/** The request of an op, as it travels. */
export const requestOf = <A extends object>(op: Op<A, unknown>, args: A): ControlRequest => ({ op: op.name, args: args as OpArgs });

/** Call an op; the reply's data has the op's result type. The wait is the op's own budget
 * unless the caller gives one. */
export async function call<A extends object, R>(send: Send, op: Op<A, R>, args: A, timeoutMs = op.timeoutMs): Promise<Reply<R>> {
  return (await send(requestOf(op, args), timeoutMs)) as Reply<R>;
}

// Small checkers shared by the protocol files.
export const shown = (v: unknown) => String(v).slice(0, 20);
export const optString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const optNumber = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
/** Which servers a fan-out op runs on (clpcl -a / -h). */
export interface Target { all?: boolean; host?: string }
export const targetArgs = (a: OpArgs): Target => ({ all: a.all === true, host: optString(a.host) });
