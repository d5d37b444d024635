import { call } from '../../control/op';
import { rcOps } from '../../group/protocol';
import { nmOps } from '../../nm/protocol';
import type { MembershipView } from '../../nm/types';
import { parseArgs } from '../args';
import type { Command } from '../context';
import type { ClusterGroups } from '../../group/types';
import { formatClusterStatus, formatGroupStatus, formatHeartbeatStatus } from '../format-status';

export const clpstat: Command = {
  summary: 'show the cluster status',
  usage: 'clpstat [-n] [--json]\n  -n      heartbeat resource status (seed §11.5)\n  --json  the same data as JSON',
  async run(argv, ctx) {
    const { opts, rest } = parseArgs(argv, [{ names: ['-n'], key: 'n' }, { names: ['--json'], key: 'json' }]);
    if (rest.length) { ctx.err(`clpstat: unexpected argument '${rest[0]}'\n`); return 2; }
    const r = await call(ctx.call, nmOps.view, {});
    if (r.code) { ctx.err(`clpstat: ${r.message}\n`); return r.code; }
    const view = r.data as MembershipView;
    const g = await call(ctx.call, rcOps.cluster, {});
    const groups = g.code === 0 ? (g.data as ClusterGroups) : undefined;
    if (opts.json) ctx.out(JSON.stringify({ ...view, ...groups }, null, 2) + '\n');
    else ctx.out(opts.n ? formatHeartbeatStatus(view) : formatClusterStatus(view, groups ? formatGroupStatus(groups) : []));
    return 0;
  },
};
