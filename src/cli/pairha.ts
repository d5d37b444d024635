#!/usr/bin/env node
// `pairha <command>` on the appliance; each clp* command is also reachable by its own name
// (bin/ shims). The host tools (lab, pair) are added by src/host/pairha-host.ts.
import { clpalert } from './commands/clpalert';
import { clpcfctrl } from './commands/clpcfctrl';
import { clpcl } from './commands/clpcl';
import { clpgrp } from './commands/clpgrp';
import { clplcncs } from './commands/clplcncs';
import { clplogcc } from './commands/clplogcc';
import { clpmdchng } from './commands/clpmdchng';
import { clpmdctrl } from './commands/clpmdctrl';
import { clpmdinit } from './commands/clpmdinit';
import { clpmdstat } from './commands/clpmdstat';
import { clproset } from './commands/clproset';
import { clpstat } from './commands/clpstat';
import { clpstdn } from './commands/clpstdn';
import { clptoratio } from './commands/clptoratio';
import { clpwebpasswd } from './commands/clpwebpasswd';
import { config } from './commands/config';
import { defaultContext, type CliContext, type Command } from './context';
import { cli as run, main as runMain } from './main';

export const commands: Record<string, Command> = {
  clpstat, clpcl, clptoratio, clpalert, clpgrp, clproset, clpstdn, clpmdstat, clpmdctrl, clpmdinit, clpmdchng, clplcncs, clplogcc, clpwebpasswd, clpcfctrl,
  config,
};

/** Runs one command (cli() of ./main with the appliance's table unless given another). */
export function cli(argv: string[], ctx: CliContext = defaultContext(), table = commands): Promise<number> {
  return run(argv, ctx, table);
}

/** The process entry of `pairha`: a command's own name (a bin/ symlink) selects it. */
export function main(table = commands): void {
  runMain(table);
}

if (require.main === module) main();
