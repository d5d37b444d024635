import { call } from '../../control/op';
import { nmOps } from '../../nm/protocol';
import { parseArgs, UsageError } from '../args';
import { report, type Command } from '../context';
import type { MembershipView } from '../../nm/types';

const units: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parsePeriod(s: string): number {
  const m = /^(\d+)([mhd])$/.exec(s);
  if (!m || Number(m[1]) < 1) throw new UsageError(`invalid period '${s}' (a number followed by m, h or d, e.g. 1h)`);
  return Number(m[1]) * units[m[2]];
}

export const clptoratio: Command = {
  summary: 'multiply every timeout for a period',
  usage: 'clptoratio -r RATIO -t PERIOD   (PERIOD: 30m, 1h, 1d ...)\nclptoratio -i   restore the timeouts\nclptoratio -s   show the current ratio',
  async run(argv, ctx) {
    const { opts, rest } = parseArgs(argv, [
      { names: ['-r'], key: 'r', value: true }, { names: ['-t'], key: 't', value: true },
      { names: ['-i'], key: 'i' }, { names: ['-s'], key: 's' },
    ]);
    if (rest.length) throw new UsageError(`unexpected argument '${rest[0]}'`);
    if (opts.s) {
      if (opts.r || opts.t || opts.i) throw new UsageError('-s takes no other option');
      const r = await call(ctx.call, nmOps.view, {});
      if (r.code) { ctx.err(`clptoratio: ${r.message}\n`); return r.code; }
      const v = r.data as MembershipView;
      ctx.out(v.ratio.until ? `present toratio : ${v.ratio.value}\nthe ratio expires at ${new Date(v.ratio.until).toISOString()}\n` : 'present toratio : 1\n');
      return 0;
    }
    if (opts.i) {
      if (opts.r || opts.t) throw new UsageError('-i takes no other option');
      return report(ctx, await call(ctx.call, nmOps.ratio, { clear: true, all: true }));
    }
    if (!opts.r || !opts.t) throw new UsageError('-r RATIO and -t PERIOD go together');
    const value = Number(opts.r);
    if (!/^\d+$/.test(String(opts.r)) || value < 1 || value > 10000) throw new UsageError(`invalid ratio '${opts.r}' (a whole number from 1 to 10000)`);
    const until = Date.now() + parsePeriod(String(opts.t));
    return report(ctx, await call(ctx.call, nmOps.ratio, { value, until, all: true }));
  },
};
