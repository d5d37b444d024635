// `pairha pair ...`: the command side of the virtual pair (pair.ts does the work). The verbs
// mirror the lab's; scripts outside the project rely on these names.
import * as path from 'node:path';
import { HostPlatform } from '../../platform/host';
import { attachConsole } from '../vm/console';
import { Pair, defaultImageDir, defaultPairConfig } from './pair';
import { boxFiles } from './qemu';
import { PairError } from './topology';

const usage = `usage:
  pairha pair up [--headless] [--config FILE]   boot the two boxes (builds the image if missing);
                                               without --headless, server1's console follows
  pairha pair down                             power both off, remove every file and namespace
  pairha pair image                            build the image if it is missing or older than its inputs
  pairha pair run SERVER -- COMMAND [ARGS...]  run a command inside a box
  pairha pair cut|plug LINK                    LINK: a heartbeat name, mirror, or all
  pairha pair power SERVER off|on|reset
  pairha pair disk SERVER MIB                  add a blank disk to a box that is off (/dev/vdc from its next power-on)
  pairha pair console SERVER                   the box's serial console (Ctrl-] detaches)`;

export interface PairEnv {
  dir: string; imageDir: string; ns: string; memoryMb: number; onlineTimeoutMs: number; runTimeoutMs: number;
}

export function pairEnv(env: NodeJS.ProcessEnv = process.env): PairEnv {
  return {
    dir: env.PAIRHA_PAIR_DIR || '/run/pairha-pair',
    imageDir: env.PAIRHA_IMAGE_DIR || defaultImageDir,
    ns: env.PAIRHA_PAIR_NS || 'pairvm',
    memoryMb: Number(env.PAIRHA_PAIR_MEMORY || 512),
    onlineTimeoutMs: Number(env.PAIRHA_PAIR_TIMEOUT || 300000),
    runTimeoutMs: Number(env.PAIRHA_PAIR_RUN_TIMEOUT || 120000),
  };
}

export async function pairMain(argv: string[], e: PairEnv = pairEnv()): Promise<number> {
  const [verb, ...rest] = argv;
  const pair = new Pair(e.dir, new HostPlatform({ powerRecord: '' }), e.ns);
  const out = (s: string) => process.stdout.write(s);
  try {
    if (verb && verb !== '--help' && process.getuid?.() !== 0) throw new PairError('the pair needs root (network namespaces, taps)');
    switch (verb) {
      case 'up': {
        let config = defaultPairConfig;
        let headless = false;
        for (let i = 0; i < rest.length; i++) {
          if (rest[i] === '--headless') headless = true;
          else if (rest[i] === '--config' && rest[i + 1]) config = path.resolve(rest[++i]);
          else throw new PairError(`unexpected argument '${rest[i]}'`);
        }
        await pair.ensureImage(e.imageDir, out);
        const s = await pair.up({ config, imageDir: e.imageDir, memoryMb: e.memoryMb });
        out(`pair booting in ${s.dir}: ${s.boxes.map((b) => b.name).join(', ')} (consoles in ${s.dir}/<server>.console.log)\n`);
        if (headless) {
          await pair.waitOnline(s, e.onlineTimeoutMs);
          out(`pair up: ${s.boxes.map((b) => b.name).join(', ')} Online\n`);
        } else {
          await attachConsole(boxFiles(s.dir, s.boxes[0].name).console, s.boxes[0].name);
          out('the pair keeps running: pairha pair down stops it\n');
        }
        return 0;
      }
      case 'down':
        if (rest.length) throw new PairError(`unexpected argument '${rest[0]}'`);
        await pair.down();
        return 0;
      case 'image':
        if (rest.length) throw new PairError(`unexpected argument '${rest[0]}'`);
        await pair.ensureImage(e.imageDir, out);
        return 0;
      case 'run': {
        const [server, dashes, ...cmd] = rest;
        if (!server || dashes !== '--' || !cmd.length) throw new PairError('run needs SERVER -- COMMAND [ARGS...]');
        const r = await pair.run(pair.load(), server, cmd, e.runTimeoutMs);
        out(r.stdout);
        process.stderr.write(r.stderr);
        return r.code;
      }
      case 'cut': case 'plug': {
        if (rest.length !== 1) throw new PairError(`${verb} needs one LINK`);
        await pair.link(pair.load(), rest[0], verb === 'plug');
        return 0;
      }
      case 'power': {
        const [server, action] = rest;
        if (rest.length !== 2) throw new PairError('power needs SERVER off|on|reset');
        const s = pair.load();
        const actions: Record<string, () => Promise<void>> = {
          off: () => pair.powerOff(s, server), on: () => pair.powerOn(s, server), reset: () => pair.reset(s, server),
        };
        if (!actions[action]) throw new PairError(`unknown power action '${action}' (off, on, reset)`);
        await actions[action]();
        return 0;
      }
      case 'disk': {
        const [server, size] = rest;
        if (rest.length !== 2 || !/^\d+$/.test(size)) throw new PairError('disk needs SERVER MIB');
        out(`${await pair.addDisk(pair.load(), server, Number(size))}\n`);
        return 0;
      }
      case 'console': {
        if (rest.length !== 1) throw new PairError('console needs one SERVER');
        const s = pair.load();
        if (!pair.isOn(s, rest[0])) throw new PairError(`${rest[0]} is off`);
        await attachConsole(boxFiles(s.dir, rest[0]).console, rest[0]);
        return 0;
      }
      default:
        process.stderr.write(`${verb && verb !== '--help' ? `pairha pair: unknown command '${verb}'\n` : ''}${usage}\n`);
        return verb === '--help' ? 0 : 2;
    }
  } catch (err) {
    if (err instanceof PairError) { process.stderr.write(`pairha pair: ${err.message}\n`); return 1; }
    throw err;
  }
}
