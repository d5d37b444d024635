// Two builds of liscal side by side (e.g. a frame MAC against CRC32C only): pairs booted in
// turn, A B A B ..., each measuring 4 KiB O_DSYNC random write latency and 1 MiB sequential
// throughput on /dev/NMP1 and a full recovery, in the test bed of run.ts (TCG, -cpu max,
// preallocated disks). Prints one JSON sample a line and the medians per build with B/A.
// Usage: npx tsx bench/liscal/ab.ts A/liscal.ko B/liscal.ko [--pairs N] [--rounds R]
// (each file named liscal.ko: the guests load it by that name)
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Pair, waitStat } from '../../src/host/liscal/pair';

const DATA_MB = 128;
const LAT_OPS = 200;   // per round
const SEQ_MB = 24;     // per round

const args = process.argv.slice(2);
const opt = (name: string, def: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const [koA, koB] = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
const pairs = Number(opt('--pairs', '2'));
const rounds = Number(opt('--rounds', '3'));
if (!koA || !koB || !fs.existsSync(koA) || !fs.existsSync(koB)) throw new Error('usage: ab.ts A.ko B.ko [--pairs N] [--rounds R]');

/** the middle value; the mean of the middle two for an even count */
const median = (v: number[]) => { const s = [...v].sort((a, b) => a - b), m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const field = (out: string, key: string) => {
  const m = new RegExp(`${key}=([0-9.]+)`).exec(out);
  if (!m) throw new Error(`no ${key} in: ${out}`);
  return Number(m[1]);
};

/** one pair booted with module ko */
async function onePair(ko: string): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liscal-ab-'));
  const bench = path.join(dir, 'lscbench');
  execFileSync('gcc', ['-O2', '-static', '-o', bench, path.join(__dirname, 'lscbench.c')]);
  const p = new Pair(dir, { ko, dataMb: DATA_MB, cpu: 'max', earlyModules: ['crc32c_intel'], preallocate: true, files: { '/bin/lscbench': bench } });
  try {
    await p.bootBoth();
    const { a, b } = p.vms;
    // a loaded host stalls the guests for seconds: no ack timeout in the measures
    for (const vm of [a, b]) await vm.ok('echo 20000 > /sys/module/liscal/parameters/ack_timeout_ms');
    await p.mirrored();
    await a.ok(`lscbench lat /dev/NMP1 ${LAT_OPS} ${DATA_MB}`, 300000);   // warm-up (write-intent extents)
    const lat: number[] = [], seq: number[] = [];
    for (let r = 0; r < rounds; r++) {
      lat.push(field(await a.ok(`lscbench lat /dev/NMP1 ${LAT_OPS} ${DATA_MB}`, 300000), 'median_us'));
      seq.push(field(await a.ok(`lscbench seq /dev/NMP1 ${SEQ_MB}`, 300000), 'mbps'));
    }
    const s: Record<string, number> = { lat_us: median(lat), seq_mbps: median(seq) };
    console.log(`  ${path.basename(path.dirname(ko))}: ${JSON.stringify(s)}`);
    const t0 = Date.now();
    await a.ok(`echo 'recover 1 full' > /proc/liscal/ctl`);
    await waitStat(a, (st) => st.recovery === 'done', 600000);
    return { ...s, full_s: Number(((Date.now() - t0) / 1000).toFixed(1)) };
  } finally {
    await p.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const got: Record<string, Array<Record<string, number>>> = { A: [], B: [] };
  for (let i = 0; i < pairs; i++) {
    for (const [name, ko] of [['A', koA], ['B', koB]] as const) {
      const s = await onePair(ko);
      got[name].push(s);
      console.log(`${name} ${i + 1}/${pairs}: ${JSON.stringify(s)}`);
    }
  }
  const med = (name: string, k: string) => median(got[name].map((s) => s[k]));
  for (const k of ['lat_us', 'seq_mbps', 'full_s']) {
    console.log(`${k}: A ${med('A', k)}  B ${med('B', k)}  B/A ${(med('B', k) / med('A', k)).toFixed(2)}`);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
