// An operation of the control channels, declared once in the protocol file of the role that
// serves it: its name, its argument checker and the type of its result. The server serves it
// through Registry.serve (arguments checked before the handler runs), clients call it through
// call(), so that no op name is spelt anywhere else.
import type { ControlReply, ControlRequest, Origin, PeerControl } from './types';

export type OpArgs = Record<string, unknown>;

/** A reply whose data is the op's result. */
export interface Reply<R> extends ControlReply { data?: R }

export interface Op<A extends object, R> {
  readonly name: string;
  /** The arguments as the handler may trust them, or why they are refused (reply code 2). */
  check(args: OpArgs): A | string;
  /** Never set: carries the result type. */
  readonly result?: R;
}

export const defineOp = <A extends object, R = undefined>(name: string, check: (args: OpArgs) => A | string): Op<A, R> => ({ name, check });

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

/** Call an op; the reply's data has the op's result type. */
export async function call<A extends object, R>(send: Send, op: Op<A, R>, args: A, timeoutMs?: number): Promise<Reply<R>> {
  return (await send(requestOf(op, args), timeoutMs)) as Reply<R>;
}

// Small checkers shared by the protocol files.
export const shown = (v: unknown) => String(v).slice(0, 20);
export const optString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const optNumber = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
/** Which servers a fan-out op runs on (clpcl -a / -h). */
export interface Target { all?: boolean; host?: string }
export const targetArgs = (a: OpArgs): Target => ({ all: a.all === true, host: optString(a.host) });
