import { call } from '../../control/op';
import { mdOps } from '../../mirror/protocol';
import { UsageError } from '../args';
import { report, type Command } from '../context';

export const clpmdinit: Command = {
  summary: 'reinitialise the cluster partition of a mirror disk',
  usage: 'clpmdinit --create force RESOURCE\n  the metadata and difference bitmap start afresh; the data is then copied in full from the other server',
  async run(argv, ctx) {
    if (argv[0] !== '--create') throw new UsageError('--create is required');
    if (argv[1] !== 'force') throw new UsageError(`expected 'force' after --create${argv[1] ? `, found '${argv[1]}'` : ''}`);
    if (argv.length !== 3) throw new UsageError(argv.length < 3 ? 'name the mirror disk resource, e.g. md1' : `unexpected argument '${argv[3]}'`);
    return report(ctx, await call(ctx.call, mdOps.init, { resource: argv[2] }, 120000));
  },
};
