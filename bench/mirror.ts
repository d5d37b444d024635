// Mirror benchmarks on the virtual pair (example configuration: failover1 = fip1 + md1 +
// exec1, heartbeat timeout 30 s): failover time of the group after a power-off of the active
// box (power-off until the service answers the client from the other box), and the
// automatic differential recovery after the box returns against a full recovery of the
// same 256 MiB partition (the returned side's cluster partition reinitialised).
//   npx tsx bench/mirror.ts [--trials 3] [--json]
// Needs root, qemu, the image (built when stale). Prints its section of docs/performance.md
// (`npm run bench mirror` puts it there).
import * as os from 'node:os';
import { mirrorPair, normal, sleep, waitFor, type MirrorPair } from '../src/host/pair/mirror-fixture';

const argv = process.argv.slice(2);
const trials = Number(argv[argv.indexOf('--trials') + 1] || 3) || 3;
const median = (xs: number[]) => { const a = [...xs].sort((x, y) => x - y); return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2; };
const say = (s: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);

interface Recovery { seconds: number; chunks: number; driverSeconds: number }

/** From the first sight of a recovery on `src` to both sides SYNC, polled every 250 ms. */
async function timeRecovery(m: MirrorPair, src: string, timeoutMs: number): Promise<Recovery> {
  const deadline = Date.now() + timeoutMs;
  let started = 0;
  for (;;) {
    const st = await m.liscal(src).catch(() => ({} as Record<string, string>));
    if (!started && /send/.test(st.recovery ?? '')) started = Date.now();
    if (started && st.state === 'SYNC' && st.recovery === 'done') {
      return { seconds: (Date.now() - started) / 1000, chunks: Number(st.rtotal), driverSeconds: Number(st.elapsed) };
    }
    if (Date.now() > deadline) throw new Error(`no recovery end on ${src} within ${timeoutMs} ms (${JSON.stringify(st)})`);
    await sleep(250);
  }
}

async function main(): Promise<void> {
  const m = await mirrorPair('mb');
  const results = { failover: [] as number[], diff: [] as Recovery[], full: [] as Recovery[], writtenMiB: 4 };
  try {
    const { pair, s } = m;
    await pair.waitOnline(s, 400000);
    await waitFor(() => m.mdstat('server1'), (o) => normal.test(o), 600000, 'initial construction', 5000);
    let active = 'server1';
    await waitFor(() => m.client(), (o) => o === `pairha ${active}`, 240000, 'the group answering');
    for (let i = 0; i < trials; i++) {
      const other = active === 'server1' ? 'server2' : 'server1';
      say(`trial ${i + 1}: power-off of ${active}`);
      const off = Date.now();
      await pair.powerOff(s, active);
      await waitFor(() => m.client(), (o) => o === `pairha ${other}`, 600000, `the group answering from ${other}`, 200);
      results.failover.push((Date.now() - off) / 1000);
      say(`  failover ${results.failover.at(-1)} s`);
      // The survivor writes alone (4 MiB), then the old active box returns: differential recovery.
      await m.runFull(other, ['sh', '-c', `dd if=/dev/urandom of=/mnt/md1/bench${i} bs=64k count=64 conv=fsync 2>/dev/null; sync`]);
      await pair.powerOn(s, active);
      results.diff.push(await timeRecovery(m, other, 900000));
      say(`  differential recovery ${JSON.stringify(results.diff.at(-1))}`);
      await pair.waitOnline(s, 400000);
      // Full recovery of the same partition: the returned side's cluster partition reinitialised.
      await m.runFull(active, ['clpmdinit', '--create', 'force', 'md1']);
      results.full.push(await timeRecovery(m, other, 900000));
      say(`  full recovery ${JSON.stringify(results.full.at(-1))}`);
      active = other;
    }
  } finally {
    await m.down();
  }
  const out = {
    trials,
    failoverSeconds: results.failover, failoverMedian: median(results.failover),
    diff: results.diff, diffMedianSeconds: median(results.diff.map((r) => r.seconds)),
    full: results.full, fullMedianSeconds: median(results.full.map((r) => r.seconds)),
  };
  if (argv.includes('--json')) { console.log(JSON.stringify(out)); return; }
  console.log([
    '## Mirror on the virtual pair (issue 6): `npm run bench mirror` (bench/mirror.ts)', '',
    `Measured on ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)} at the end, qemu TCG,`,
    'one vCPU and 512 MiB per box, heartbeat timeout 30 s, failover1 = fip1 + md1 + exec1 (md1: 256 MiB, 4096 chunks of 64 KiB).',
    'Each trial: power-off of the active box, the survivor writes 4 MiB (fsync) alone, power-on (automatic differential',
    'recovery), then `clpmdinit --create force md1` on the returned box (automatic full recovery of the same partition).', '',
    `| measure (${trials} trials, median) | value |`, '|---|---|',
    `| failover of fip1 + md1 + exec1, power-off of the active box until the client is served (s) | ${out.failoverMedian.toFixed(1)} (${out.failoverSeconds.map((x) => x.toFixed(1)).join(', ')}) |`,
    `| automatic differential recovery after the box returns, 4 MiB written alone (s) | ${out.diffMedianSeconds.toFixed(1)} (${out.diff.map((r) => `${r.seconds.toFixed(1)} s / ${r.chunks} chunks`).join(', ')}) |`,
    `| full recovery of the same 256 MiB partition (s) | ${out.fullMedianSeconds.toFixed(1)} (${out.full.map((r) => `${r.seconds.toFixed(1)} s / ${r.chunks} chunks`).join(', ')}) |`,
    '', 'Raw:', '```', JSON.stringify(out), '```',
  ].join('\n'));
}

main().catch((e: Error) => { console.error(`bench/mirror: ${e.message}`); process.exit(1); });
