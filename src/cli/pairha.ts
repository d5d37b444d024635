#!/usr/bin/env node
// `pairha <command>`; each clp* command is also reachable by its own name (bin/ shims).
import * as path from 'node:path';
import { UsageError } from './args';
import { clpalert } from './commands/clpalert';
import { clpcl } from './commands/clpcl';
import { clpgrp } from './commands/clpgrp';
import { clpmdchng } from './commands/clpmdchng';
import { clpmdctrl } from './commands/clpmdctrl';
import { clpmdinit } from './commands/clpmdinit';
import { clpmdstat } from './commands/clpmdstat';
import { clproset } from './commands/clproset';
import { clpstat } from './commands/clpstat';
import { clpstdn } from './commands/clpstdn';
import { clptoratio } from './commands/clptoratio';
import { defaultContext, type CliContext, type Command } from './context';

export const commands: Record<string, Command> = {
  clpstat, clpcl, clptoratio, clpalert, clpgrp, clproset, clpstdn, clpmdstat, clpmdctrl, clpmdinit, clpmdchng,
  lab: {
    summary: 'run servers on this machine in network namespaces',
    usage: 'pairha lab up|down|run|cut|plug|kill|stop|start ... (see docs/lab.md)',
    // Loaded lazily: the lab is not part of the appliance's command path.
    run: async (argv) => (await import('../host/lab')).labMain(argv),
  },
  pair: {
    summary: 'boot the appliance pair in qemu',
    usage: 'pairha pair up [--headless]|down|run|cut|plug|power|console ... (see docs/image.md)',
    run: async (argv) => (await import('../host/pair')).pairMain(argv),
  },
};

function help(ctx: CliContext): void {
  ctx.out('usage: pairha <command> [args]\n\n');
  for (const [name, c] of Object.entries(commands)) ctx.out(`  ${name.padEnd(12)} ${c.summary}\n`);
}

export async function cli(argv: string[], ctx: CliContext = defaultContext()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') { help(ctx); return name ? 0 : 2; }
  const cmd = commands[name];
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

if (require.main === module) {
  const self = path.basename(process.argv[1]).replace(/\.js$/, '');
  const argv = self in commands ? [self, ...process.argv.slice(2)] : process.argv.slice(2);
  cli(argv).then((code) => process.exit(code));
}
