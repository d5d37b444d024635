// clpgrp: start, stop or move a group (seed §6.7.1 step 12: clpgrp -m GROUP -h SERVER).
import { call, type Op } from '../../control/op';
import { rcOps } from '../../group/protocol';
import { parseArgs, UsageError } from '../args';
import { report, type Command } from '../context';

const ops: Record<'s' | 't' | 'm', Op<{ group: string; host?: string }, unknown>> = { s: rcOps.start, t: rcOps.stop, m: rcOps.move };

export const clpgrp: Command = {
  summary: 'start, stop or move a group',
  usage: 'clpgrp -s GROUP [-h SERVER]   start GROUP (on SERVER, default here)\nclpgrp -t GROUP [-h SERVER]   stop GROUP (where it is active)\nclpgrp -m GROUP -h SERVER     move GROUP to SERVER',
  async run(argv, ctx) {
    const { opts, rest } = parseArgs(argv, [
      { names: ['-s'], key: 's', value: true }, { names: ['-t'], key: 't', value: true },
      { names: ['-m'], key: 'm', value: true }, { names: ['-h'], key: 'h', value: true },
    ]);
    if (rest.length) throw new UsageError(`unexpected argument '${rest[0]}'`);
    const given = (['s', 't', 'm'] as const).filter((k) => opts[k] !== undefined);
    if (given.length !== 1) throw new UsageError('give exactly one of -s, -t, -m');
    const k = given[0];
    if (k === 'm' && !opts.h) throw new UsageError('-m needs -h SERVER');
    return report(ctx, await call(ctx.call, ops[k], { group: opts[k] as string, host: opts.h as string | undefined }, 600000));
  },
};
