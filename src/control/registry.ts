import type { ControlRegistry, Op, OpArgs, Reply } from './op';
import type { ControlReply, Origin } from './types';

type Handler = (args: OpArgs, origin: Origin) => Promise<ControlReply>;

/** Operations served by the runtime; both control channels dispatch here. */
export class Registry implements ControlRegistry {
  private readonly handlers = new Map<string, Handler>();

  /** Serve an op: its checker runs first; a refusal is code 2 with the checker's reason. */
  serve<A extends object, R>(op: Op<A, R>, handler: (args: A, origin: Origin) => Promise<Reply<R>>): void {
    if (this.handlers.has(op.name)) throw new Error(`control op '${op.name}' registered twice`);
    this.handlers.set(op.name, async (raw, origin) => {
      const args = op.check(raw);
      return typeof args === 'string' ? { code: 2, message: args } : handler(args, origin);
    });
  }

  async dispatch(req: unknown, origin: Origin): Promise<ControlReply> {
    const r = req as { op?: unknown; args?: unknown };
    if (!r || typeof r !== 'object' || typeof r.op !== 'string') return { code: 2, message: 'malformed request' };
    const h = this.handlers.get(r.op);
    if (!h) return { code: 2, message: `unknown operation '${r.op}'` };
    const args = r.args && typeof r.args === 'object' ? (r.args as OpArgs) : {};
    try {
      return await h(args, origin);
    } catch (e) {
      return { code: 1, message: (e as Error).message };
    }
  }
}
