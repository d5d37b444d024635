// Console commands against node's own start-up (issue 16 point 3): boots the virtual pair
// from the image (qemu TCG) and, inside server1, times `node -e 0` and every clp* command
// side by side: N rounds, each round running every entry once in turn (interleaved, so a
// change of host load touches all alike). Prints the medians and each one's ratio to
// `node -e 0` as the Markdown section of docs/performance.md. Needs root, qemu and the
// image's inputs (as test/vm/pair.test.ts).
//   npm run bench cli   or   npx tsx bench/cli/run.ts
//   (N: rounds, default 11; PAIRHA_PAIR_NS: namespace prefix; PAIRHA_IMAGE_OUT: image dir;
//    EXTRA: more command lines, ';'-separated)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PairState } from '../../src/host/pair/pair';
import { preparePair } from '../../src/host/pair/fixture';

const N = Number(process.env.N || 11);

/** What is timed: each clp* command as an operator types it (the /opt/pairha/bin wrappers on
 *  PATH), in a form that runs the command's whole code without changing the cluster: queries
 *  for real; a command that acts is given a target the runtime refuses (or, clpcl -s, one it
 *  already has), so its request still makes the round trip. */
const entries: Array<{ label: string; argv: string[]; note: string }> = [
  { label: 'node -e 0', argv: ['node', '-e', '0'], note: 'the anchor' },
  { label: 'clpstat', argv: ['clpstat'], note: 'the membership view and the groups (server2 asked too)' },
  { label: 'clpstat -n', argv: ['clpstat', '-n'], note: 'the heartbeat matrix' },
  { label: 'clpalert -n 5', argv: ['clpalert', '-n', '5'], note: 'the alert log' },
  { label: 'clptoratio -s', argv: ['clptoratio', '-s'], note: 'the membership view' },
  { label: 'clplcncs -l', argv: ['clplcncs', '-l'], note: 'verifies the registered licences (no runtime)' },
  { label: 'clpcl -s', argv: ['clpcl', '-s'], note: 'the daemon is running: a start that changes nothing' },
  { label: 'clpgrp -s nosuch', argv: ['clpgrp', '-s', 'nosuch'], note: 'a group start, refused: unknown group' },
  { label: 'clpmdstat --mirror nosuch', argv: ['clpmdstat', '--mirror', 'nosuch'], note: 'the mirror status, refused: unknown resource' },
  { label: 'clpmdctrl --deactive nosuch', argv: ['clpmdctrl', '--deactive', 'nosuch'], note: 'a deactivation, refused: unknown resource' },
  { label: 'clpmdinit --create force nosuch', argv: ['clpmdinit', '--create', 'force', 'nosuch'], note: 'a reinitialisation, refused: unknown resource' },
  { label: 'clpmdchng --execute /dev/nosuch', argv: ['clpmdchng', '--execute', '/dev/nosuch'], note: 'a disk change, refused: no such disk' },
  { label: 'clproset -o -d /dev/nosuch', argv: ['clproset', '-o', '-d', '/dev/nosuch'], note: 'blockdev --setro fails (no runtime)' },
  { label: 'clpstdn -x', argv: ['clpstdn', '-x'], note: 'usage error: the real one powers the pair off' },
  { label: 'pairha config export-sh', argv: ['pairha', 'config', 'export-sh'], note: 'boot step 45 (not a clp* command)' },
  // EXTRA: more command lines to time beside them, ';'-separated (start-up experiments).
  ...(process.env.EXTRA ?? '').split(';').filter((l) => l.trim()).map((l) => ({ label: l.trim(), argv: l.trim().split(/\s+/), note: 'experiment' })),
];

// Inside the box: N interleaved rounds; per entry its times (ms) and the exit code it gave.
const driver = `
const { spawnSync } = require('child_process');
const entries = ${JSON.stringify(entries.map((e) => e.argv))};
const ms = entries.map(() => []), codes = entries.map(() => new Set());
for (let i = 0; i < ${N}; i++) entries.forEach((argv, k) => {
  const t = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { stdio: 'ignore' });
  ms[k].push(Number(process.hrtime.bigint() - t) / 1e6);
  codes[k].add(r.error ? r.error.code : r.status);
});
console.log(JSON.stringify({ ms, codes: codes.map((c) => [...c]) }));`;

const median = (a: number[]) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const { pair, config, imageDir, cleanup } = await preparePair('bench-cli', 'c', undefined, { nsPrefix: 'pairbench', log: (s: string) => process.stderr.write(s) });
  let s: PairState | undefined;
  try {
    s = await pair.up({ config, imageDir, memoryMb: 512 });
    await pair.waitOnline(s, 600000);
    const run = async (argv: string[]) => {
      const r = await pair.run(s!, 'server1', argv, 1800000);
      if (r.code) throw new Error(`${argv.join(' ')}: ${r.stderr.trim() || `exit ${r.code}`}`);
      return r.stdout;
    };
    // The runtime at work (failover1 Online here), then start-up left to settle.
    for (let k = 0; k < 60 && !/failover1\s+: Online/.test(await run(['clpstat'])); k++) await sleep(2000);
    await sleep(10000);
    const load = [os.loadavg()[0]];
    process.stderr.write(`timing ${entries.length} entries x ${N} rounds in server1 (load ${load[0].toFixed(2)})\n`);
    const r = JSON.parse(await run(['node', '-e', driver])) as { ms: number[][]; codes: Array<Array<number | string>> };
    load.push(os.loadavg()[0]);
    const anchor = median(r.ms[0]);
    const rows = entries.map((e, k) => {
      const m = median(r.ms[k]);
      return `| \`${e.label}\` | ${m.toFixed(0)} ms | ${Math.min(...r.ms[k]).toFixed(0)} ms | ${(m / anchor).toFixed(2)} | ${r.codes[k].join(', ')} | ${e.note} |`;
    });
    const worst = Math.max(...entries.slice(1).filter((e) => e.argv[0].startsWith('clp')).map((e) => median(r.ms[entries.indexOf(e)]) / anchor));
    // The commit the image was built from (image/build.sh writes it into the box).
    const commit = /^PAIRHA_VERSION=(.*)$/m.exec(await run(['cat', '/etc/pairha-release']))?.[1] ?? '?';
    const box = /^kernel (\S+)$/m.exec(fs.readFileSync(path.join(imageDir, 'manifest.txt'), 'utf8'))?.[1] ?? '?';
    const out = [
      '## Console commands (issue 16 point 3): `npm run bench cli` (`npx tsx bench/cli/run.ts`)', '',
      `Measured on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC at ${commit}, ${os.cpus().length} host cores (host load average`,
      `${load.map((l) => l.toFixed(2)).join(' at the start, ')} at the end; the pair's two TCG vCPUs alone make about 2; above that other`,
      'jobs inflate the absolute times, while the ratios, measured side by side in one box, stay meaningful), qemu TCG,',
      `one vCPU and 512 MiB per box, box kernel ${box}, node ${process.version}. In server1 of the booted pair (failover1 Online`,
      `there), one node process spawns each entry in turn, ${N} rounds (interleaved), and times each whole`,
      'process: the `/opt/pairha/bin` wrapper, node\'s start-up, the command\'s code and its round trip to the runtime.', '',
      `| command | median | min | median / \`node -e 0\` | exit | what it does |`, '| --- | --- | --- | --- | --- | --- |',
      ...rows, '',
      `Worst clp* ratio: **${worst.toFixed(2)}** (goal ≤ 1.5).`,
    ];
    process.stdout.write(out.join('\n') + '\n');
  } finally {
    await pair.down();
    cleanup();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
