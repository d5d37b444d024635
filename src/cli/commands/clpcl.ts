import * as fs from 'node:fs';
import * as path from 'node:path';
import { call } from '../../control/op';
import { clOps, pmOps } from '../../pm/protocol';
import { parseArgs, UsageError } from '../args';
import { report, type CliContext, type Command } from '../context';

/** The runtime in one file (scripts/build-cli.js) when built, else its compiled modules. */
const runtimeJs = () => {
  const [bundle, main] = ['pairha-runtime.js', 'main.js'].map((f) => path.resolve(__dirname, '..', '..', 'runtime', f));
  return fs.existsSync(bundle) ? bundle : main;
};

/** Start the runtime process itself (the service), then wait for its socket. */
async function spawnRuntime(ctx: CliContext): Promise<boolean> {
  fs.mkdirSync(ctx.paths.log, { recursive: true, mode: 0o700 });
  try { ctx.platform.daemon(process.execPath, [runtimeJs()], { logFile: path.join(ctx.paths.log, 'pairha.log') }); } catch { return false; }
  for (let i = 0; i < 100; i++) {
    try { await call(ctx.call, pmOps.status, {}, 1000); return true; } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
  return false;
}

export const clpcl: Command = {
  summary: 'start, stop, suspend or resume the cluster daemon',
  usage: 'clpcl -s|-t [-a] [-h SERVER]\nclpcl --suspend|--resume\n  -s  start   -t  stop   -a  on all servers   -h  on SERVER',
  async run(argv, ctx) {
    const { opts, rest } = parseArgs(argv, [
      { names: ['-s'], key: 's' }, { names: ['-t'], key: 't' }, { names: ['-a'], key: 'a' },
      { names: ['-h'], key: 'h', value: true }, { names: ['--suspend'], key: 'suspend' }, { names: ['--resume'], key: 'resume' },
    ]);
    if (rest.length) throw new UsageError(`unexpected argument '${rest[0]}'`);
    const actions = ['s', 't', 'suspend', 'resume'].filter((k) => opts[k]);
    if (actions.length !== 1) throw new UsageError('give exactly one of -s, -t, --suspend, --resume');
    if (opts.a && opts.h) throw new UsageError('-a and -h exclude each other');
    if ((opts.suspend || opts.resume) && (opts.a || opts.h)) throw new UsageError('--suspend and --resume act on the whole cluster; -a and -h do not apply');
    const args = { all: opts.a === true, host: opts.h as string | undefined };
    const op = { s: clOps.start, t: clOps.stop, suspend: clOps.suspend, resume: clOps.resume }[actions[0]]!;
    if (op === clOps.start) {
      let running = true;
      try { await call(ctx.call, pmOps.status, {}, 2000); } catch { running = false; }
      if (!running && !opts.h) {
        if (!(await spawnRuntime(ctx))) { ctx.err('clpcl: the cluster daemon did not start; see the log\n'); return 1; }
        // Fall through to cl.start: the process that answers may be one that was already
        // running (too busy to answer pm.status in time, the spawned one exited with pm 10),
        // started without its daemon by the services; cl.start is a no-op when it runs.

      }
    }
    return report(ctx, await call(ctx.call, op, op === clOps.suspend || op === clOps.resume ? { all: true } : args, 120000));
  },
};
