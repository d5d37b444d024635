import { call } from '../../control/op';
import { alertOps } from '../../events/protocol';
import { formatAlerts, type AlertEntry } from '../../events/sinks/alert';
import { parseArgs, UsageError } from '../args';
import type { Command } from '../context';

export const clpalert: Command = {
  summary: 'show the alert log',
  usage: 'clpalert [-n N]   the last N entries (default 50)',
  async run(argv, ctx) {
    const { opts, rest } = parseArgs(argv, [{ names: ['-n'], key: 'n', value: true }]);
    if (rest.length) throw new UsageError(`unexpected argument '${rest[0]}'`);
    const n = opts.n === undefined ? 50 : Number(opts.n);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`invalid count '${opts.n}'`);
    const r = await call(ctx.call, alertOps.read, { n });
    if (r.code) { ctx.err(`clpalert: ${r.message}\n`); return r.code; }
    ctx.out(formatAlerts(r.data as AlertEntry[]));
    return 0;
  },
};
