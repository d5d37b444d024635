import { UsageError } from '../args';
import { report, type Command } from '../context';

const usage = 'clpmdctrl --active [-nomount] RESOURCE | --deactive RESOURCE | --recovery RESOURCE | --force SERVER RESOURCE\n'
  + '  --active    open the mirror disk here and mount it (-nomount: open only, for mkfs)\n'
  + '  --deactive  unmount and close the mirror disk here\n'
  + '  --recovery  start mirror recovery from the server holding the latest data\n'
  + '  --force     make SERVER\'s data the latest and copy it in full (or alone, the other being down)';

/** Actions as data: option, operands, the op and its arguments. */
const actions: Record<string, { operands: string[]; flags?: string[]; op: string; args: (o: string[], f: Set<string>) => Record<string, unknown> }> = {
  '--active': { operands: ['RESOURCE'], flags: ['-nomount'], op: 'md.active', args: ([r], f) => ({ resource: r, mount: !f.has('-nomount') }) },
  '--deactive': { operands: ['RESOURCE'], op: 'md.deactive', args: ([r]) => ({ resource: r }) },
  '--recovery': { operands: ['RESOURCE'], op: 'md.recovery', args: ([r]) => ({ resource: r }) },
  '--force': { operands: ['SERVER', 'RESOURCE'], op: 'md.force', args: ([s, r]) => ({ server: s, resource: r }) },
};

export const clpmdctrl: Command = {
  summary: 'activate, deactivate or recover a mirror disk',
  usage,
  async run(argv, ctx) {
    const given = argv.filter((a) => a in actions);
    if (given.length !== 1) throw new UsageError('give exactly one of --active, --deactive, --recovery, --force');
    const act = actions[given[0]];
    const flags = new Set<string>();
    const operands: string[] = [];
    for (const a of argv) {
      if (a === given[0]) continue;
      if (a.startsWith('-')) {
        if (!act.flags?.includes(a)) throw new UsageError(`unknown option '${a}' for ${given[0]}`);
        flags.add(a);
      } else operands.push(a);
    }
    if (operands.length !== act.operands.length) throw new UsageError(`${given[0]} takes ${act.operands.join(' ')}`);
    return report(ctx, await ctx.call({ op: act.op, args: act.args(operands, flags) }, 300000));
  },
};
