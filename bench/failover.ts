// Failover benchmark of issue 3, side by side with keepalived in the same namespaces:
// the time from the loss of the active box until the floating IP answers the client from
// the other box. "Loss" is a power cut for both systems: every process of the active box's
// namespace is SIGKILLed and its floating address vanishes at once (src/host/lab/softdog.ts
// reset(), which is also what the lab's softdog does). Heartbeat 100 ms / 300 ms; VRRPv3
// advert_int 0.1. Also: the time of a group move (clpgrp -m). Prints Markdown.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli } from '../src/cli/pairha';
import { defaultContext } from '../src/cli/context';
import { clientNs, Lab, nsOf } from '../src/host/lab/lab';
import { reset } from '../src/host/lab/softdog';
import { HostPlatform } from '../src/platform/host';

const TRIALS = Number(process.env.TRIALS || 20);
const FIP = '10.77.1.50';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const median = (a: number[]) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const host = new HostPlatform({ powerRecord: '' });

/** Probe from the client namespace: connect to FIP:8080 every 5 ms until `want` answers;
 * prints the wall time of that answer. */
const probeScript = (want: string, limitMs: number) => `
const net = require('net'); const end = Date.now() + ${limitMs};
(function go() {
  if (Date.now() > end) { console.log('TIMEOUT'); process.exit(1); }
  let got = '';
  const c = net.connect({ host: '${FIP}', port: 8080, timeout: 40 });
  const next = () => { c.destroy(); setTimeout(go, 5); };
  c.on('data', (d) => { got += d; });
  c.on('end', () => { if (got.trim() === '${want}') { console.log(Date.now()); process.exit(0); } next(); });
  c.on('timeout', next); c.on('error', next);
})();`;

async function probe(want: string, limitMs = 30000): Promise<{ started: Promise<void>; at: Promise<number> }> {
  const at = host.run('ip', ['netns', 'exec', clientNs(), process.execPath, '-e', probeScript(want, limitMs)], { timeoutMs: limitMs + 5000 })
    .then((r) => { const n = Number(r.stdout.trim()); if (!n) throw new Error(`probe for ${want}: ${r.stdout}${r.stderr}`); return n; });
  return { started: sleep(300), at };
}

/** Failover time: power cut of server1 at t0, until server2 answers on the floating IP. */
async function powerCut(keep: string[]): Promise<number> {
  const p = await probe('server2');
  await p.started;
  const t0 = Date.now();
  await reset(host, nsOf('server1'), keep, '/dev/null', 'benchmark power cut');
  return (await p.at) - t0;
}

async function pairha(lab: Lab, keep: string[]): Promise<{ failover: number[]; move: number[] }> {
  const s = lab.load();
  const env = lab.env(s, 'server1');
  const failover: number[] = [], move: number[] = [];
  for (let i = 0; i < TRIALS; i++) {
    await (await probe('server1')).at; // the group is on server1
    await sleep(500);
    failover.push(await powerCut(keep));
    await lab.start(s, 'server1');
    await lab.waitOnline(s, 20000);
    await sleep(500);
    const p = await probe('server1');
    await p.started;
    const t0 = Date.now();
    const code = await cli(['clpgrp', '-m', 'failover1', '-h', 'server1'], { ...defaultContext(env), out: () => {}, err: (m) => process.stderr.write(m) });
    if (code) throw new Error(`clpgrp -m failed (${code})`);
    move.push((await p.at) - t0);
  }
  return { failover, move };
}

const keepalivedConf = (server: string, prio: number) => `
global_defs { router_id ${server}; vrrp_version 3; script_user root; enable_script_security }
vrrp_instance VI_1 {
  state BACKUP
  interface lanhb1
  virtual_router_id 51
  priority ${prio}
  advert_int 0.1
  virtual_ipaddress { ${FIP}/24 dev lanhb1 }
}`;

async function keepalived(lab: Lab, keep: string[]): Promise<number[]> {
  const s = lab.load();
  const dir = path.join(s.dir, 'keepalived');
  fs.mkdirSync(dir, { recursive: true });
  const startBox = (server: string) => {
    const conf = path.join(dir, `${server}.conf`);
    fs.writeFileSync(conf, keepalivedConf(server, server === 'server1' ? 150 : 100));
    for (const f of ['pid', 'vrrp.pid', 'chk.pid']) fs.rmSync(path.join(dir, `${server}.${f}`), { force: true });
    host.daemon('ip', ['netns', 'exec', nsOf(server), 'keepalived', '-n', '-l', '-P', '-f', conf, '-p', path.join(dir, `${server}.pid`), '-r', path.join(dir, `${server}.vrrp.pid`), '-c', path.join(dir, `${server}.chk.pid`)], { logFile: path.join(dir, `${server}.log`) });
    host.daemon('ip', ['netns', 'exec', nsOf(server), 'socat', `TCP-LISTEN:8080,reuseaddr,fork`, `SYSTEM:echo ${server}`], { logFile: path.join(dir, `${server}.socat.log`) });
  };
  startBox('server1'); startBox('server2');
  const out: number[] = [];
  try {
    for (let i = 0; i < TRIALS; i++) {
      await (await probe('server1')).at; // server1 (higher priority) holds the address
      await sleep(500);
      out.push(await powerCut(keep));
      startBox('server1');
    }
  } finally {
    for (const server of ['server1', 'server2']) await reset(host, nsOf(server), [...keep, ...lanAddrs(lab, server)], '/dev/null', 'end of benchmark');
  }
  return out;
}

function lanAddrs(lab: Lab, server: string): string[] {
  return lab.config(lab.load()).heartbeats.flatMap((h) => (h.type === 'lanhb' ? [h.addresses[server]] : []));
}

async function main() {
  const lab = new Lab(fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-bench-')), host);
  const s = await lab.up(path.resolve(__dirname, 'failover.conf'));
  const out: string[] = [];
  try {
    await lab.waitOnline(s, 30000);
    const keep = lanAddrs(lab, 'server1');
    const p = await pairha(lab, keep);
    for (const srv of ['server1', 'server2']) await lab.signal(lab.load(), srv, 'SIGTERM').catch(() => undefined);
    await sleep(1000);
    const k = await keepalived(lab, keep);
    const row = (name: string, a: number[]) => `| ${name} | ${median(a)} ms | ${Math.min(...a)} ms | ${Math.max(...a)} ms |`;
    out.push(`### Failover after a power cut of the active box (${TRIALS} trials each, same namespaces, heartbeat 100/300 ms, VRRP advert 0.1 s)`, '',
      '| system | median | min | max |', '| --- | --- | --- | --- |', row('pairha (fip + exec group)', p.failover), row('keepalived 2.2.7 (VRRPv3, VIP)', k), '',
      `Ratio of medians pairha / keepalived: ${(median(p.failover) / median(k)).toFixed(2)} (goal ≤ 1.0).`, '',
      `### Group move (clpgrp -m until the service answers from the target, ${TRIALS} trials)`, '', '| median | min | max |', '| --- | --- | --- |',
      `| ${median(p.move)} ms | ${Math.min(...p.move)} ms | ${Math.max(...p.move)} ms |`, '');
  } finally {
    await lab.down();
  }
  process.stdout.write(out.join('\n'));
}

main().catch((e) => { console.error(e); process.exit(1); });
