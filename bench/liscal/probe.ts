// Where a mirrored 4 KiB O_DSYNC write spends its time: boots a pair, runs the latency
// micro-benchmark on /dev/NMP1 and prints the per-stage averages from /proc/liscal/stats
// (a: queue, send, local, peer round trip, total; b: payload receive, write, ack send)
// next to the floor (raw lower device, TCP 4 KiB ping-pong). A development tool: one
// boot, no DRBD (bench/liscal/run.ts is the benchmark).
// Usage: npx tsx bench/liscal/probe.ts [--ops N]
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Pair } from '../../src/host/liscal/pair';
import { readStats, stageAverages, counterDeltas } from './stats';

const args = process.argv.slice(2);
const ops = Number(args[args.indexOf('--ops') + 1] || 0) || 500;
const DATA_MB = 256;

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liscal-probe-'));
  const bench = path.join(dir, 'lscbench');
  execFileSync('gcc', ['-O2', '-static', '-o', bench, path.join(__dirname, 'lscbench.c')]);
  const p = new Pair(dir, { dataMb: DATA_MB, files: { '/bin/lscbench': bench } });
  try {
    await p.bootBoth();
    const { a, b } = p.vms;
    await b.ok('lscbench pp-server 7000 500 > /dev/null 2>&1 &');
    console.log((await a.ok('lscbench pp-client 10.0.0.2 7000 500', 300000)).trim());
    console.log('raw', (await a.ok(`lscbench lat /dev/vda ${ops} ${DATA_MB}`, 300000)).trim());
    // both guests' disks are files on the same host file system: their flushes contend
    const both = await Promise.all([a, b].map((vm) => vm.ok(`lscbench lat /dev/vda ${ops} ${DATA_MB}`, 300000)));
    console.log('raw, a and b at once', both.map((o) => o.trim()).join(' | '));
    await p.mirrored();
    // warm-up: every write-intent extent gets its disk bits once
    await a.ok(`lscbench lat /dev/NMP1 200 ${DATA_MB}`, 300000);
    const [a0, b0] = [await readStats(a), await readStats(b)];
    console.log('liscal', (await a.ok(`lscbench lat /dev/NMP1 ${ops} ${DATA_MB}`, 300000)).trim());
    const [a1, b1] = [await readStats(a), await readStats(b)];
    console.log('a counters', JSON.stringify(counterDeltas(a0, a1)), 'stages µs', JSON.stringify(stageAverages(a0, a1)));
    console.log('b stages µs', JSON.stringify(stageAverages(b0, b1)));
    for (const vm of [a, b]) console.log(vm.spec.name, (await vm.ok("grep '^NMP1 ' /proc/liscalstat")).trim());
    console.log('crc32c:', (await a.ok("grep -A2 '^name *: crc32c$' /proc/crypto | grep driver | tr '\\n' ' '; grep -c sse4_2 /proc/cpuinfo || true")).trim());
    await p.stop();
  } finally {
    await p.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
