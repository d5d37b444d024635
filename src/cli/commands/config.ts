// `pairha config export-sh [--config FILE] [--server NAME]`: see src/config/export-sh.ts.
// Run at every boot before the runtime exists: it loads src/config and nothing else.
import * as os from 'node:os';
import { parseArgs, UsageError } from '../args';
import type { CliContext, Command } from '../context';
import { exportShFile } from '../../config/export-sh';

export const config: Command = {
  summary: 'the configuration for the boot scripts',
  usage: 'pairha config export-sh [--config FILE] [--server NAME]',
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { opts, rest } = parseArgs(argv, [
      { names: ['--config'], key: 'config', value: true },
      { names: ['--server'], key: 'server', value: true },
    ]);
    if (rest.length !== 1 || rest[0] !== 'export-sh') throw new UsageError(rest.length ? `unknown verb '${rest.join(' ')}'` : 'a verb is needed');
    const file = typeof opts.config === 'string' ? opts.config : ctx.paths.configFile;
    const server = typeof opts.server === 'string' ? opts.server : process.env.PAIRHA_SERVER || os.hostname();
    const r = exportShFile(file, server);
    ctx.out(r.out);
    if (r.err) ctx.err(r.err);
    return r.code;
  },
};
