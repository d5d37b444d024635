// The console commands' start-up snapshot (issue 16 point 3, docs/performance.md): scripts/
// build-cli.js bundles this file into dist/cli/clp-snapshot.js, the image builds a blob from it
// (scripts/build-snapshot.sh: `node <pinned flags> --snapshot-blob clp.blob --build-snapshot
// clp-snapshot.js`, the flags from `clp --snapshot-flags`), and the launcher (native/launcher/clp.c) runs
// `node --snapshot-blob clp.blob <pinned flags> <dist>/cli/bin/NAME.js ARGS`.
//
// Nothing of pairha runs while the blob is built: the modules are evaluated by the command,
// so what they read at load time (the environment, their own directory) is the box's at run
// time, not the build host's. The snapshot holds node's bootstrap, the built-in modules the
// commands use, and the commands' code ready to run: no file to find, read or compile.
import * as path from 'node:path';
import * as v8 from 'node:v8';
import type * as Pairha from './pairha';
import 'node:net';
import 'node:crypto';
import 'node:fs';
import 'node:os';

v8.startupSnapshot.setDeserializeMainFunction(() => {
  // The bundle's modules find their files from the command's bundle (build-cli.js rewrites
  // their __dirname to this); process.argv[1] is that bundle (<dist>/cli/bin/NAME.js).
  (globalThis as { __pairhaCliBin?: string }).__pairhaCliBin = path.dirname(process.argv[1] ?? '');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { commands, main } = require('./pairha') as typeof Pairha;
  main(commands);
});
