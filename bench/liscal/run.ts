// liscal against DRBD 8.4 (the in-tree drbd module of the same Debian kernel, drbd-utils'
// drbdsetup-84, protocol C, internal metadata), the raw lower device and the TCP 4 KiB
// ping-pong floor, all in the same qemu pair (TCG) in the same run.
// Usage: npx tsx bench/liscal/run.ts [--runs N] [--out docs/performance-liscal.md] [--render SAMPLES]
//   --render: no VMs, re-render the document from saved raw samples (one JSON object a line)
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { vmSkipReason, moduleRelease } from '../../src/host/vm/initramfs';
import { Pair, KO, ctlOk, waitStat } from '../../src/host/liscal/pair';
import { Vm, sleep } from '../../src/host/vm/vm';
import { readStats, stageAverages, counterDeltas } from './stats';

const DATA_MB = 256;          // each data partition (liscal /dev/vda, DRBD /dev/vdc)
const LAT_OPS = 1000;         // 4 KiB O_DSYNC random writes per latency sample
const SEQ_MB = 120;           // 1 MiB sequential writes per throughput sample (over the rounds)
const DRBD_MB = DATA_MB - 16; // what DRBD's internal metadata leaves of its disk
const DIFF_WRITES = 2048;     // 8 MiB of random 4 KiB writes before the differential recovery
const PP_OPS = 2000;
const ROUNDS = 5;             // side-by-side rounds (latency, throughput); LAT_OPS, PP_OPS, SEQ_MB split over them
const DRBD_ADDR = (me: string, peer: string) => `ipv4:${me}:7789 ipv4:${peer}:7789`;
const IP: Record<string, [string, string]> = { a: ['10.0.0.1', '10.0.0.2'], b: ['10.0.0.2', '10.0.0.1'] };
/** drbdsetup-84 commands of VM n (a or b) for its connection to the other */
const drbdDisconnect = (n: string) => `drbdsetup-84 disconnect ${DRBD_ADDR(...IP[n])}`;
const drbdConnect = (n: string, options = '') => `drbdsetup-84 connect r0 ${DRBD_ADDR(...IP[n])} --protocol=C ${options}`.trimEnd();

