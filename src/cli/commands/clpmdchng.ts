import { call } from '../../control/op';
import { mdOps } from '../../mirror/protocol';
import { UsageError } from '../args';
import { report, type Command } from '../context';

export const clpmdchng: Command = {
  summary: 'prepare a replaced mirror disk',
  usage: 'clpmdchng --execute DEVICE\n  reinitialise the cluster partitions on DEVICE (e.g. /dev/sdb) after a disk replacement (seed §6.7)',
  async run(argv, ctx) {
    if (argv[0] !== '--execute') throw new UsageError('--execute is required');
    if (argv.length !== 2) throw new UsageError(argv.length < 2 ? 'name the replaced disk, e.g. /dev/sdb' : `unexpected argument '${argv[2]}'`);
    return report(ctx, await call(ctx.call, mdOps.chng, { device: argv[1] }, 120000));
  },
};
