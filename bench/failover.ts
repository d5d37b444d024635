// Failover benchmark (issues 3 and 16): pairha and keepalived side by side in the same lab
// namespaces, both at their best for fast failover, both failed over by the same power cut.
// pairha holds 10.77.1.50 (fip1 + exec1 of bench/failover.conf, heartbeat 100/300 ms; with
// failover-lan-ip.conf fip1 alone, the service running on both boxes as keepalived's does);
// keepalived holds 10.77.1.60 (VRRPv3, advert_int 0.1, both BACKUP, nopreempt). A "power
// cut": every process of the holder's namespace SIGKILLed and both floating addresses deleted
// within a millisecond (see cut()), then src/host/lab/softdog.ts reset() for anything left
// (the interconnect's addresses stay). Each trial cuts the box holding both
// addresses, so both systems fail over at the same moment under the same load; the next
// trial cuts the other box (nopreempt: nobody fails back).
// Probes, from the client namespace, the same for both: ICMP every 20 ms, and a TCP connect
// every 5 ms that the service answers with its server's name. The client's neighbour cache
// is flushed once the cut box is gone, so the client must learn the new holder's MAC (its
// gratuitous ARP) rather than reach it through a cached entry.
// Then group moves (clpgrp -m). Prints the Markdown section of docs/performance.md.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli } from '../src/cli/pairha';
import { defaultContext } from '../src/cli/context';
import { clientNs, Lab, nsOf, type LabState } from '../src/host/lab/lab';
import { reset } from '../src/host/lab/softdog';
import { HostPlatform } from '../src/platform/host';
import { loadNetIf } from '../src/platform/netif';

const TRIALS = Number(process.env.TRIALS || 20);
/** The pair's configuration: failover.conf (every kind of heartbeat) or failover-lan.conf. */
const CONF = path.resolve(__dirname, process.env.CONF || 'failover.conf');
const MOVES = Number(process.env.MOVES || 10);
/** How the configurations of bench/ differ, for the document. */
const CONF_NOTES: Record<string, string> = {
  'failover.conf': 'bench/failover-lan.conf is the same without diskhb1 and comhb1',
  'failover-lan.conf': 'bench/failover.conf adds the disk and COM heartbeats diskhb1 and comhb1',
  'failover-lan-ip.conf': 'bench/failover-lan.conf without exec1: the group holds the floating IP alone and the service runs on both boxes, as keepalived\'s does',
};
/** No exec resource in the group: pairha's service runs on both boxes all along, as
 * keepalived's does, and only the floating IP moves. */
const SERVICE_ON_BOTH = !/^\s*type\s*=\s*exec\s*$/m.test(fs.readFileSync(CONF, 'utf8'));
const SERVERS = ['server1', 'server2'];
const other = (s: string) => (s === 'server1' ? 'server2' : 'server1');
/** The two systems' addresses and service ports. */
const systems = [
  { name: 'pairha', fip: '10.77.1.50', port: 8080 },
  { name: 'keepalived', fip: '10.77.1.60', port: 8081 },
] as const;
type System = (typeof systems)[number]['name'];

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const median = (a: number[]) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const host = new HostPlatform({ powerRecord: '' });

async function until<T>(what: string, ms: number, f: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) { const v = await f(); if (v !== undefined) return v; }
  throw new Error(`bench: ${what} not within ${ms} ms`);
}

/** TCP probe: a new connection to each target every 5 ms, each given 40 ms to connect and
 * 1 s to answer (a connection to the box that was cut hangs: it must not hold the next one
 * back); prints {fip: epoch ms} once each has answered `want`, else what each answered last.
 * Writes `ready` once running. */
const tcpProbe = (targets: Array<{ fip: string; port: number; want: string }>, ready: string, limitMs: number) => `
const net = require('net'); const fs = require('fs');
const targets = ${JSON.stringify(targets)}; const at = {}, last = {};
fs.writeFileSync(${JSON.stringify(ready)}, '');
const done = () => { console.log(JSON.stringify(Object.keys(at).length === targets.length ? at : { at, last })); process.exit(Object.keys(at).length === targets.length ? 0 : 1); };
setTimeout(done, ${limitMs});
for (const t of targets) (function go() {
  if (at[t.fip]) return;
  setTimeout(go, 5);
  let got = '';
  const c = net.connect({ host: t.fip, port: t.port, timeout: 40 });
  c.on('connect', () => c.setTimeout(1000));
  c.on('data', (d) => { got += d; });
  c.on('end', () => {
    c.destroy();
    if (got.trim() !== t.want) { last[t.fip] = got.trim(); return; }
    if (!at[t.fip]) at[t.fip] = Date.now();
    if (Object.keys(at).length === targets.length) done();
  });
  c.on('timeout', () => { last[t.fip] = 'timeout'; c.destroy(); }); c.on('error', (e) => { last[t.fip] = e.code; });
})();`;