const args = process.argv.slice(2);
const opt = (name: string, def: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const runs = Number(opt('--runs', '3'));
const outFile = path.resolve(opt('--out', path.join(__dirname, '../../docs/performance-liscal.md')));

const median = (v: number[]) => { const s = v.filter((x) => x !== undefined).sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : NaN; };
const field = (out: string, key: string) => {
  const m = new RegExp(`${key}=([0-9.]+)`).exec(out);
  if (!m) throw new Error(`no ${key} in: ${out}`);
  return Number(m[1]);
};

/** seconds until `until` (a shell condition) holds, polled in the guest */
async function timed(vm: Vm, start: string, until: string, timeoutS = 900): Promise<number> {
  const out = await vm.ok(`t0=$(cut -d' ' -f1 /proc/uptime); ${start}
    n=0; until ${until}; do sleep 0.05; n=$((n+1)); [ $n -gt ${timeoutS * 20} ] && exit 9; done
    t1=$(cut -d' ' -f1 /proc/uptime); echo "secs=$(echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }')"`, (timeoutS + 30) * 1000);
  return field(out, 'secs');
}

async function drbdUp(p: Pair) {
  const setup = (n: string) => `mkdir -p /var/lib/drbd /run/drbd /var/lock
    drbdsetup-84 new-resource r0 && drbdsetup-84 new-minor r0 0 0 &&
    yes yes | drbdmeta --force /dev/drbd0 v08 /dev/vdc internal create-md >/dev/null &&
    drbdsetup-84 attach 0 /dev/vdc /dev/vdc internal &&
    drbdsetup-84 disk-options 0 --c-plan-ahead=0 --resync-rate=1000M &&
    ${drbdConnect(n)}`;
  await Promise.all(['a', 'b'].map((n) => p.vms[n].ok(setup(n))));
  await waitFor(p.vms.a, 'grep -q cs:Connected /proc/drbd');
}

/** DRBD reconnected with more net options (both sides), back to UpToDate/UpToDate */
async function drbdReconnect(p: Pair, options: string) {
  for (const n of ['a', 'b']) await p.vms[n].ok(drbdDisconnect(n));
  await Promise.all(['a', 'b'].map((n) => p.vms[n].ok(drbdConnect(n, options))));
  await waitFor(p.vms.a, 'grep -q "cs:Connected.*ds:UpToDate/UpToDate" /proc/drbd');
}

async function waitFor(vm: Vm, cond: string, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  while ((await vm.sh(cond)).rc !== 0) {
    if (Date.now() > deadline) throw new Error(`${vm.spec.name}: never: ${cond}\n${(await vm.sh('cat /proc/drbd')).out}`);
    await sleep(300);
  }
}

interface Sample { [k: string]: number }

/** x then y in even rounds, y then x in odd ones; the results as [x, y] */
async function inTurn<T>(round: number, x: () => Promise<T>, y: () => Promise<T>): Promise<[T, T]> {
  if (round % 2 === 0) { const vx = await x(); return [vx, await y()]; }
  const vy = await y();
  return [await x(), vy];
}

async function oneRun(dir: string): Promise<Sample> {
  const bench = path.join(dir, 'lscbench');
  execFileSync('gcc', ['-O2', '-static', '-o', bench, path.join(__dirname, 'lscbench.c')]);
  // /dev/vda liscal's data, /dev/vdb its cluster partition, /dev/vdc DRBD's disk, /dev/vdd raw
  const p = new Pair(dir, {
    dataMb: DATA_MB, extraDisks: [{ name: 'drbd', mb: DATA_MB }, { name: 'raw', mb: DATA_MB }], modules: ['drbd'],
    // an appliance's CPU has SSE4.2 (crc32c-intel); disks written out like a real disk's blocks
    cpu: 'max', earlyModules: ['crc32c_intel'], preallocate: true,
    files: {
      '/bin/lscbench': bench, '/sbin/drbdsetup-84': '/usr/lib/drbd/drbdsetup-84', '/sbin/drbdmeta': '/usr/sbin/drbdmeta',
      '/lib/x86_64-linux-gnu/libc.so.6': '/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2': '/lib64/ld-linux-x86-64.so.2',
    },
  });
  const s: Sample = {};
  const lat = async (vm: Vm, dev: string, span = DATA_MB) => {
    const out = await vm.ok(`lscbench lat ${dev} ${LAT_OPS / ROUNDS} ${span}`, 300000);
    return { med: field(out, 'median_us'), mean: field(out, 'mean_us') };
  };
  /** a lscbench TCP test, server on b, client on a; the client's value of key */
  const tcp = async (mode: string, port: number, args: string, key: string) => {
    await p.vms.b.ok(`lscbench ${mode}-server ${port} ${args} > /dev/null 2>&1 &`);
    return field(await p.vms.a.ok(`lscbench ${mode}-client 10.0.0.2 ${port} ${args}`, 300000), key);
  };
  const seq = async (vm: Vm, dev: string) => field(await vm.ok(`lscbench seq ${dev} ${SEQ_MB / ROUNDS}`, 300000), 'mbps');
  try {
    await p.bootBoth();
    const { a, b } = p.vms;
    s.crc32c = Number((await a.ok("grep -A2 '^name *: crc32c$' /proc/crypto | grep -c crc32c-intel || true")).trim());
    // liscal's CRC32C, timed at load: the library's (crc32c-intel here) or the kernel's tables
    const crc = /crc32c: (\w+) \(library (\d+) us\/MiB, tables (\d+) us\/MiB\)/.exec(await a.ok("dmesg | grep 'liscal: crc32c:' | tail -1"));
    if (crc) Object.assign(s, { crc_tables: crc[1] === 'tables' ? 1 : 0, crc_lib_us_mib: Number(crc[2]), crc_tab_us_mib: Number(crc[3]) });
    // the raw disk on a while b writes its own: a mirrored write flushes on both guests at once
    const both = await Promise.all([a, b].map((vm) => vm.ok(`lscbench lat /dev/vdd ${LAT_OPS / ROUNDS} ${DATA_MB}`, 300000)));
    s.raw_lat_both_us = field(both[0], 'median_us');
    s.raw_seq_mbps = field(await a.ok(`lscbench seq /dev/vdd ${SEQ_MB}`, 300000), 'mbps');

    // DRBD 8.4 first: its initial sync is its full recovery, on an otherwise idle link
    await drbdUp(p);
    s.drbd_full_s = await timed(a, 'drbdsetup-84 primary 0 --force', 'grep -q ds:UpToDate/UpToDate /proc/drbd');
    await p.mirrored();
    // warm-up: liscal's write-intent extents, DRBD's activity log
    await a.ok(`lscbench lat /dev/NMP1 ${LAT_OPS / ROUNDS} ${DATA_MB}`, 300000);
    await a.ok(`lscbench lat /dev/drbd0 ${LAT_OPS / ROUNDS} ${DRBD_MB}`, 300000);

    // Side by side: each round measures the floor's two parts (TCP 4 KiB ping-pong, a raw
    // write on /dev/vdd), liscal and DRBD one right after the other, then their sequential
    // throughput next to the TCP floor of a 1 MiB write (a 1 MiB message answered by one
    // byte), so a change of the host's load hits all of them alike.
    const [a0, b0] = [await readStats(a), await readStats(b)];
    const rounds: Array<Record<string, number>> = [];
    for (let r = 0; r < ROUNDS; r++) {
      const pp = await tcp('pp', 7000 + r, `${PP_OPS / ROUNDS}`, 'median_us');
      const raw = await lat(a, '/dev/vdd');
      const [lis, drbd] = await inTurn(r, () => lat(a, '/dev/NMP1'), () => lat(a, '/dev/drbd0', DRBD_MB));
      rounds.push({ pp, raw: raw.med, raw_mean: raw.mean, lis: lis.med, lis_mean: lis.mean, drbd: drbd.med });
    }
    const [a1, b1] = [await readStats(a), await readStats(b)];
    const seqRounds: Array<Record<string, number>> = [];
    for (let r = 0; r < ROUNDS; r++) {
      const xfer = await tcp('xfer', 7100 + r, `${SEQ_MB / ROUNDS} 1024`, 'mbps');
      const [lis, drbd] = await inTurn(r, () => seq(a, '/dev/NMP1'), () => seq(a, '/dev/drbd0'));
      seqRounds.push({ xfer, lis, drbd });
    }
    const rmed = (rs: Array<Record<string, number>>, f: (x: Record<string, number>) => number) => median(rs.map(f));
    const two = (v: number) => Number(v.toFixed(2));
    s.pingpong_us = rmed(rounds, (x) => x.pp);
    s.raw_lat_us = rmed(rounds, (x) => x.raw);
    s.raw_lat_mean_us = rmed(rounds, (x) => x.raw_mean);
    s.liscal_lat_us = rmed(rounds, (x) => x.lis);
    s.liscal_lat_mean_us = rmed(rounds, (x) => x.lis_mean);
    s.drbd_lat_us = rmed(rounds, (x) => x.drbd);
    s.floor_ratio = two(rmed(rounds, (x) => x.lis / (x.raw + x.pp)));
    s.drbd_lat_ratio = two(rmed(rounds, (x) => x.lis / x.drbd));
    s.xfer_mbps = rmed(seqRounds, (x) => x.xfer);
    s.liscal_seq_mbps = rmed(seqRounds, (x) => x.lis);
    s.drbd_seq_mbps = rmed(seqRounds, (x) => x.drbd);
    s.drbd_seq_ratio = two(rmed(seqRounds, (x) => x.lis / x.drbd));
    // Context, not a goal: DRBD with a CRC32C of every data packet as liscal's frames carry
    // (data-integrity-alg, off by default), side by side with liscal again.
    await drbdReconnect(p, '--data-integrity-alg=crc32c');
    const crcRounds: Array<Record<string, number>> = [];
    for (let r = 0; r < ROUNDS; r++) {
      const [lis, drbd] = await inTurn(r, () => seq(a, '/dev/NMP1'), () => seq(a, '/dev/drbd0'));
      const [lisLat, drbdLat] = await inTurn(r, () => lat(a, '/dev/NMP1'), () => lat(a, '/dev/drbd0', DRBD_MB));
      crcRounds.push({ lis, drbd, lisLat: lisLat.med, drbdLat: drbdLat.med });
    }
    s.drbdcrc_seq_mbps = rmed(crcRounds, (x) => x.drbd);
    s.drbdcrc_seq_ratio = two(rmed(crcRounds, (x) => x.lis / x.drbd));
    s.drbdcrc_lat_us = rmed(crcRounds, (x) => x.drbdLat);
    s.drbdcrc_lat_ratio = two(rmed(crcRounds, (x) => x.lisLat / x.drbdLat));
    // where the time went (averages per write of the latency rounds, /proc/liscal/stats)
    for (const [k, v] of Object.entries(stageAverages(a0, a1))) s[`st_${k}_us`] = v;
    for (const [k, v] of Object.entries(stageAverages(b0, b1))) s[`st_${k}_us`] = v;
    for (const [k, v] of Object.entries(counterDeltas(a0, a1))) s[`n_${k}`] = v;

    await waitStat(a, (st) => st.dirty === '0');
    s.liscal_full_s = await timed(a, `echo 'recover 1 full' > /proc/liscal/ctl`, `grep -q '^NMP1 .*recovery=done' /proc/liscalstat`);
    await ctlOk(a, 'disconnect 1');
    await waitStat(b, (st) => st.conn === 'disconnected');
    await a.ok(`lscbench rand /dev/NMP1 ${DIFF_WRITES} ${DATA_MB}`, 300000);
    await ctlOk(a, 'connect 1');
    await waitStat(b, (st) => st.conn === 'connected');
    s.liscal_diff_chunks = Number((await waitStat(a, () => true)).dirty);
    s.liscal_diff_s = await timed(a, `echo 'recover 1 diff' > /proc/liscal/ctl`, `grep -q '^NMP1 .*recovery=done' /proc/liscalstat`);
    await ctlOk(a, 'close 1');

    for (const n of ['a', 'b']) await p.vms[n].ok(drbdDisconnect(n));
    await a.ok(`lscbench rand /dev/drbd0 ${DIFF_WRITES} ${DRBD_MB}`, 300000);
    await b.ok(drbdConnect('b'));
    s.drbd_diff_s = await timed(a, drbdConnect('a'),
      'grep -q "cs:Connected.*ds:UpToDate/UpToDate" /proc/drbd');
    s.drbd_diff_kb = DIFF_WRITES * 4;
    await p.stop();
  } finally {
    await p.kill();
  }
  return s;
}

/** a measure's median over the runs */
const medianOf = (samples: Sample[]) => (k: string) => median(samples.map((x) => x[k]));
/** d decimals; a measure missing from the samples (older runs) prints as '-' */
const fx = (d: number) => (v: number) => (Number.isFinite(v) ? v.toFixed(d) : '-');

function table(samples: Sample[]): string {
  const m = medianOf(samples);
  const floor = m('raw_lat_us') + m('pingpong_us');
  const f0 = fx(0), f1 = fx(1), f2 = fx(2);
  return [
    '| measure | raw lower device | TCP ping-pong | liscal | DRBD 8.4 (protocol C) |',
    '|---|---|---|---|---|',
    `| 4 KiB O_DSYNC random write latency, median (µs) | ${f0(m('raw_lat_us'))} (${f0(m('raw_lat_both_us'))} while the peer writes too) | ${f0(m('pingpong_us'))} (4 KiB round trip) | ${f0(m('liscal_lat_us'))} | ${f0(m('drbd_lat_us'))} |`,
    `| 1 MiB sequential write throughput (MB/s) | ${f1(m('raw_seq_mbps'))} | ${f1(m('xfer_mbps'))} (1 MiB message, 1-byte answer) | ${f1(m('liscal_seq_mbps'))} | ${f1(m('drbd_seq_mbps'))} |`,
    `| full recovery of ${DATA_MB} MiB (s) | | | ${f2(m('liscal_full_s'))} | ${f2(m('drbd_full_s'))} (initial sync) |`,
    `| differential recovery after ${DIFF_WRITES} random 4 KiB writes (s) | | | ${f2(m('liscal_diff_s'))} (${f0(m('liscal_diff_chunks'))} of ${DATA_MB * 16} 64 KiB chunks) | ${f2(m('drbd_diff_s'))} (4 KiB bitmap granularity) |`,
    '',
    `Each column is a median over the runs on its own, and the host's speed differed between runs (DRBD ` +
      `${range(samples, 'drbd_seq_mbps', 1)} MB/s, ping-pong ${range(samples, 'pingpong_us', 0)} µs), so two columns may come from ` +
      'different runs; the goals compare liscal and DRBD within each run (measured in turn, round by round):',
    '',
    'Goal check (medians):',
    goal(`liscal latency / (raw + ping-pong) = ${ratio(samples).toFixed(2)}`, ratio(samples) <= 1.5, '≤ 1.5') +
      ` (each run: ${samples.map((x) => runRatio(x).toFixed(2)).join(', ')}; ${meeting(samples.map(runRatio), (v) => v <= 1.5)}; ratio of the medians: ${(m('liscal_lat_us') / floor).toFixed(2)})`,
    ratioGoal('liscal / DRBD latency', samples, (x) => x.drbd_lat_ratio ?? x.liscal_lat_us / x.drbd_lat_us, (v) => v < 1, '< 1'),
    ratioGoal('liscal / DRBD throughput', samples, (x) => x.drbd_seq_ratio ?? x.liscal_seq_mbps / x.drbd_seq_mbps, (v) => v >= 1, '≥ 1'),
    ...context(samples.filter((x) => x.drbdcrc_seq_ratio !== undefined)),
    '',
    `Floor with both guests writing at once (raw while the peer writes + ping-pong): ${f0(m('raw_lat_both_us') + m('pingpong_us'))} µs; ` +
      `liscal / that floor = ${(m('liscal_lat_us') / (m('raw_lat_both_us') + m('pingpong_us'))).toFixed(2)}. ` +
      `In the stage means below, the peer's FUA write alone takes ${(m('st_rxwrite_us') / m('raw_lat_mean_us')).toFixed(1)}x ` +
      `a raw write, and the two TCP sends of the round trip (WRITE frame, ACK) ${f0(m('st_send_us') + m('st_rxack_us'))} µs of emulated CPU.`,
    '',
    'Where a liscal write\'s time goes (means per write of the latency sample, /proc/liscal/stats,',
    'medians over the runs; a is the active side, b the peer; means, so long host stalls weigh in):',
    '',
    '| stage | µs |',
    '|---|---|',
    ...STAGES.filter(([k]) => samples.some((x) => x[k] !== undefined)).map(([k, what]) => `| ${what} | ${f0(m(k))} |`),
    `| raw lower device, the same writes (lscbench mean) | ${f0(m('raw_lat_mean_us'))} |`,
    `| liscal, seen by lscbench (mean) | ${f0(m('liscal_lat_mean_us'))} |`,
  ].join('\n');
}

/** DRBD with data-integrity-alg crc32c, from the runs that measured it */
function context(runs: Sample[]): string[] {
  if (!runs.length) return [];
  const m = medianOf(runs);
  const each = (k: string) => runs.map((x) => x[k].toFixed(2)).join(', ');
  return ['',
    'Context (not a goal): DRBD with a CRC32C of every data packet, as liscal\'s frames carry (`--data-integrity-alg=crc32c`,',
    `off by default), measured side by side with liscal in ${ROUNDS} more rounds of each run that has it (${runs.length} of the runs):`,
    `${m('drbdcrc_seq_mbps').toFixed(1)} MB/s and ${m('drbdcrc_lat_us').toFixed(0)} µs; liscal / that DRBD: throughput ${m('drbdcrc_seq_ratio').toFixed(2)} (each run: ${each('drbdcrc_seq_ratio')}),`,
    `latency ${m('drbdcrc_lat_ratio').toFixed(2)} (each run: ${each('drbdcrc_lat_ratio')}).`];
}

/** a run's liscal / floor: the median over its side-by-side rounds (older samples: of its medians) */
const runRatio = (x: Sample) => x.floor_ratio ?? x.liscal_lat_us / (x.raw_lat_us + x.pingpong_us);
const ratio = (samples: Sample[]) => median(samples.map(runRatio));

const goal = (what: string, met: boolean, target: string) => `- ${what} (goal ${target}): ${met ? 'met' : '**missed**'}`;
/** a goal on the median over the runs of a per-run ratio (side by side within the run) */
const ratioGoal = (what: string, samples: Sample[], r: (x: Sample) => number, ok: (v: number) => boolean, target: string) => {
  const v = median(samples.map(r));
  return goal(`${what} = ${v.toFixed(2)}`, ok(v), target) +
    ` (each run: ${samples.map((x) => r(x).toFixed(2)).join(', ')}; ${meeting(samples.map(r), ok)})`;
};
/** lowest-highest of a measure over the runs */
const range = (samples: Sample[], k: string, d: number) => {
  const v = samples.map((x) => x[k]).filter(Number.isFinite);
  return `${Math.min(...v).toFixed(d)}-${Math.max(...v).toFixed(d)}`;
};
/** how many runs meet a goal on their own: the margin the median hides */
const meeting = (v: number[], ok: (x: number) => boolean) => `${v.filter(ok).length} of ${v.length} runs meet it`;

const STAGES: Array<[string, string]> = [
  ['st_queue_us', 'a: submit_bio → issued (hand-off, write intent)'],
  ['st_send_us', 'a: WRITE frame (header + 4 KiB, CRC32C) handed to TCP'],
  ['st_local_us', 'a: issued → local write done (FUA)'],
  ['st_peer_us', 'a: frame sent → the peer\'s ACK received'],
  ['st_rxpayload_us', 'b: header → payload received, CRC32C checked'],
  ['st_rxwrite_us', 'b: durable write (FUA)'],
  ['st_rxack_us', 'b: ACK handed to TCP'],
  ['st_total_us', 'a: submit_bio → completed upward'],
];

async function main() {
  const render = opt('--render', '');
  const samples: Sample[] = [];
  if (render) {
    // re-render the document from saved raw samples (one JSON object per line, e.g. the
    // "run i/N: {...}" lines of an earlier run's output)
    for (const line of fs.readFileSync(render, 'utf8').split('\n')) {
      const i = line.indexOf('{');
      if (i >= 0) samples.push(JSON.parse(line.slice(i)));
    }
    if (!samples.length) throw new Error(`no samples in ${render}`);
    write(samples, `rendered by \`npx tsx bench/liscal/run.ts --render\` from the raw samples below (runs of
\`bench/liscal/run.ts\`, possibly several invocations)`);
    return;
  }
  const skip = fs.existsSync(KO) ? vmSkipReason(moduleRelease(KO)) : `${KO} is not built (make -C kmod)`;
  if (skip) throw new Error(`cannot run: ${skip}`);
  for (const f of ['/usr/lib/drbd/drbdsetup-84', '/usr/sbin/drbdmeta']) if (!fs.existsSync(f)) throw new Error(`${f} is missing (drbd-utils)`);
  for (let i = 0; i < runs; i++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liscal-bench-'));
    try {
      const s = await oneRun(dir);
      console.log(`run ${i + 1}/${runs}: ${JSON.stringify(s)}`);
      samples.push(s);
    } catch (e) {
      // the guests' consoles (kernel messages) say why a VM went away
      for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.console'))) {
        console.error(`--- ${f} (end)\n${fs.readFileSync(path.join(dir, f), 'utf8').split('\n').slice(-60).join('\n')}`);
      }
      throw e;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  write(samples, 'generated by \`npx tsx bench/liscal/run.ts\`');
}

function write(samples: Sample[], how: string) {
  const kernel = moduleRelease(KO);
  const runs = samples.length;
  const m = medianOf(samples);
  const f0 = fx(0);
  const doc = `# liscal performance against DRBD

${how[0].toUpperCase()}${how.slice(1)} on ${new Date().toISOString().slice(0, 10)}; medians of
${runs} runs (each a fresh pair). Test bed: two qemu VMs under TCG (no KVM) on the same host, 1 vCPU
(\`-cpu max\`: SSE4.2, so the kernel's crc32c is crc32c-intel, as on an appliance's CPU) and 256 MiB each,
kernel ${kernel}, virtio disks on raw files written out in full beforehand (cache=none), a qemu UDP
socket link between them.
Each run boots a fresh pair with four disks a guest (/dev/vda liscal's data, /dev/vdb its cluster
partition, /dev/vdc DRBD's, /dev/vdd a raw disk) and measures, in order: the raw disk while the peer
writes its own too, and its sequential throughput; DRBD 8.4 (the kernel's drbd module, drbd-utils'
drbdsetup-84, protocol C, internal metadata, fixed resync rate 1000M) set up and its initial sync, then
liscal mirrored (SYNC, port open on a) and ${LAT_OPS / ROUNDS} warm-up writes on each; then side by side, ${ROUNDS}
rounds of [TCP 4 KiB ping-pong (${PP_OPS / ROUNDS} round trips), ${LAT_OPS / ROUNDS} raw writes on /dev/vdd, ${LAT_OPS / ROUNDS} writes on
/dev/NMP1 and on /dev/drbd0 (the two in turn first)] and ${ROUNDS} rounds of [the TCP floor of a 1 MiB write
(1 MiB messages each answered by one byte), ${SEQ_MB / ROUNDS} MiB sequential on /dev/NMP1 and on /dev/drbd0 (in
turn first)]: a run's figures are the medians over its rounds, and its ratios the medians of the
ratios computed round by round; then liscal's full and differential recovery, and DRBD's resync after
the same random writes.
Latency: 4 KiB writes at random offsets, O_DIRECT|O_DSYNC, one at a time (lscbench.c).
Throughput: 1 MiB O_DIRECT writes one at a time and an fdatasync. Absolute numbers are those of an
emulated CPU; only the ratios mean anything.

${table(samples)}

Reading the table:
- Every ratio is computed within a run from measures taken side by side (rounds, above), then the
  median over the runs; the host has 2 cores, both VMs are emulated, and absolute figures vary by
  up to 2x between runs, so compare the ratios (each run's are listed) rather than the columns.
  These runs were made on an otherwise idle host; its speed changes over a day (a run's TCP
  ping-pong ranged from 0.9 to 3 ms across sessions), and the ratios move with it.
- Latency: a 4 KiB O_DSYNC write on a block device is two bios, the write with FUA and the empty
  flush of the fsync that follows. liscal issues the write from the submitter's context when its
  4 MiB write-intent extent is already on disk (after warm-up: always; \`n_intent\` in the samples
  counts the intent writes during the rounds, \`n_fast\` the writes issued without a hand-off), sends
  the frame first (header, the 4 KiB copied, trailer: one sendmsg) and submits the local write while
  the peer works, and completes the empty flush at
  once because every write since the last flush was FUA on both sides (\`n_noflush\`); see
  kmod/liscal/README.md §2.3. What is left is one round trip to the peer's durable write.
  DRBD 8.4 (drivers/block/drbd) sends the data from its sender thread (a hand-off per write) and
  completes the empty flush after a local flush, mapping it to a P_BARRIER that makes the peer flush
  when the epoch closes: its O_DSYNC write costs the round trip, a hand-off and a local flush.
- The floor (raw + ping-pong) adds a raw write measured alone to a round trip. A mirrored write
  flushes on both guests at once, and both guests' disks are files on the same host file system:
  "while the peer writes too" is the raw latency on a while b runs the same benchmark on its disk.
  Under TCG every TCP send costs hundreds of µs of emulated CPU (stage table: the WRITE frame and the
  ACK), which the ping-pong pays from user space as well; the line under the goal check gives the
  ratio against the floor with both guests writing at once.
- Throughput: each 1 MiB write is one bio (the NMP queue takes 256 segments) and one WRITE frame.
  a checksums its payload 16 pages at a time, each batch just before handing it to TCP, by
  reference as DRBD does, and sends the CRC32C as the frame's trailer; b reads 16 pages a recvmsg
  and checks each batch as it arrives (the protocol requires the CRC; DRBD checksums nothing by
  default); kmod/liscal/README.md §2.2-2.3. liscal times its two CRC32C implementations at load:
  under TCG the crc32 instruction (crc32c-intel) is emulated bit by bit, ${f0(m('crc_lib_us_mib'))} µs a MiB, against
  ${f0(m('crc_tab_us_mib'))} µs for the kernel's slice-by-8 tables, which it then uses (on the host's own CPU, outside qemu,
  a user-space probe runs the instruction 4-5x faster than the tables: on hardware auto keeps the library). DRBD's data-integrity-alg goes through the crypto API to crc32c-intel,
  hence the context line's DRBD at about half its speed.
  How the ratio got from 0.71 to about 1 (each step measured side by side in one pair, modules
  swapped between samples, 4-6 samples each; a development harness, not shipped): zero-copy send
  0.71 -> 0.83; CRC as a trailer, batch by batch (protocol version 2) alone: no change, the CRC's
  emulated CPU time is not hidden on a 1-vCPU guest; a patched module checksumming nothing: 0.95-1.2,
  so the CRC was the whole gap; the tables instead of crc32c-intel: 0.82 -> 0.91; one bio per 1 MiB
  write instead of two (the second waited in the queue for the first to be sent): about 1.0.
  The guests' and the host's CPU were sampled (/proc/stat) during these transfers: the host 50-65%
  busy, each guest 25-60% idle, so the earlier guess that the 2 host cores were saturated was wrong;
  what counts is the emulated CPU time on each guest's path, hence the cheaper CRC.
  The "TCP floor" column (1 MiB messages each answered by one byte, user space to user space) is
  what one stream moves at queue depth 1.
- Recovery: liscal keeps 16 chunks in flight and the target writes them asynchronously; DRBD's
  resync streams with a fixed rate of 1000M. Differential recovery: liscal's bitmap has one bit per
  64 KiB chunk (a 1 TiB partition needs a 2 MiB bitmap), DRBD's one per 4 KiB; random 4 KiB writes
  dirty a whole chunk each, so liscal copies up to 16x more data. Its time is proportional to the
  dirty chunks, not to the partition size.

Raw samples:

\`\`\`
${samples.map((s) => JSON.stringify(s)).join('\n')}
\`\`\`
`;
  fs.writeFileSync(outFile, doc);
  console.log(doc);
}

main().catch((e) => { console.error(e); process.exit(1); });
