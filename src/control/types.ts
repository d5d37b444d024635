// Contract of control: the root-only local socket used by every clp* command, and the
// authenticated server-to-server channel (ports.internal, 29001/TCP). Roles register the
// operations they serve; both channels dispatch to the same registry.

/** A request: an operation name (declared in a role's protocol.ts) and JSON arguments. */
export interface ControlRequest { op: string; args?: Record<string, unknown> }
/** A reply: code 0 on success (the seed's `success.(code:0)`), else an error code and text. */
export interface ControlReply { code: number; message?: string; data?: unknown }

/** Where a request came from: the local socket, or an authenticated peer server. */
export interface Origin { server?: string; local: boolean }

export interface PeerControl {
  /** Send a request to another server's runtime over ports.internal; rejects on timeout/auth failure. */
  request(server: string, req: ControlRequest, timeoutMs?: number): Promise<ControlReply>;
}
