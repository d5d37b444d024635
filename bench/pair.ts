// Benchmarks of issue 5, on the virtual pair booted from the image (qemu TCG): power-on to
// Online time, image size, the runtime's RSS inside the box, clpstat latency inside the box
// (in-process and whole command). RUNS pairs (default 3), medians. Prints its Markdown section
// of docs/performance.md. Needs root, qemu and the image's inputs (as test/vm/pair.test.ts).
//   npm run bench pair   or   npx tsx bench/pair.ts
//   (PAIRHA_PAIR_NS: namespace prefix, PAIRHA_IMAGE_OUT: image dir, RUNS, INPROC, WHOLE)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Pair, type PairState } from '../src/host/pair/pair';
import { HB_TIMEOUT, testConfigText, testImageDir } from '../src/host/pair/fixture';  // as the VM tests
import { HostPlatform } from '../src/platform/host';

const RUNS = Number(process.env.RUNS || 3);
/** clpstat calls per run: in-process (one node inside the box), and whole commands. */
const INPROC = Number(process.env.INPROC || 20);
const WHOLE = Number(process.env.WHOLE || 5);
const imageDir = testImageDir;
const ns = `${process.env.PAIRHA_PAIR_NS ?? 'pairbench'}b`;
const APP = '/opt/pairha/lib/pairha/dist';

const median = (a: number[]) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Inside the box: clpstat's own code (cli()) timed in one node process, then the whole
// command (node start-up included) timed from the same process. Prints JSON.
const clpstatScript = `
const { cli } = require('${APP}/cli/pairha');
const { defaultContext } = require('${APP}/cli/context');
const { spawnSync } = require('child_process');
(async () => {
  const ctx = { ...defaultContext(), out: () => {}, err: () => {} };
  const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;
  const inproc = [], whole = [];
  for (let i = 0; i < ${INPROC}; i++) { const t = process.hrtime.bigint(); const code = await cli(['clpstat'], ctx); if (code) throw new Error('clpstat exit ' + code); inproc.push(ms(t)); }
  for (let i = 0; i < ${WHOLE}; i++) { const t = process.hrtime.bigint(); const r = spawnSync('clpstat', [], { stdio: 'ignore' }); if (r.status) throw new Error('clpstat exit ' + r.status); whole.push(ms(t)); }
  console.log(JSON.stringify({ inproc, whole }));
})().catch((e) => { console.error(e.message); process.exit(1); });`;

interface Run { online: number; rssKb: number; inproc: number; whole: number; load: number }

async function once(config: string, i: number): Promise<Run> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-bench-pair-'));
  const pair = new Pair(dir, new HostPlatform({ powerRecord: '' }), ns);
  await pair.down();
  const load = os.loadavg()[0];
  try {
    const t0 = Date.now();
    const s: PairState = await pair.up({ config, imageDir, memoryMb: 512 });
    // waitOnline polls every 2 s: the figure is up to 2 s late.
    await pair.waitOnline(s, 600000);
    const online = Date.now() - t0;
    const run = async (argv: string[]) => {
      const r = await pair.run(s, 'server1', argv, 300000);
      if (r.code) throw new Error(`${argv.join(' ')}: ${r.stderr.trim() || `exit ${r.code}`}`);
      return r.stdout;
    };
    // The runtime at work: wait for the group to be Online on server1, then let start-up settle.
    for (let k = 0; k < 60 && !/failover1\s+: Online/.test(await run(['clpstat'])); k++) await sleep(2000);
    await sleep(10000);
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(await run(['sh', '-c', 'cat /proc/$(cat /opt/pairha/run/pairha.pid)/status']))?.[1]);
    const lat = JSON.parse(await run(['node', '-e', clpstatScript])) as { inproc: number[]; whole: number[] };
    const r: Run = { online, rssKb, inproc: median(lat.inproc), whole: median(lat.whole), load };
    process.stderr.write(`run ${i + 1}/${RUNS}: Online ${(online / 1000).toFixed(1)} s, RSS ${(rssKb / 1024).toFixed(1)} MiB, clpstat ${r.inproc.toFixed(0)} ms in-process / ${r.whole.toFixed(0)} ms whole, load ${load.toFixed(2)}\n`);
    return r;
  } finally {
    await pair.down();
  }
}

