// What a command gets: where to send requests and where to print.
import { resolvePaths, type Paths } from '../constants';
import { request } from '../control/local';
import type { ControlReply, ControlRequest } from '../control/types';
import type { Platform } from '../platform/types';

export interface CliContext {
  paths: Paths;
  out: (s: string) => void;
  err: (s: string) => void;
  call: (req: ControlRequest, timeoutMs?: number) => Promise<ControlReply>;
  /** The OS adapter (starting the runtime process, ...). */
  platform: Platform;
  /** A prompt's answer (clpcfctrl's y/n): one line of stdin. */
  ask: (prompt: string) => Promise<string>;
}

/** One line from stdin ('' at its end). */
function askStdin(out: (s: string) => void): (prompt: string) => Promise<string> {
  return (prompt) => new Promise((resolve) => {
    out(prompt);
    let buf = '';
    const onData = (c: Buffer) => {
      buf += c.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) { finish(buf.slice(0, nl)); }
    };
    const finish = (line: string) => { process.stdin.off('data', onData); process.stdin.off('end', onEnd); process.stdin.pause(); resolve(line); };
    const onEnd = () => finish(buf);
    process.stdin.on('data', onData);
    process.stdin.on('end', onEnd);
    process.stdin.resume();
  });
}

export function defaultContext(env: NodeJS.ProcessEnv = process.env): CliContext {
  const paths = resolvePaths(env);
  let platform: Platform | undefined;
  return {
    paths,
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    call: (req, t) => request(paths.controlSocket, req, t),
    // Made on first use: only clpcl starts a process, and the adapter loads child_process.
    get platform() {
      const { HostPlatform } = require('../platform/host') as typeof import('../platform/host');
      return (platform ??= new HostPlatform({ powerRecord: paths.powerRecord }));
    },
    ask: askStdin((s) => process.stdout.write(s)),
  };
}

export interface Command {
  summary: string;
  usage: string;
  run(argv: string[], ctx: CliContext): Promise<number>;
}

/** Print a reply's failure; return the exit code. */
export function report(ctx: CliContext, r: ControlReply, success = 'Command succeeded.'): number {
  if (r.code === 0) { ctx.out(`${r.message ? r.message + '\n' : ''}${success}\n`); return 0; }
  ctx.err(`${r.message ?? 'failed'}\n`);
  return r.code;
}
