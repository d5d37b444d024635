import { call } from '../../control/op';
import type { MirrorView } from '../../mirror/format';
import { formatMirrorStatus } from '../../mirror/format';
import { mdOps } from '../../mirror/protocol';
import { parseArgs, UsageError } from '../args';
import type { Command } from '../context';

export const clpmdstat: Command = {
  summary: 'show the state of a mirror disk resource',
  usage: 'clpmdstat --mirror RESOURCE [--json]\n  --mirror  mirror colours, latest data, recovery progress (seed §11.10.2-3)\n  --json    the same data as JSON',
  async run(argv, ctx) {
    const { opts, rest } = parseArgs(argv, [{ names: ['--mirror'], key: 'mirror' }, { names: ['--json'], key: 'json' }]);
    if (!opts.mirror) throw new UsageError('--mirror is required');
    if (rest.length !== 1) throw new UsageError(rest.length ? `unexpected argument '${rest[1]}'` : 'name the mirror disk resource, e.g. md1');
    const r = await call(ctx.call, mdOps.stat, { resource: rest[0] });
    if (r.code) { ctx.err(`clpmdstat: ${r.message}\n`); return r.code; }
    const view = r.data as MirrorView;
    ctx.out(opts.json ? JSON.stringify(view, null, 2) + '\n' : formatMirrorStatus(view));
    return 0;
  },
};