/** ICMP probe: ping every 20 ms with receive timestamps (-D) into a file. */
function startPing(fip: string, log: string): number {
  fs.writeFileSync(log, '');
  return host.daemon('ip', ['netns', 'exec', clientNs(), 'ping', '-n', '-D', '-i', '0.02', fip], { logFile: log });
}
/** Receive times (epoch ms) of the echo replies in a ping log. */
const replies = (log: string) => [...fs.readFileSync(log, 'utf8').matchAll(/^\[(\d+\.\d+)\] \d+ bytes from/gm)].map((m) => Number(m[1]) * 1000);

function lanAddrs(lab: Lab, server: string): string[] {
  return lab.config(lab.load()).heartbeats.flatMap((h) => (h.type === 'lanhb' ? [h.addresses[server]] : []));
}

/** keepalived as its users configure it for fast failover; the runtime's SCHED_RR priority
 * (rt_priority, default 10) is given to its VRRP process too, so the load starves neither. */
const keepalivedConf = (server: string) => `global_defs {
  router_id ${server}
  vrrp_version 3
  vrrp_garp_master_delay 0
  vrrp_garp_master_repeat 1
  vrrp_rt_priority 10
  script_user root
  enable_script_security
}
vrrp_instance VI_1 {
  state BACKUP
  nopreempt
  interface lanhb1
  virtual_router_id 51
  priority 100
  advert_int 0.1
  virtual_ipaddress {
    ${systems[1].fip}/24 dev lanhb1
  }
}
`;

/** A service answering on `port` with the box's name. */
const startService = (dir: string, server: string, port: number) =>
  host.daemon('ip', ['netns', 'exec', nsOf(server), 'socat', `TCP-LISTEN:${port},reuseaddr,fork`, `SYSTEM:echo ${server}`], { logFile: path.join(dir, `${server}.socat-${port}.log`) });

/** Start a box's keepalived and its service (port 8081), and pairha's service (8080) when
 * it runs on both boxes. */
function startKeepalived(dir: string, server: string): void {
  const conf = path.join(dir, `${server}.conf`);
  fs.writeFileSync(conf, keepalivedConf(server));
  for (const f of ['pid', 'vrrp.pid']) fs.rmSync(path.join(dir, `${server}.${f}`), { force: true });
  host.daemon('ip', ['netns', 'exec', nsOf(server), 'keepalived', '-n', '-l', '-P', '-f', conf, '-p', path.join(dir, `${server}.pid`), '-r', path.join(dir, `${server}.vrrp.pid`)], { logFile: path.join(dir, `${server}.log`) });
  startService(dir, server, systems[1].port);
  if (SERVICE_ON_BOTH) startService(dir, server, systems[0].port);
}

/** Wait until `holder` answers on both addresses (TCP, its own name). */
async function held(s: LabState, holder: string): Promise<void> {
  const ready = path.join(s.dir, 'probe.ready');
  const r = await host.run('ip', ['netns', 'exec', clientNs(), process.execPath, '-e', tcpProbe(systems.map((x) => ({ fip: x.fip, port: x.port, want: holder })), ready, 30000)], { timeoutMs: 35000 });
  if (r.code) throw new Error(`bench: ${holder} does not hold both addresses (${r.stdout.trim()}${r.stderr.trim()})`);
}

/** The power cut; its time (epoch ms). The pids are listed beforehand and the addresses go
 * over netlink: reset() alone spawns `ip` three times between the kills and the deletion, and
 * at load 20 the dead box went on answering for its address 300 ms after its processes died. */
async function cut(holder: string): Promise<number> {
  const pids = (await host.run('ip', ['netns', 'pids', nsOf(holder)])).stdout.split('\n').filter(Boolean).map(Number);
  const net = loadNetIf(nsOf(holder));
  const t0 = Date.now();
  for (const p of pids) host.signal(p, 'SIGKILL');
  await Promise.all(systems.map((x) => net.remove('lanhb1', x.fip, 24).catch(() => undefined)));
  return t0;
}

type Trial = Record<System, { icmp: number; tcp: number; split: boolean }> & { load: number; from: string; down: number; fip: number };

/** When the survivor's runtime logged `text` after t0 (ms after t0), from its runtime.log. */
function logged(s: LabState, server: string, t0: number, text: string): number {
  const lines = fs.readFileSync(path.join(s.dir, server, 'runtime.log'), 'utf8').split('\n');
  const hit = lines.map((l) => ({ at: Date.parse(l.slice(0, 24)), l })).find((x) => x.at >= t0 && x.l.includes(text));
  return hit ? hit.at - t0 : NaN;
}

