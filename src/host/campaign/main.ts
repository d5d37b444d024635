#!/usr/bin/env node
// `npm run campaign -- --target lab|pair --steps N --seed S [--faults LIST]`: a seeded random
// fault campaign against the lab or the virtual pair (docs/reliability.md).
import * as os from 'node:os';
import * as path from 'node:path';
import { runCampaign } from './campaign';
import { MAX_SEED } from './rng';
import { FAULTS, type CreateTarget, type FaultName } from './target';

export const usage = `usage: npm run campaign -- --target lab|pair --steps N --seed S [--faults LIST] [--dwell MS] [--keep-logs DIR]
  LIST: comma-separated faults among ${FAULTS.join(', ')}
  DIR: where both servers' whole logs are copied at each violation (default: a new folder in ${os.tmpdir()})`;

export interface CampaignArgs { target: 'lab' | 'pair'; steps: number; seed: number; faults?: FaultName[]; dwellMs?: number; keepDir?: string }

export class ArgError extends Error {}

const TARGETS = ['lab', 'pair'] as const;

function integer(flag: string, v: string, min: number, max: number): number {
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new ArgError(`${flag}: '${v}' is not an integer in ${min}..${max}`);
  return Number(v);
}

/** The command line, or an ArgError naming the argument at fault. */
export function parseArgs(argv: string[]): CampaignArgs {
  const got: Partial<Record<string, string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (!['--target', '--steps', '--seed', '--faults', '--dwell', '--keep-logs'].includes(flag)) throw new ArgError(`unknown argument '${flag}' (argument ${i + 1})`);
    if (got[flag] !== undefined) throw new ArgError(`${flag} given twice`);
    const v = argv[++i];
    if (v === undefined || v.startsWith('--')) throw new ArgError(`${flag} needs a value`);
    got[flag] = v;
  }
  for (const f of ['--target', '--steps', '--seed']) if (got[f] === undefined) throw new ArgError(`${f} is missing`);
  const target = got['--target']!;
  if (!(TARGETS as readonly string[]).includes(target)) throw new ArgError(`--target: '${target}' is not one of ${TARGETS.join(', ')}`);
  const a: CampaignArgs = { target: target as CampaignArgs['target'], steps: integer('--steps', got['--steps']!, 1, 1000000), seed: integer('--seed', got['--seed']!, 0, MAX_SEED) };
  if (got['--faults'] !== undefined) {
    const names = got['--faults'].split(',');
    names.forEach((n, i) => {
      if (!(FAULTS as readonly string[]).includes(n)) throw new ArgError(`--faults: '${n}' (item ${i + 1}) is not a fault (${FAULTS.join(', ')})`);
      if (names.indexOf(n) !== i) throw new ArgError(`--faults: '${n}' is listed twice`);
    });
    a.faults = names as FaultName[];
  }
  if (got['--dwell'] !== undefined) a.dwellMs = integer('--dwell', got['--dwell'], 0, 600000);
  if (got['--keep-logs'] !== undefined) a.keepDir = got['--keep-logs'];
  return a;
}

export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(`${s}\n`), err: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): Promise<number> {
  let a: CampaignArgs;
  try {
    a = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof ArgError)) throw e;
    err(`campaign: ${e.message}\n${usage}`);
    return 2;
  }
  // Loaded by name: each target pulls in its own tools (namespaces, qemu).
  const file = `./${a.target}-target`;
  let create: CreateTarget;
  try {
    create = ((await import(file)) as { createTarget: CreateTarget }).createTarget;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
    err(`campaign: --target ${a.target}: this build has no ${a.target} target (src/host/campaign/${a.target}-target.ts)`);
    return 2;
  }
  const target = create({ log: out, instance: process.env.PAIRHA_CAMPAIGN_INSTANCE });
  const offered = target.faults();
  const missing = (a.faults ?? []).filter((f) => !offered.includes(f));
  if (missing.length) {
    err(`campaign: --faults: target ${a.target} cannot inject ${missing.join(', ')} (it can: ${offered.join(', ')})`);
    return 2;
  }
  const keepDir = a.keepDir ?? path.join(os.tmpdir(), `pairha-campaign-${a.target}-${a.seed}-${process.pid}`);
  const r = await runCampaign({ target, steps: a.steps, seed: a.seed, faults: a.faults, dwellMs: a.dwellMs, keepDir, out });
  out(r.line);
  return r.code;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (e) => { process.stderr.write(`campaign: ${(e as Error).stack}\n`); process.exit(1); });
}