function imageSizes(): string[] {
  const file = (f: string) => { const st = fs.statSync(path.join(imageDir, f)); return { apparent: st.size, allocated: st.blocks * 512 }; };
  const disk = file('disk.img');
  const manifest = fs.readFileSync(path.join(imageDir, 'manifest.txt'), 'utf8');
  const rootfs = /^rootfs (\d+) MiB$/m.exec(manifest)?.[1] ?? '?';
  return ['| file | apparent | allocated |', '| --- | --- | --- |',
    `| disk.img | ${mib(disk.apparent)} | ${mib(disk.allocated)} |`,
    ...['vmlinuz', 'initramfs.cpio.gz'].map((f) => { const x = file(f); return `| ${f} | ${mib(x.apparent)} | ${mib(x.allocated)} |`; }),
    `| root tree (rootfs, \`du --apparent-size\` at build) | ${rootfs} MiB | |`, '',
    ...manifest.split('\n').filter((l) => /^(kernel|node) /.test(l)).map((l) => `- ${l}`), ''];
}

async function main() {
  const pair = new Pair(fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-bench-pair-')), new HostPlatform({ powerRecord: '' }), ns);
  await pair.ensureImage(imageDir, (s) => process.stderr.write(s));
  await pair.down();
  const config = path.join(os.tmpdir(), `pairha-bench-pair-${process.pid}.conf`);
  fs.writeFileSync(config, testConfigText());
  const runs: Run[] = [];
  try {
    for (let i = 0; i < RUNS; i++) runs.push(await once(config, i));
  } finally {
    fs.rmSync(config, { force: true });
  }
  const col = (f: (r: Run) => number, fmt: (n: number) => string) => `${fmt(median(runs.map(f)))} (${runs.map((r) => fmt(f(r))).join(', ')})`;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const box = /^kernel (\S+)$/m.exec(fs.readFileSync(path.join(imageDir, 'manifest.txt'), 'utf8'))?.[1] ?? '?';
  const out = [
    '## The appliance pair (issue 5): `npx tsx bench/pair.ts`', '',
    `Measured on ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores shared with other jobs' VMs (load below), host ${os.release()}, qemu TCG`,
    `(${execFileSync('qemu-system-x86_64', ['--version']).toString().split('\n')[0].replace(/^QEMU emulator version /, 'qemu ')}), one vCPU and 512 MiB per box, box kernel ${box}, node ${process.version}, the image's clp.conf`,
    `with hb_timeout ${HB_TIMEOUT / 1000} s (as the VM tests). Each run boots a fresh pair (\`Pair.up\`: qcow2 overlays, config sticks,`,
    'namespaces, both qemu) and times it until both boxes see both servers Online (`waitOnline`, polled every 2 s,',
    'so up to 2 s late); then, once failover1 is Online on server1 and 10 s more, reads the runtime\'s VmRSS',
    '(pid of /opt/pairha/run/pairha.pid) and times clpstat in server1 from one node process: its code',
    `in-process (\`cli(['clpstat'])\`: nm.view and rc.cluster over the control socket, rc.cluster asking server2`,
    'over the interconnect) and the whole command spawned (the `clpstat` wrapper, node start-up included).', '',
    `### The pair under TCG (${RUNS} runs, medians; each run's value in parentheses)`, '',
    '| what | median (runs) |', '| --- | --- |',
    `| power-on to Online (\`pair up\` to both boxes seeing both servers Online) | ${col((r) => r.online, s)} |`,
    `| runtime RSS in server1 (VmRSS, daemon and failover1 running) | ${col((r) => r.rssKb / 1024, (n) => `${n.toFixed(1)} MiB`)} |`,
    `| \`clpstat\` in-process (cli() in a running node in the box, median of ${INPROC}) | ${col((r) => r.inproc, (n) => `${n.toFixed(0)} ms`)} |`,
    `| \`clpstat\` whole command (spawned in the box, node start-up included, median of ${WHOLE}) | ${col((r) => r.whole, (n) => `${n.toFixed(0)} ms`)} |`,
    `| host load average (1 min) at power-on | ${col((r) => r.load, (n) => n.toFixed(2))} |`, '',
    '### Image size', '', ...imageSizes(),
  ];
  process.stdout.write(out.join('\n'));
}

main().catch((e) => { console.error(e); process.exit(1); });