/** One power cut of `holder`; each system's failover time by each probe (ms after the cut). */
async function powerCut(lab: Lab, s: LabState, holder: string): Promise<Trial> {
  const to = other(holder);
  const ready = path.join(s.dir, 'probe.ready');
  fs.rmSync(ready, { force: true });
  const tcp = host.run('ip', ['netns', 'exec', clientNs(), process.execPath, '-e', tcpProbe(systems.map((x) => ({ fip: x.fip, port: x.port, want: to })), ready, 30000)], { timeoutMs: 35000 });
  const logs = systems.map((x) => path.join(s.dir, `ping-${x.name}.log`));
  const pings = systems.map((x, i) => startPing(x.fip, logs[i]));
  try {
    await until('the probes starting', 20000, () => (fs.existsSync(ready) && logs.every((l) => replies(l).length > 0) ? true : undefined));
    await sleep(200);
    const load = os.loadavg()[0];
    // A survivor that already holds an address took over before the cut (keepalived's backup
    // missing adverts under load): that trial times no failover of that system.
    const before = (await loadNetIf(nsOf(to)).addresses()).map((x) => x.address);
    const t0 = await cut(holder);
    // The cut box answers nothing from here on: any later reply is the new holder's.
    const gone = Date.now();
    await host.run('ip', ['-n', clientNs(), 'neigh', 'flush', 'dev', 'lan0']);
    await reset(host, nsOf(holder), lanAddrs(lab, holder), '/dev/null', 'benchmark power cut');
    const r = await tcp;
    const at = JSON.parse(r.stdout.trim() || '{}') as Record<string, number>;
    const icmp = await Promise.all(logs.map((l) => until(`ICMP answer after the cut (${l})`, 30000, () => replies(l).find((t) => t >= gone))));
    await sleep(300); // the runtime's log is written
    const out = { load, from: holder, down: logged(s, to, t0, `Server ${holder} down.`), fip: logged(s, to, t0, 'resource fip1 ended.') } as Trial;
    systems.forEach((x, i) => {
      if (!at[x.fip]) throw new Error(`bench: ${x.name} not served from ${to} after the cut: ${r.stdout}${r.stderr}`);
      out[x.name] = { icmp: Math.round(icmp[i] - t0), tcp: at[x.fip] - t0, split: before.includes(x.fip) };
    });
    return out;
  } finally {
    for (const p of pings) host.signal(p, 'SIGKILL', true);
  }
}

/** Bring the cut box back: its runtime (until both are Online) and its keepalived. */
async function restore(lab: Lab, s: LabState, server: string, kdir: string): Promise<void> {
  await lab.start(s, server);
  startKeepalived(kdir, server);
  await lab.waitOnline(s, 60000);
  await sleep(1000); // keepalived's BACKUP has heard the master's adverts
}

async function moves(lab: Lab, s: LabState, holder: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < MOVES; i++) {
    const to = other(holder);
    const ready = path.join(s.dir, 'probe.ready');
    fs.rmSync(ready, { force: true });
    const p = host.run('ip', ['netns', 'exec', clientNs(), process.execPath, '-e', tcpProbe([{ fip: systems[0].fip, port: systems[0].port, want: to }], ready, 30000)], { timeoutMs: 35000 });
    await until('the probe starting', 20000, () => (fs.existsSync(ready) ? true : undefined));
    await sleep(200);
    const t0 = Date.now();
    const code = await cli(['clpgrp', '-m', 'failover1', '-h', to], { ...defaultContext(lab.env(s, holder)), out: () => {}, err: (m) => process.stderr.write(m) });
    if (code) throw new Error(`clpgrp -m failed (${code})`);
    const r = await p;
    const at = (JSON.parse(r.stdout.trim() || '{}') as Record<string, number>)[systems[0].fip];
    out.push(typeof at === 'number' ? at - t0 : NaN);
    holder = to;
    await sleep(500);
  }
  return out;
}

const stats = (a: number[]) => `${median(a)} ms | ${Math.min(...a)} ms | ${Math.max(...a)} ms`;

