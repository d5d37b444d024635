#!/usr/bin/env node
// `pairha` on the operator's or developer's host: the appliance's commands plus the host
// tools, the lab and the virtual pair. The appliance ships neither this file nor dist/host.
import { commands, main } from '../cli/pairha';
import type { Command } from '../cli/context';

export const hostCommands: Record<string, Command> = {
  ...commands,
  lab: {
    summary: 'run servers on this machine in network namespaces',
    usage: 'pairha lab up|down|run|cut|plug|kill|stop|start ... (see docs/lab.md)',
    // Loaded on use: every clp* call on the host comes through here.
    run: async (argv) => (await import('./lab')).labMain(argv),
  },
  licence: {
    summary: 'make a licence signing key and issue licences (host only)',
    usage: 'pairha licence keygen DIR | issue -k KEY -p PRODUCT [-c CPUS] [--trial FROM UNTIL] [--serial S] [--to NAME] [-o FILE] (see docs/licences.md)',
    run: async (argv) => (await import('./licence')).licenceMain(argv),
  },
  pair: {
    summary: 'boot the appliance pair in qemu',
    usage: 'pairha pair up [--headless]|down|image|run|cut|plug|power|console ... (see docs/image.md)',
    run: async (argv) => (await import('./pair')).pairMain(argv),
  },
};

if (require.main === module) main(hostCommands);
