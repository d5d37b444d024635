// Benchmarks of issue 2, run in the lab at interval 100 ms / timeout 300 ms:
// failure-detection latency after SIGKILL, false downs under stress-ng, idle RSS/CPU,
// clpstat latency. Prints a Markdown section for docs/performance.md.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli } from '../src/cli/pairha';
import { defaultContext } from '../src/cli/context';
import { readAlerts } from '../src/events/sinks/alert';
import { Lab } from '../src/host/lab/lab';
import { HostPlatform } from '../src/platform/host';

const TRIALS = Number(process.env.TRIALS || 20);
const STRESS_S = Number(process.env.STRESS_SECONDS || 60);
const TIMEOUT = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (a: number[]) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

/** RSS and CPU of server1's runtime over IDLE_SECONDS. */
async function idle(lab: Lab, timings: string): Promise<string[]> {
  const secs = Number(process.env.IDLE_SECONDS || 30);
  const pid = lab.load().servers[0].pid!;
  const ticks = () => { const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return Number(f[11]) + Number(f[12]); };
  const c0 = ticks(); await sleep(secs * 1000); const c1 = ticks();
  const hz = Number(execFileSync('getconf', ['CLK_TCK']).toString());
  const rss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
  return [`### Runtime at idle, heartbeat ${timings} (server1 of the pair, ${secs} s)`, '', '| RSS | CPU |', '| --- | --- |',
    `| ${rss.toFixed(1)} MB | ${(((c1 - c0) / hz) / secs * 100).toFixed(2)} % of a core |`, ''];
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-bench-'));
  const lab = new Lab(dir, new HostPlatform({ powerRecord: '' }));
  const s = await lab.up(path.resolve(__dirname, 'fast.conf'));
  const out: string[] = [];
  try {
    await lab.waitOnline(s, 20000);
    const alertDir = path.join(s.servers[0].root, 'alert');

    // 1. Failure detection after SIGKILL.
    const lat: number[] = [];
    for (let i = 0; i < TRIALS; i++) {
      await sleep(1000);
      const seen = readAlerts(alertDir).length;
      const t0 = Date.now();
      await lab.signal(s, 'server2', 'SIGKILL');
      let down;
      while (!(down = readAlerts(alertDir).slice(seen).find((e) => e.type === "nm" && e.id === 2))) await sleep(100); // the entry carries its own time; slow polling keeps the CPU for the runtimes
      lat.push(down.time - t0);
      await lab.start(s, 'server2');
      await lab.waitOnline(s, 20000);
    }
    out.push(`### Failure detection after SIGKILL (${TRIALS} trials, interval 100 ms, timeout ${TIMEOUT} ms)`, '',
      '| median | max | median / timeout | max / timeout |', '| --- | --- | --- | --- |',
      `| ${median(lat)} ms | ${Math.max(...lat)} ms | ${(median(lat) / TIMEOUT).toFixed(2)} | ${(Math.max(...lat) / TIMEOUT).toFixed(2)} |`, '');

    // 2. Idle RSS and CPU of one runtime at these timings.
    await sleep(2000);
    out.push(...await idle(lab, '100 ms / 300 ms'));

    // 3. clpstat latency (in-process CLI call over the control socket, and the whole command).
    const ctx = { ...defaultContext(lab.env(s, 'server1')), out: () => {}, err: () => {} };
    const inproc: number[] = [];
    for (let i = 0; i < 50; i++) { const t = process.hrtime.bigint(); await cli(['clpstat', '-n'], ctx); inproc.push(Number(process.hrtime.bigint() - t) / 1e6); }
    const whole: number[] = [];
    for (let i = 0; i < 10; i++) { const t = process.hrtime.bigint(); execFileSync(process.execPath, [path.resolve(__dirname, '..', 'dist', 'cli', 'pairha.js'), 'clpstat', '-n'], { env: lab.env(s, 'server1') }); whole.push(Number(process.hrtime.bigint() - t) / 1e6); }
    out.push('### clpstat -n latency', '', '| request over the control socket (median of 50) | whole command incl. node start (median of 10) |', '| --- | --- |',
      `| ${median(inproc).toFixed(2)} ms | ${median(whole).toFixed(0)} ms |`, '');

    // 4. False server-down events under stress-ng on both cores.
    const seen = readAlerts(alertDir).length;
    const seen2 = readAlerts(path.join(s.servers[1].root, 'alert')).length;
    const stress = spawn('stress-ng', ['--cpu', '2', '--vm', '1', '--vm-bytes', '256M', '--timeout', `${STRESS_S}s`, '--quiet'], { stdio: 'ignore' });
    await new Promise((r) => stress.on('exit', r));
    const all = [...readAlerts(alertDir).slice(seen), ...readAlerts(path.join(s.servers[1].root, 'alert')).slice(seen2)];
    const serverDowns = all.filter((e) => e.type === 'nm' && e.id === 2);
    const hbDowns = all.filter((e) => e.type === 'nm' && e.id === 4);
    const list = (a: typeof all) => (a.length ? ` (${a.map((d) => `${d.server}: ${d.text}`).join('; ')})` : '');
    out.push(`### False downs under load (${STRESS_S} s of stress-ng --cpu 2 --vm 1 on both cores)`, '',
      '| false server down (nm 2) | heartbeat down (nm 4) |', '| --- | --- |', `| ${serverDowns.length}${list(serverDowns)} | ${hbDowns.length}${list(hbDowns)} |`, '');
  } finally {
    await lab.down();
  }
  // Idle at the product's default timings, in a fresh pair.
  const lab2 = new Lab(fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-bench-')), new HostPlatform({ powerRecord: '' }));
  const s2 = await lab2.up(path.resolve(__dirname, 'default.conf'));
  try {
    await lab2.waitOnline(s2, 30000);
    await sleep(15000); // past start-up compilation
    out.push(...await idle(lab2, '3 s / 90 s (defaults)'));
  } finally {
    await lab2.down();
  }
  process.stdout.write(out.join('\n'));
}

main().catch((e) => { console.error(e); process.exit(1); });
