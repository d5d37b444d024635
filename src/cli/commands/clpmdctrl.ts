import { call, type Op } from '../../control/op';
import type { ControlReply } from '../../control/types';
import { mdOps } from '../../mirror/protocol';
import { UsageError } from '../args';
import { report, type CliContext, type Command } from '../context';

const usage = 'clpmdctrl --active [-nomount] RESOURCE | --deactive RESOURCE | --recovery RESOURCE | --force SERVER RESOURCE\n'
  + '  --active    open the mirror disk here and mount it (-nomount: open only, for mkfs)\n'
  + '  --deactive  unmount and close the mirror disk here\n'
  + '  --recovery  start mirror recovery from the server holding the latest data\n'
  + '  --force     make SERVER\'s data the latest and copy it in full (or alone, the other being down)';

/** An action: its operands and flags, and the request they make (one op, typed arguments). */
interface Action { operands: string[]; flags?: string[]; send(ctx: CliContext, o: string[], f: Set<string>): Promise<ControlReply> }
const action = <A extends object>(operands: string[], op: Op<A, unknown>, args: (o: string[], f: Set<string>) => A, flags?: string[]): Action =>
  ({ operands, flags, send: (ctx, o, f) => call(ctx.call, op, args(o, f), 300000) });

/** Actions as data: option, operands, the op and its arguments. */
const actions: Record<string, Action> = {
  '--active': action(['RESOURCE'], mdOps.active, ([r], f) => ({ resource: r, mount: !f.has('-nomount') }), ['-nomount']),
  '--deactive': action(['RESOURCE'], mdOps.deactive, ([r]) => ({ resource: r })),
  '--recovery': action(['RESOURCE'], mdOps.recovery, ([r]) => ({ resource: r })),
  '--force': action(['SERVER', 'RESOURCE'], mdOps.force, ([s, r]) => ({ server: s, resource: r })),
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
    return report(ctx, await act.send(ctx, operands, flags));
  },
};
