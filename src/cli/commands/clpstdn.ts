// clpstdn: cluster shutdown (seed §9, §11.6): every group stops, the cluster daemon stops on
// every server, then every server powers off (-r: reboots).
import { call } from '../../control/op';
import { clOps } from '../../pm/protocol';
import { parseArgs, UsageError } from '../args';
import { report, type Command } from '../context';

export const clpstdn: Command = {
  summary: 'shut down (or reboot) every server of the cluster',
  usage: 'clpstdn [-r]\n  stop every group and the cluster daemon, then shut down every server\n  -r  reboot every server instead',
  async run(argv, ctx) {
    const { opts, rest } = parseArgs(argv, [{ names: ['-r'], key: 'r' }]);
    if (rest.length) throw new UsageError(`unexpected argument '${rest[0]}'`);
    return report(ctx, await call(ctx.call, clOps.shutdown, { reboot: opts.r === true }, 600000));
  },
};
