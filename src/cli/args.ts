// A small option parser: options are declared as data; every error names the argument.
export interface OptSpec { names: string[]; key: string; value?: boolean }

export class UsageError extends Error {}

export function parseArgs(argv: string[], specs: OptSpec[]): { opts: Record<string, string | boolean>; rest: string[] } {
  const opts: Record<string, string | boolean> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('-') || a === '-') { rest.push(a); continue; }
    const spec = specs.find((s) => s.names.includes(a));
    if (!spec) throw new UsageError(`unknown option '${a}'`);
    if (spec.key in opts) throw new UsageError(`option '${a}' given twice`);
    if (spec.value) {
      const v = argv[++i];
      if (v === undefined || v.startsWith('-')) throw new UsageError(`option '${a}' needs a value`);
      opts[spec.key] = v;
    } else opts[spec.key] = true;
  }
  return { opts, rest };
}
