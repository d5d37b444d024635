#!/usr/bin/env node
// `pairha <command>` on the appliance; each clp* command is also reachable by its own name
// (bin/ shims). The host tools (lab, pair) are added by src/host/pairha-host.ts.
import * as path from 'node:path';
import { UsageError } from './args';
import { clpalert } from './commands/clpalert';
import { clpcfctrl } from './commands/clpcfctrl';
import { clpcl } from './commands/clpcl';
import { clpgrp } from './commands/clpgrp';
import { clplcncs } from './commands/clplcncs';
import { clpmdchng } from './commands/clpmdchng';
import { clpmdctrl } from './commands/clpmdctrl';
import { clpmdinit } from './commands/clpmdinit';
import { clpmdstat } from './commands/clpmdstat';
import { clproset } from './commands/clproset';
import { clpstat } from './commands/clpstat';
import { clpstdn } from './commands/clpstdn';
import { clptoratio } from './commands/clptoratio';
import { config } from './commands/config';
import { defaultContext, type CliContext, type Command } from './context';

export const commands: Record<string, Command> = {
  clpstat, clpcl, clptoratio, clpalert, clpgrp, clproset, clpstdn, clpmdstat, clpmdctrl, clpmdinit, clpmdchng, clplcncs, clpcfctrl,
  config,
};

function help(ctx: CliContext, table: Record<string, Command>): void {
  ctx.out('usage: pairha <command> [args]\n\n');
  for (const [name, c] of Object.entries(table)) ctx.out(`  ${name.padEnd(12)} ${c.summary}\n`);
}

/** Runs one command of table: the appliance's, or the host's superset (src/host/pairha-host.ts). */
export async function cli(argv: string[], ctx: CliContext = defaultContext(), table = commands): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') { help(ctx, table); return name ? 0 : 2; }
  const cmd = table[name];
  if (!cmd) { ctx.err(`pairha: unknown command '${name}'\n`); return 2; }
  if (rest.includes('--help')) { ctx.out(`${cmd.usage}\n`); return 0; }
  try {
    return await cmd.run(rest, ctx);
  } catch (e) {
    if (e instanceof UsageError) { ctx.err(`${name}: ${e.message}\nusage: ${cmd.usage}\n`); return 2; }
    ctx.err(`${name}: ${(e as Error).message}\n`);
    return 1;
  }
}

/** The process entry: a command's own name (a bin/ symlink) selects it. */
export function main(table = commands): void {
  const self = path.basename(process.argv[1]).replace(/\.js$/, '');
  const argv = self in table ? [self, ...process.argv.slice(2)] : process.argv.slice(2);
  cli(argv, defaultContext(), table).then((code) => process.exit(code));
}

if (require.main === module) main();
