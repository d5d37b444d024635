import type { Caller, ControlRegistry, Op, OpArgs, Reply } from './op';
import type { ControlReply, Origin } from './types';

type Handler = (args: OpArgs, origin: Origin) => Promise<ControlReply>;

/** Why a caller may not call an op, or undefined when it may. */
export function refusal(op: { name: string; from?: Caller }, origin: Origin): string | undefined {
  const from = op.from ?? 'both';
  if (from === 'local' && !origin.local) return `'${op.name}' is served on the local control socket only, not to other servers`;
  if (from === 'peer' && origin.local) return `'${op.name}' is served to the other servers only`;
  return undefined;
}

/** Operations served by the runtime; both control channels dispatch here. */
export class Registry implements ControlRegistry {
  private readonly handlers = new Map<string, Handler>();

  /** Serve an op: who may call it is checked first, then the arguments; a refusal is code 2
   * with the reason. */
  serve<A extends object, R>(op: Op<A, R>, handler: (args: A, origin: Origin) => Promise<Reply<R>>): void {
    if (this.handlers.has(op.name)) throw new Error(`control op '${op.name}' registered twice`);
    this.handlers.set(op.name, async (raw, origin) => {
      const refused = refusal(op, origin);
      if (refused) return { code: 2, message: refused };
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
