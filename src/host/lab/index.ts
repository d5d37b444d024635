// `pairha lab ...`: the command side of the lab (lab.ts does the work).
import * as path from 'node:path';
import { cli } from '../../cli/pairha';
import { defaultContext } from '../../cli/context';
import { HostPlatform } from '../../platform/host';
import { Lab, LabError, nsOf } from './lab';

const usage = `usage:
  pairha lab up [--config FILE]      start the servers of FILE (default: two servers)
  pairha lab down                    remove every namespace, process and file of the lab
  pairha lab run SERVER|client -- COMMAND [ARGS...]
  pairha lab cut|plug LINK           LINK: a heartbeat name, or all
  pairha lab kill|stop|start SERVER  SIGKILL, orderly stop, start of a server's runtime`;

export function labDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PAIRHA_LAB_DIR || '/run/pairha-lab';
}

export async function labMain(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  const lab = new Lab(labDir(), new HostPlatform({ powerRecord: '' }));
  const out = (s: string) => process.stdout.write(s);
  try {
    if (process.getuid?.() !== 0) throw new LabError('the lab needs root (network namespaces)');
    switch (verb) {
      case 'up': {
        let config: string | undefined;
        if (rest.length) {
          if (rest[0] !== '--config' || rest.length !== 2) throw new LabError(`unexpected arguments '${rest.join(' ')}'`);
          config = path.resolve(rest[1]);
        }
        const s = await lab.up(config);
        await lab.waitOnline(s, Number(process.env.PAIRHA_LAB_TIMEOUT || 30000));
        out(`lab up in ${s.dir}: ${s.servers.map((x) => x.name).join(', ')} Online\n`);
        return 0;
      }
      case 'down':
        if (rest.length) throw new LabError(`unexpected argument '${rest[0]}'`);
        await lab.down();
        return 0;
      case 'run': {
        const [server, dashes, cmd, ...args] = rest;
        if (!server || dashes !== '--' || !cmd) throw new LabError('run needs SERVER -- COMMAND [ARGS...]');
        const s = lab.load();
        if (server === 'client') {
          const r = await lab.client(cmd, args, 600000);
          out(r.stdout);
          process.stderr.write(r.stderr);
          return r.code;
        }
        lab.server(s, server);
        const env = lab.env(s, server);
        const name = cmd === 'pairha' ? args.shift() ?? '' : cmd;
        // clp* commands run here with that server's environment; its control socket is a
        // file, reachable from outside the namespace.
        if (name.startsWith('clp') || cmd === 'pairha') return await cli([name, ...args], defaultContext(env));
        const r = await new HostPlatform({ powerRecord: '' }).run('ip', ['netns', 'exec', nsOf(server), cmd, ...args], { env });
        out(r.stdout);
        process.stderr.write(r.stderr);
        return r.code;
      }
      case 'cut': case 'plug': {
        if (rest.length !== 1) throw new LabError(`${verb} needs one LINK`);
        await lab.link(lab.load(), rest[0], verb === 'plug');
        return 0;
      }
      case 'kill': case 'stop': case 'start': {
        if (rest.length !== 1) throw new LabError(`${verb} needs one SERVER`);
        const s = lab.load();
        if (verb === 'start') await lab.start(s, rest[0]);
        else await lab.signal(s, rest[0], verb === 'kill' ? 'SIGKILL' : 'SIGTERM');
        return 0;
      }
      default:
        process.stderr.write(`${verb ? `pairha lab: unknown command '${verb}'\n` : ''}${usage}\n`);
        return 2;
    }
  } catch (e) {
    if (e instanceof LabError) { process.stderr.write(`pairha lab: ${e.message}\n`); return 1; }
    throw e;
  }
}

