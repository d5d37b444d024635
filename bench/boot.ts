// The boot chart (issue 16 point 2): boots the virtual pair from the image (qemu TCG) and
// shows where each second of power-on to Online goes, per box: the kernel, the initramfs,
// each boot.d step and rc.d service (the `pairha-boot: UPTIME STAGE` lines the box prints on
// its console, image/initramfs/init and rootfs/etc/init.d/rcS), node's start of the runtime
// (its /proc start time) and the runtime's first events (its alert log: the cluster daemon
// started, the first heartbeat and the peer up). Prints the Markdown section of
// docs/performance.md. Needs root, qemu and the image's inputs (as test/vm/pair.test.ts).
//   npm run bench boot   or   npx tsx bench/boot.ts   (PAIRHA_PAIR_NS, PAIRHA_IMAGE_OUT)
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Pair, PairState } from '../src/host/pair/pair';
import { boxFiles } from '../src/host/pair/qemu';
import { preparePair } from '../src/host/pair/fixture';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The alert log's events that mark the runtime's progress: the text's pattern, what it means. */
const milestones: Array<[RegExp, string]> = [
  [/Cluster daemon has started properly/, 'runtime: cluster daemon started (pm 1)'],
  [/Resource \S+ of server (?!SELF)\S+ up/, 'runtime: first heartbeat from the peer (nm 3)'],
  [/Server (?!SELF)\S+ up/, 'runtime: peer server up (nm 1)'],
];

interface Mark { at: number; what: string }

async function chart(pair: Pair, s: PairState, name: string): Promise<Mark[]> {
  const run = async (script: string) => {
    const r = await pair.run(s, name, ['sh', '-c', script], 300000);
    if (r.code) throw new Error(`${name}: ${script}: ${r.stderr.trim() || `exit ${r.code}`}`);
    return r.stdout;
  };
  const marks: Mark[] = [{ at: 0, what: 'kernel' }];
  for (const m of fs.readFileSync(boxFiles(s.dir, name).consoleLog, 'latin1').matchAll(/pairha-boot: ([\d.]+) (.+?)\r?$/gm)) marks.push({ at: Number(m[1]), what: m[2] });
  // The kernel's start on the box's clock (1 s resolution: the alert log has no more).
  const [uptime, startTicks, epoch] = (await run('cut -d" " -f1 /proc/uptime; cut -d" " -f22 /proc/$(cat /opt/pairha/run/pairha.pid)/stat; date -u +%s')).trim().split('\n').map(Number);
  marks.push({ at: startTicks / 100, what: 'node: runtime process started' });
  const kernelEpoch = epoch - uptime;
  const alerts = (await run('clpalert -n 200')).split('\n');
  for (const [re, what] of milestones) {
    const pattern = new RegExp(re.source.replace('SELF', name));
    const line = alerts.find((l) => l.split(' ')[2] === name && pattern.test(l));
    const m = line && /^(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)/.exec(line);
    if (m) marks.push({ at: Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000 - kernelEpoch, what });
  }
  return marks.sort((a, b) => a.at - b.at);
}

async function main() {
  const { pair, config, imageDir, cleanup } = await preparePair('bench-boot', 'o', undefined, { nsPrefix: 'pairbench', log: (s: string) => process.stderr.write(s) });
  try {
    const load = os.loadavg()[0];
    const t0 = Date.now();
    const s = await pair.up({ config, imageDir, memoryMb: 512 });
    await pair.waitOnline(s, 600000);
    const online = (Date.now() - t0) / 1000;
    // Let the alert logs fill (first heartbeats are logged before Online, the peer's later).
    await sleep(5000);
    const release = (await pair.run(s, 'server1', ['cat', '/etc/pairha-release'], 60000)).stdout;
    const commit = /^PAIRHA_VERSION=(.*)$/m.exec(release)?.[1] ?? '?';
    const charts = [];
    for (const b of s.boxes) charts.push({ name: b.name, marks: await chart(pair, s, b.name) });
    const out = [
      '## Boot chart (issue 16 point 2): `npm run bench boot` (`npx tsx bench/boot.ts`)', '',
      `Measured on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC at ${commit}, ${os.cpus().length} host cores`,
      `(host load average ${load.toFixed(2)} at power-on${load < 1 ? '' : ': the previous benchmark\'s pair winding down, or other jobs'}), qemu TCG, one vCPU and`,
      `512 MiB per box. \`pair up\` to both boxes seeing both servers Online (\`waitOnline\`, polled every 2 s): **${online.toFixed(1)} s**.`,
      'Times are seconds since the box\'s kernel started (its /proc/uptime); the runtime\'s events come from the',
      'alert log, to the second. Each stage lasts until the next line.', '',
    ];
    for (const c of charts) {
      out.push(`### ${c.name}`, '', '| at (s) | stage | lasts (s) |', '| --- | --- | --- |');
      c.marks.forEach((m, i) => out.push(`| ${m.at.toFixed(2)} | ${m.what} | ${i + 1 < c.marks.length ? (c.marks[i + 1].at - m.at).toFixed(2) : ''} |`));
      out.push('');
    }
    process.stdout.write(out.join('\n'));
  } finally {
    await pair.down();
    cleanup();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
