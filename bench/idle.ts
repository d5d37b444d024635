// The runtime at rest in the box (issue 16 point 6): boots the virtual pair from the image
// (qemu TCG, the shipped configuration's default timeouts, the web manager started by rcS),
// waits for both servers Online and the mirror GREEN/GREEN, lets it settle, then reads the
// runtime's and the web manager's CPU time and VmRSS in server1 over WINDOW seconds (/proc:
// utime+stime, USER_HZ 100). Prints the Markdown section of docs/performance.md.
//   npm run bench idle   or   npx tsx bench/idle.ts   (WINDOW=300, PAIRHA_PAIR_NS, PAIRHA_IMAGE_OUT)
import * as os from 'node:os';
import { preparePair } from '../src/host/pair/fixture';

const WINDOW = Number(process.env.WINDOW) || 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** pid, CPU seconds and VmRSS (bytes) of the runtime and the web manager, in one box command. */
const probe = [
  'for f in /opt/pairha/run/pairha.pid /opt/pairha/run/webmgr.pid; do',
  '  p=$(cat $f); s=$(cat /proc/$p/stat); s=${s##*) }; set -- $s',
  '  echo "$(basename $f .pid) $p $(( ${12} + ${13} )) $(sed -n "s/^VmRSS:[[:space:]]*\\([0-9]*\\) kB/\\1/p" /proc/$p/status)"',
  'done; cat /proc/uptime',
].join('\n');

interface Sample { name: string; pid: number; ticks: number; rssKb: number }

function parse(text: string): { procs: Sample[]; uptime: number } {
  const lines = text.trim().split('\n');
  const uptime = Number(lines.pop()!.split(' ')[0]);
  return { uptime, procs: lines.map((l) => { const [name, pid, ticks, rss] = l.split(' '); return { name, pid: Number(pid), ticks: Number(ticks), rssKb: Number(rss) }; }) };
}

async function main() {
  const { pair, config, imageDir, cleanup } = await preparePair('bench-idle', 'i', undefined, { nsPrefix: 'pairbench', log: (s: string) => process.stderr.write(s) });
  try {
    const s = await pair.up({ config, imageDir, memoryMb: 512 });
    await pair.waitOnline(s, 600000);
    const run = async (script: string) => {
      const r = await pair.run(s, 'server1', ['sh', '-c', script], 300000);
      if (r.code) throw new Error(`${script.split('\n')[0]}: ${r.stderr.trim() || `exit ${r.code}`}`);
      return r.stdout;
    };
    for (let i = 0; i < 120 && !/^Mirror Status: Normal/.test(await run('clpmdstat --mirror md1 || true')); i++) await sleep(5000);
    await sleep(60000); // the first heartbeats' and the recovery's log lines, the web manager's first requests
    const load = os.loadavg()[0];
    const a = parse(await run(probe));
    await sleep(WINDOW * 1000);
    const b = parse(await run(probe));
    const release = await run('cat /etc/pairha-release');
    const commit = /^PAIRHA_VERSION=(.*)$/m.exec(release)?.[1] ?? '?';
    const secs = b.uptime - a.uptime;
    const rows = b.procs.map((p) => {
      const before = a.procs.find((x) => x.name === p.name && x.pid === p.pid);
      const cpu = before ? `${(((p.ticks - before.ticks) / 100 / secs) * 100).toFixed(2)} % of a core` : '(restarted during the window)';
      return `| ${p.name === 'pairha' ? 'runtime' : 'web manager'} | ${(p.rssKb / 1024).toFixed(1)} MiB | ${cpu} |`;
    });
    process.stdout.write([
      '## The runtime at rest in the box (issue 16 point 6): `npm run bench idle` (`npx tsx bench/idle.ts`)', '',
      `Measured on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC at ${commit}, ${os.cpus().length} host cores (host load average`,
      `${load.toFixed(2)} at the window's start), qemu TCG, one vCPU and 512 MiB per box; server1 with failover1 (fip1, md1, exec1)`,
      `Online, the mirror GREEN/GREEN, the shipped configuration's timeouts and the web manager running (nobody logged in).`,
      `CPU over ${secs.toFixed(0)} s of the box's uptime; a TCG vCPU is several times slower than the host's core, so the`,
      'percentages are an upper bound for real hardware. Goals: RSS ≤ 60 MB, CPU ≤ 0.5 % of a core.', '',
      '| process | VmRSS | CPU |', '| --- | --- | --- |', ...rows, '',
    ].join('\n'));
  } finally {
    await pair.down();
    cleanup();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