async function main() {
  const lab = new Lab(fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-bench-')), host);
  const s = await lab.up(CONF);
  const kdir = path.join(s.dir, 'keepalived');
  fs.mkdirSync(kdir, { recursive: true });
  const trials: Trial[] = [];
  let moved: number[] = [];
  try {
    await lab.waitOnline(s, 60000);
    // keepalived: server1 first, so both systems start on server1.
    startKeepalived(kdir, 'server1');
    await sleep(1000);
    startKeepalived(kdir, 'server2');
    await held(s, 'server1');
    let holder = 'server1';
    for (let i = 0; i < TRIALS; i++) {
      trials.push(await powerCut(lab, s, holder));
      process.stderr.write(`trial ${i + 1}: ${JSON.stringify(trials[i])}\n`);
      await restore(lab, s, holder, kdir);
      holder = other(holder);
      await held(s, holder);
    }
    moved = await moves(lab, s, holder);
  } finally {
    if (process.env.KEEP_LAB) process.stderr.write(`lab left up in ${s.dir}\n`);
    else {
      for (const srv of SERVERS) await reset(host, nsOf(srv), lanAddrs(lab, srv), '/dev/null', 'end of benchmark').catch(() => undefined);
      await lab.down();
    }
  }
  const col = (sys: System, probe: 'icmp' | 'tcp') => trials.filter((t) => !t[sys].split).map((t) => t[sys][probe]);
  const splits = (sys: System) => trials.filter((t) => t[sys].split).length;
  const pairhaIcmp = trials.filter((t) => !t.pairha.split).map((t) => t.pairha.icmp);
  const loads = trials.map((t) => t.load);
  const commit = (() => { try { return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: __dirname, encoding: 'utf8' }).trim(); } catch { return '?'; } })();
  const pairhaConf = fs.readFileSync(CONF, 'utf8').split('\n').filter((l) => l && !l.startsWith(';')).join('\n');
  const configs = process.env.SHOW_CONF ? [
    '### The two configurations', '',
    `${(({ stdout, stderr }) => `${stdout}${stderr}`.split('\n')[0])(spawnSync('keepalived', ['--version'], { encoding: 'utf8' }))} (each box; router_id is the box's name):`, '',
    '```', keepalivedConf('server1').trim(), '```', '',
    `pairha (${path.relative(path.resolve(__dirname, '..'), CONF)}; ${CONF_NOTES[path.basename(CONF)] ?? 'a configuration of your own'}):`, '',
    '```ini', pairhaConf, '```', '',
  ] : [];
  const out = [
    ...configs,
    `### Failover after a power cut of the active box: ${path.basename(CONF)} (${TRIALS} cuts, both systems in each)`, '',
    `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, commit ${commit}, ${os.cpus().length} cores, ${os.release()}, node ${process.version}; `
      + `host load average (1 min) at the cuts: median ${median(loads).toFixed(1)}, ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}.`, '',
    '| system | probe | median | min | max |', '| --- | --- | --- | --- | --- |',
    ...systems.flatMap((x) => (['icmp', 'tcp'] as const).map((p) => `| ${x.name} | ${p === 'icmp' ? 'ICMP every 20 ms' : 'TCP connect every 5 ms'} | ${stats(col(x.name, p))} |`)),
    '',
    ...systems.filter((x) => splits(x.name)).map((x) => `${x.name}: ${splits(x.name)} of ${TRIALS} cuts left out: the survivor already held the address when its peer was cut (marked * below).`),
    '',
    `Where pairha's time goes (medians, ms after the cut, from the survivor's runtime log): server down ${median(trials.map((t) => t.down))}, `
      + `fip1 active ${median(trials.map((t) => t.fip))} (fip1 itself ${median(trials.map((t) => t.fip - t.down))}), first ICMP answer ${median(pairhaIcmp)}.`,
    '',
    ...(['icmp', 'tcp'] as const).map((p) => `Ratio of medians pairha / keepalived, ${p === 'icmp' ? 'ICMP' : 'TCP'}: ${(median(col('pairha', p)) / median(col('keepalived', p))).toFixed(2)} (goal ≤ 1.0).`),
    '', 'Each cut (ms after it; ICMP / TCP):', '',
    '| # | cut | load | pairha | pairha: server down, fip1 active | keepalived |', '| --- | --- | --- | --- | --- | --- |',
    ...trials.map((t, i) => `| ${i + 1} | ${t.from} | ${t.load.toFixed(1)} | ${t.pairha.icmp} / ${t.pairha.tcp}${t.pairha.split ? ' *' : ''} | ${t.down}, ${t.fip} | ${t.keepalived.icmp} / ${t.keepalived.tcp}${t.keepalived.split ? ' *' : ''} |`),
    '',
    `### Group move (clpgrp -m until the service answers from the target, ${MOVES} moves)`, '', '| median | min | max |', '| --- | --- | --- |',
    `| ${stats(moved.filter((m) => !Number.isNaN(m)))} |`, '',
    ...(moved.some((m) => Number.isNaN(m)) ? [`${moved.filter((m) => Number.isNaN(m)).length} of ${MOVES} moves not served from the target within 30 s.`, ''] : []),
  ];
  process.stdout.write(out.join('\n'));
}

main().catch((e) => { console.error(e); process.exit(1); });
