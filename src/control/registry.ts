import type { ControlHandler, ControlRegistry, ControlReply, ControlRequest } from './types';

/** Operations served by the runtime; both control channels dispatch here. */
export class Registry implements ControlRegistry {
  private readonly handlers = new Map<string, ControlHandler>();

  register(op: string, handler: ControlHandler): void {
    if (this.handlers.has(op)) throw new Error(`control op '${op}' registered twice`);
    this.handlers.set(op, handler);
  }

  async dispatch(req: unknown, origin: { server?: string; local: boolean }): Promise<ControlReply> {
    const r = req as ControlRequest;
    if (!r || typeof r !== 'object' || typeof r.op !== 'string') return { code: 2, message: 'malformed request' };
    const h = this.handlers.get(r.op);
    if (!h) return { code: 2, message: `unknown operation '${r.op}'` };
    const args = r.args && typeof r.args === 'object' ? r.args : {};
    try {
      return await h(args, origin);
    } catch (e) {
      return { code: 1, message: (e as Error).message };
    }
  }
}
