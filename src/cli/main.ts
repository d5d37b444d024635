// Running a command of a table: shared by `pairha` (every command, src/cli/pairha.ts), the
// host's pairha, and the appliance's one-command entry points (dist/cli/bin/<name>.js, built
// by scripts/build-cli.js), which import only their command so node loads no more than it runs.
import * as path from 'node:path';
import { UsageError } from './args';
import { defaultContext, type CliContext, type Command } from './context';

function help(ctx: CliContext, table: Record<string, Command>): void {
  ctx.out('usage: pairha <command> [args]\n\n');
  for (const [name, c] of Object.entries(table)) ctx.out(`  ${name.padEnd(12)} ${c.summary}\n`);
}

/** Runs one command of table: the appliance's, or the host's superset (src/host/pairha-host.ts). */
export async function cli(argv: string[], ctx: CliContext, table: Record<string, Command>): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') { help(ctx, table); return name ? 0 : 2; }
  const cmd = Object.hasOwn(table, name) ? table[name] : undefined;
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

/** The process entry: a command's own name (a bin/ symlink, or a one-command entry point's
 *  file name) selects it. */
export function main(table: Record<string, Command>): void {
  const self = path.basename(process.argv[1]).replace(/\.js$/, '');
  const argv = Object.hasOwn(table, self) ? [self, ...process.argv.slice(2)] : process.argv.slice(2);
  cli(argv, defaultContext(), table).then((code) => process.exit(code));
}
