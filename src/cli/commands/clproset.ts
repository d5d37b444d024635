// clproset: switch a shared partition read-only (-o) or read-write (-w) by hand, as seed
// §6.2 and §9.2.2.2 do around maintenance. Works with the cluster daemon stopped.
import { HostPlatform } from '../../platform/host';
import { isReadOnly, setReadOnly } from '../../resource/blockdev';
import { parseArgs, UsageError } from '../args';
import type { Command } from '../context';

export const clproset: Command = {
  summary: 'set a shared partition read-only or read-write',
  usage: 'clproset -o|-w -d DEVICE\n  -o  read-only   -w  read-write   -d  the partition',
  async run(argv, ctx) {
    const { opts, rest } = parseArgs(argv, [{ names: ['-o'], key: 'o' }, { names: ['-w'], key: 'w' }, { names: ['-d'], key: 'd', value: true }]);
    if (rest.length) throw new UsageError(`unexpected argument '${rest[0]}'`);
    if (!opts.o === !opts.w) throw new UsageError('give exactly one of -o, -w');
    if (!opts.d) throw new UsageError('-d DEVICE is required');
    const platform = new HostPlatform({ powerRecord: '' });
    const dev = opts.d as string;
    try {
      await setReadOnly(platform, dev, opts.o === true);
      ctx.out(`${dev} : ${(await isReadOnly(platform, dev)) ? 'read only' : 'read write'}\nsuccess.(code:0)\n`);
      return 0;
    } catch (e) {
      ctx.err(`clproset: ${dev}: ${(e as Error).message}\n`);
      return 1;
    }
  },
};
