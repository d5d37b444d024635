// Contract of control: the root-only local socket used by every clp* command, and the
// authenticated server-to-server channel (ports.internal, 29001/TCP). Roles register the
// operations they serve; both channels dispatch to the same registry.

/** A request: an operation name ('clpcl.stop', 'rc.group.start', ...) and JSON arguments. */
export interface ControlRequest { op: string; args?: Record<string, unknown> }
/** A reply: code 0 on success (the seed's `success.(code:0)`), else an error code and text. */
export interface ControlReply { code: number; message?: string; data?: unknown }

export type ControlHandler = (args: Record<string, unknown>, origin: { server?: string; local: boolean }) => Promise<ControlReply>;

export interface ControlRegistry {
  register(op: string, handler: ControlHandler): void;
}

export interface PeerControl {
  /** Send a request to another server's runtime over ports.internal; rejects on timeout/auth failure. */
  request(server: string, req: ControlRequest, timeoutMs?: number): Promise<ControlReply>;
}
