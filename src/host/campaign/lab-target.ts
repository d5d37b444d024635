// The campaign's lab target: two runtimes in network namespaces (src/host/lab), the group
// of examples/campaign.conf with its writer, and the faults the lab can stand in for.
// PAIRHA_LAB_NS and PAIRHA_LAB_DIR keep one campaign's lab apart from any other.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli } from '../../cli/pairha';
import { defaultContext } from '../../cli/context';
import { catalogKey, loadCatalog, type Catalog } from '../../events/catalog';
import { rcOps } from '../../group/protocol';
import { nmOps } from '../../nm/protocol';
import { pmOps } from '../../pm/protocol';
import { HostPlatform } from '../../platform/host';
import { labDir } from '../lab';
import { alive, clientNs, examplesDir, Lab, type LabState } from '../lab/lab';
import { pendingPowerOff, processStartMs } from '../lab/power-off';
import { reset } from '../lab/softdog';
import type { CreateTarget, FaultName, Injected, Observation, Rng, ServerView, Target, TargetOptions, WriterReport } from './target';

const FIP = '10.77.1.50';
const WRITER_PORT = 8081;
const LAN_LINKS = ['lanhb1', 'lanhb2'];
const LINKS = [...LAN_LINKS, 'diskhb1', 'comhb1'];
const GROUP = 'failover1';
const dist = path.resolve(__dirname, '..');

// What tc does to a LAN heartbeat veth, one kind per draw. The host kernel has no sch_netem
// (and no tc actions), so loss and queueing come from a token bucket too small for the
// heartbeats; reordering and duplication are left to the pair's guests.
const NETEM: Record<string, string[]> = {
  'loss (tbf 4kbit)': ['tbf', 'rate', '4kbit', 'burst', '1600', 'latency', '400ms'],
  'heavy loss (tbf 1kbit)': ['tbf', 'rate', '1kbit', 'burst', '1600', 'latency', '1s'],
  'slow link (tbf 16kbit)': ['tbf', 'rate', '16kbit', 'burst', '1600', 'latency', '2s'],
};
/** Everything the server sends on the link dropped: a queue of length 0. */
const DROP_OUT = ['pfifo', 'limit', '0'];

// Settle budgets, ms: a reset (watchdog margin) + heartbeat timeout + start sync wait + a
// group start on a loaded two-core host, with room; slow scripts sleep SLOW_S at each end.
const SLOW_S = 12;
const SETTLE = { quick: 20000, restart: 40000, slow: 3 * SLOW_S * 1000 + 20000 };

// Error lines (runtime ERROR, events of level ERR) that a fault of this kind may cause.
const ALLOW: Partial<Record<FaultName, RegExp[]>> = {
  // Seed §10.7 at the heal: rc 92 on both, and a failover still under way on the server that
  // shuts down fails on the keeper's floating IP (rc 32 fip1 15, rc 12, rc 62).
  partition: [/<type: rc><event: 92> group failover1 is started on more than one server\./,
    /<type: rc><event: 32> The start processing of a resource fip1 failed\. \(15 : This ip address was already used\./,
    /<type: rc><event: (12|62)> The (start|failover) processing of a group failover1 failed\./],
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class LabTarget implements Target {
  readonly name = 'lab' as const;
  readonly servers = ['server1', 'server2'];
  readonly groups = [GROUP];
  readonly allow: RegExp[] = [];
  private readonly os = new HostPlatform({ powerRecord: '' });
  private readonly lab: Lab;
  private readonly dir: string;
  private logOffsets: Record<string, number> = {};
  private clientPid?: number;
  private macs: Record<string, string> = {};
  /** The runtime logs every event at INFO; the catalog says which are errors (LVL=ERR). */
  private readonly catalog: Catalog = loadCatalog(path.resolve(__dirname, '..', '..', '..', 'messages'));

  constructor(private readonly o: TargetOptions) {
    this.dir = labDir();
    this.lab = new Lab(this.dir, this.os);
  }

  faults(): FaultName[] {
    return ['power-cut-active', 'power-cut-standby', 'kill-runtime', 'stall-runtime', 'stop-start-server', 'cluster-restart',
      'link-cut', 'link-cut-one-way', 'partition', 'netem', 'group-move', 'start-during-failover', 'cold-start-peer-off',
      'simultaneous-start', 'slow-script', 'flood', 'clock-step'];
  }

  private get s(): LabState { return this.lab.load(); }
  private get acksFile() { return path.join(this.dir, 'acks'); }
  private get pauseFile() { return path.join(this.dir, 'writer-paused'); }
  private get recordsFile() { return path.join(this.dir, 'data', 'records'); }

  async up(): Promise<void> {
    await this.lab.down();
    const s = await this.lab.up(path.join(examplesDir, 'campaign.conf'));
    await this.lab.waitOnline(s, 30000);
    for (const x of this.servers) this.macs[(await this.nsRun(x, 'cat', [`/sys/class/net/lanhb1/address`])).trim()] = x;
    this.clientPid = this.os.daemon('ip', ['netns', 'exec', clientNs(), process.execPath, path.join(dist, 'lab', 'examples', 'writer-client.js'), FIP, String(WRITER_PORT), this.acksFile, this.pauseFile],
      { logFile: path.join(this.dir, 'writer-client.log') });
    this.o.log(`lab up in ${this.dir}`);
  }

  async down(): Promise<void> {
    if (this.clientPid && alive(this.clientPid)) process.kill(this.clientPid, 'SIGKILL');
    await this.lab.down();
  }

  private async sh(file: string, args: string[], timeoutMs = 30000): Promise<string> {
    const r = await this.os.run(file, args, { timeoutMs });
    if (r.code !== 0) throw new Error(`${file} ${args.join(' ')}: ${r.stderr.trim() || `exit ${r.code}`}`);
    return r.stdout;
  }
  private nsRun(server: string, file: string, args: string[]) { return this.sh('ip', ['netns', 'exec', this.lab.server(this.s, server).ns, file, ...args]); }

  /** A clp* command on a server, as an operator would type it there. */
  private async clp(server: string, ...argv: string[]): Promise<{ code: number; out: string }> {
    // A server just started may be Online (heartbeats) a moment before its peer channel
    // listens: a refused connection sent nothing, and is tried again.
    for (let attempt = 1; ; attempt++) {
      let out = '';
      const ctx = { ...defaultContext(this.lab.env(this.s, server)), out: (x: string) => { out += x; }, err: (x: string) => { out += x; } };
      const code = await cli(argv, ctx);
      if (!code || !/ECONNREFUSED/.test(out) || attempt >= 10) return { code, out };
      await sleep(500);
    }
  }

  private running(server: string): boolean {
    const pid = this.lab.server(this.s, server).pid;
    return pid !== undefined && alive(pid);
  }

  private async holder(): Promise<string | undefined> {
    for (const x of this.servers) {
      if (!this.running(x)) continue;
      const r = await this.lab.call(this.s, x, rcOps.cluster).catch(() => undefined);
      const g = r?.data?.groups.find((y) => y.name === GROUP);
      if (g?.current.length) return g.current[0];
    }
    return undefined;
  }
  private other(x: string) { return this.servers.find((y) => y !== x)!; }

  /** Power cut: what the softdog does at a reset (every process of the namespace killed,
   * the service addresses dropped), without the record of an orderly shutdown. */
  private async powerCut(server: string, why: string): Promise<void> {
    const srv = this.lab.server(this.s, server);
    if (srv.softdog && alive(srv.softdog)) process.kill(srv.softdog, 'SIGKILL');
    await reset(this.os, srv.ns, this.lanAddresses(server), path.join(srv.root, 'power.log'), why);
  }
  private lanAddresses(server: string): string[] {
    return this.lab.config(this.s).heartbeats.flatMap((h) => (h.type === 'lanhb' ? [h.addresses[server]] : []));
  }

  /** Wait until the lab softdog reset the server (its runtime was killed or stopped). */
  private async waitReset(server: string, from: number): Promise<void> {
    const record = path.join(this.lab.server(this.s, server).root, 'power.log');
    const end = Date.now() + 10000;
    while (Date.now() < end) {
      let text = '';
      try { text = fs.readFileSync(record).subarray(from).toString(); } catch { /* none yet */ }
      if (/ reset /.test(text)) return;
      await sleep(100);
    }
    throw new Error(`${server}: the lab softdog did not reset it within 10 s`);
  }
  private recordSize(server: string): number {
    try { return fs.statSync(path.join(this.lab.server(this.s, server).root, 'power.log')).size; } catch { return 0; }
  }

  /** A server whose runtime recorded an orderly power action after it started is going off:
   * 10 s for its runtime to end, then ended as the OS's halt would (finding 16). */
  private async finishPowerOff(x: string): Promise<void> {
    const srv = this.lab.server(this.s, x);
    const pid = srv.pid;
    if (pid === undefined || !alive(pid)) return;
    let record = '';
    try { record = fs.readFileSync(path.join(srv.root, 'power.log'), 'utf8'); } catch { return; }
    const action = pendingPowerOff(record, processStartMs(pid));
    if (!action) return;
    for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
    if (!alive(pid)) return;
    this.o.log(`restore: ${x} recorded "${action}" and its runtime still runs 10 s later: ended as the OS's halt would`);
    await this.powerCut(x, 'campaign: the runtime outlived its halt');
  }

  /** Before each fault: every server running and Online, the writer asking again. */
  private async restore(): Promise<void> {
    fs.rmSync(this.pauseFile, { force: true });
    for (const x of this.servers) {
      await this.finishPowerOff(x);
      if (this.running(x)) continue;
      // Down though no heal left it so: a §10 shutdown, or a reset by its softdog.
      const record = (() => { try { return fs.readFileSync(path.join(this.lab.server(this.s, x).root, 'power.log'), 'utf8').trim().split('\n').at(-1); } catch { return undefined; } })();
      this.o.log(`restore: ${x} is not running (last power record: ${record ?? 'none'}): start`);
      await this.lab.start(this.s, x);
    }
    // A cluster daemon a failed step left stopped (clpcl -t that reached one server only).
    // Asked only when the servers do not come Online: a runtime still starting says 'stopped'.
    try {
      await this.lab.waitOnline(this.s, 20000);
      return;
    } catch { /* look at the daemons */ }
    for (const x of this.servers) {
      const st = (await this.lab.call(this.s, x, pmOps.status).catch(() => undefined))?.data;
      if (st?.daemon === 'stopped') {
        this.o.log(`restore: ${x}'s cluster daemon is stopped: clpcl -s`);
        const r = await this.clp(x, 'clpcl', '-s');
        if (r.code) throw new Error(`restore: clpcl -s on ${x}: ${r.out.trim()}`);
      }
    }
    await this.lab.waitOnline(this.s, 30000);
  }

  async inject(fault: FaultName, rng: Rng): Promise<Injected> {
    await this.restore();
    const base = { fault, downed: [] as string[], allow: ALLOW[fault] ?? [] };
    const h = (await this.holder()) ?? 'server1';
    const any = rng.pick(this.servers);
    switch (fault) {
      case 'power-cut-active': case 'power-cut-standby': {
        const x = fault === 'power-cut-active' ? h : this.other(h);
        await this.powerCut(x, 'campaign: power cut');
        return { ...base, detail: `power cut of ${x}`, downed: [x], heal: () => this.lab.start(this.s, x), settleMs: SETTLE.restart };
      }
      case 'kill-runtime': case 'stall-runtime': {
        const from = this.recordSize(any);
        await this.lab.signal(this.s, any, fault === 'kill-runtime' ? 'SIGKILL' : 'SIGSTOP');
        return { ...base, detail: `${fault === 'kill-runtime' ? 'SIGKILL' : 'SIGSTOP'} of ${any}'s runtime${any === h ? ' (the holder)' : ''}`, downed: [any],
          heal: async () => { await this.waitReset(any, from); await this.lab.start(this.s, any); }, settleMs: SETTLE.restart };
      }
      case 'stop-start-server': {
        await this.lab.signal(this.s, any, 'SIGTERM');
        // An orderly stop hands no group over (docs/groups.md, as clpcl -t): once the server is
        // back, the operator starts a group the stop left active nowhere.
        return { ...base, detail: `orderly stop of ${any}${any === h ? ' (the holder; the group restarted by clpgrp -s after)' : ''}`, downed: [any], settleMs: SETTLE.restart,
          heal: async () => {
            await this.lab.start(this.s, any);
            if (any !== h) return;
            await this.lab.waitOnline(this.s, 30000);
            if (!(await this.holder())) {
              const r = await this.clp(any, 'clpgrp', '-s', GROUP);
              if (r.code) throw new Error(`clpgrp -s ${GROUP} on ${any}: ${r.out.trim()}`);
            }
          } };
      }
      case 'cluster-restart': {
        const r = await this.clp(any, 'clpcl', '-t', '-a');
        if (r.code) throw new Error(`clpcl -t -a on ${any}: ${r.out.trim()}`);
        return { ...base, detail: `clpcl -t -a on ${any}, then clpcl -s -a`, downed: [...this.servers], settleMs: SETTLE.restart,
          heal: async () => { const s = await this.clp(any, 'clpcl', '-s', '-a'); if (s.code) throw new Error(`clpcl -s -a on ${any}: ${s.out.trim()}`); } };
      }
      case 'link-cut': {
        const link = rng.pick(LINKS);
        await this.lab.link(this.s, link, false);
        return { ...base, detail: `cut ${link}`, heal: () => this.lab.link(this.s, link, true), settleMs: SETTLE.quick };
      }
      case 'link-cut-one-way': {
        const link = rng.pick(LAN_LINKS);
        await this.tc(any, link, DROP_OUT);
        return { ...base, detail: `${link}: everything ${any} sends dropped (one way)`, heal: () => this.tcOff(any, link), settleMs: SETTLE.quick };
      }
      case 'partition': {
        fs.writeFileSync(this.pauseFile, '');
        await this.lab.link(this.s, 'all', false);
        return { ...base, detail: 'every link cut (partition), writer paused', splitBrain: true, clusterMayBeDown: true,
          heal: () => this.lab.link(this.s, 'all', true), settleMs: SETTLE.restart };
      }
      case 'netem': {
        const link = rng.pick(LAN_LINKS), kind = rng.pick(Object.keys(NETEM));
        await this.tc(any, link, NETEM[kind]);
        return { ...base, detail: `${kind} on what ${any} sends on ${link}`, heal: () => this.tcOff(any, link), settleMs: SETTLE.quick };
      }
      case 'group-move': {
        const r = await this.clp(any, 'clpgrp', '-m', GROUP, '-h', this.other(h));
        if (r.code) throw new Error(`clpgrp -m ${GROUP} -h ${this.other(h)} on ${any}: ${r.out.trim()}`);
        return { ...base, detail: `clpgrp -m ${GROUP} -h ${this.other(h)} on ${any}`, settleMs: SETTLE.quick };
      }
      case 'start-during-failover': {
        const from = this.recordSize(h), wait = rng.int(1500);
        await this.lab.signal(this.s, h, 'SIGKILL');
        await sleep(wait);
        const r = await this.clp(this.other(h), 'clpgrp', '-s', GROUP);
        return { ...base, detail: `SIGKILL of the holder ${h}, clpgrp -s on ${this.other(h)} ${wait} ms later (exit ${r.code})`, downed: [h],
          heal: async () => { await this.waitReset(h, from); await this.lab.start(this.s, h); }, settleMs: SETTLE.restart };
      }
      case 'cold-start-peer-off': {
        for (const x of this.servers) await this.powerCut(x, 'campaign: both off');
        await this.lab.start(this.s, any);
        return { ...base, detail: `both off, ${any} cold-started alone (the peer's disk heartbeat slot stale)`, downed: [this.other(any)],
          heal: () => this.lab.start(this.s, this.other(any)), settleMs: SETTLE.restart };
      }
      case 'simultaneous-start': {
        for (const x of this.servers) await this.powerCut(x, 'campaign: both off');
        await Promise.all(this.servers.map((x) => this.lab.start(this.s, x)));
        return { ...base, detail: 'both off, both started at once', settleMs: SETTLE.restart };
      }
      case 'slow-script': {
        fs.writeFileSync(path.join(this.dir, 'slow'), String(SLOW_S));
        const r = await this.clp(any, 'clpgrp', '-m', GROUP, '-h', this.other(h));
        return { ...base, detail: `slow1's scripts sleep ${SLOW_S} s; clpgrp -m ${GROUP} -h ${this.other(h)} on ${any} (exit ${r.code})`, settleMs: SETTLE.slow,
          heal: async () => fs.rmSync(path.join(this.dir, 'slow'), { force: true }) };
      }
      case 'flood': {
        const targets = this.servers.flatMap((x) => this.lanAddresses(x).slice(0, 1).flatMap((a) => [`${a}:29001`, `${a}:29004`]));
        const pid = this.os.daemon('ip', ['netns', 'exec', clientNs(), process.execPath, path.join(dist, 'lab', 'examples', 'flood.js'), '200', ...targets],
          { logFile: path.join(this.dir, 'flood.log') });
        return { ...base, detail: `200 idle connections to each of ${targets.join(', ')}`, settleMs: SETTLE.quick,
          heal: async () => { if (alive(pid)) process.kill(pid, 'SIGKILL'); } };
      }
      case 'clock-step': {
        const ms = rng.pick([-3600000, 3600000]), step = `${ms > 0 ? '+' : '-'}1 h`;
        if (rng.int(2)) {
          // The runtime's own wall clock (pm/faults.ts), stepped back by the heal as NTP would.
          await this.stepClock(any, ms);
          return { ...base, detail: `${any}'s clock stepped ${step}`, settleMs: SETTLE.quick, heal: () => this.stepClock(any, -ms) };
        }
        // A step while a server waits for its peer at a cold start (start_sync_wait): the
        // wait must end on time all the same. The clock stays stepped until its next start.
        for (const x of this.servers) await this.powerCut(x, 'campaign: both off');
        await this.lab.start(this.s, any);
        await this.waitSocket(any);
        await sleep(1000);
        await this.stepClock(any, ms);
        return { ...base, detail: `both off, ${any} cold-started alone, its clock stepped ${step} 1 s after its control socket answered`, downed: [this.other(any)], settleMs: SETTLE.restart };
      }
      default:
        throw new Error(`the lab cannot inject ${fault}`);
    }
  }

  private async waitSocket(server: string): Promise<void> {
    const end = Date.now() + 20000;
    while (Date.now() < end) {
      if ((await this.lab.call(this.s, server, nmOps.view).catch(() => undefined))?.code === 0) return;
      await sleep(100);
    }
    throw new Error(`${server}: its control socket did not answer within 20 s of its start`);
  }

  private async stepClock(server: string, ms: number): Promise<void> {
    const r = await this.lab.call(this.s, server, pmOps.fault, { kind: 'clock-step', ms });
    if (r.code) throw new Error(`clock step on ${server}: ${r.message}`);
  }

  private async tc(server: string, link: string, spec: string[]): Promise<void> {
    await this.sh('tc', ['-n', this.lab.server(this.s, server).ns, 'qdisc', 'replace', 'dev', link, 'root', ...spec]);
  }
  private async tcOff(server: string, link: string): Promise<void> {
    await this.sh('tc', ['-n', this.lab.server(this.s, server).ns, 'qdisc', 'del', 'dev', link, 'root']);
  }

  async observe(): Promise<Observation> {
    const s = this.s;
    const conf = fs.readFileSync(s.configFile);
    const servers = await Promise.all(this.servers.map(async (name): Promise<ServerView> => {
      const srv = this.lab.server(s, name);
      const v: ServerView = { name, up: false, activeGroups: [], mounted: [], newLogLines: this.newLines(srv.root, name), coreFiles: this.cores(srv.root) };
      if (!srv.pid || !alive(srv.pid)) return v;
      Object.assign(v, procStats(srv.pid));
      const [view, status, cluster] = await Promise.all([nmOps.view, rcOps.status, rcOps.cluster].map((op) => this.lab.call(s, name, op as typeof nmOps.view).catch(() => undefined)));
      if (view?.code !== 0 || !view.data) return v;
      v.up = true;
      v.configHash = createHash('sha256').update(conf).digest('hex');
      const st = status?.data as unknown as Array<{ name: string; state: string }> | undefined;
      v.activeGroups = (st ?? []).filter((g) => g.state !== 'Offline').map((g) => g.name);
      const cl = cluster?.data as unknown as { groups: Array<{ name: string; current: string[] }> } | undefined;
      v.clpstat = {
        servers: Object.fromEntries(view.data.servers.map((x) => [x.name, x.status])),
        groups: Object.fromEntries((cl?.groups ?? []).map((g) => [g.name, g.current.join(',')])),
      };
      return v;
    }));
    return { at: Date.now(), servers, fipAnswers: { [FIP]: await this.arp() } };
  }

  /** The MACs that answer ARP for the floating address on the client's LAN, named by server. */
  private async arp(): Promise<string[]> {
    const r = await this.os.run('ip', ['netns', 'exec', clientNs(), 'arping', '-c', '2', '-W', '0.2', '-w', '1', '-i', 'lan0', FIP], { timeoutMs: 5000 });
    const macs = [...r.stdout.matchAll(/bytes from ([0-9a-f:]{17})/gi)].map((m) => m[1].toLowerCase());
    return [...new Set(macs)].map((m) => `${m} (${this.macs[m] ?? 'unknown'})`);
  }

  private newLines(root: string, name: string): string[] {
    const file = path.join(root, 'runtime.log');
    let buf: Buffer;
    try { buf = fs.readFileSync(file); } catch { return []; }
    const from = Math.min(this.logOffsets[name] ?? 0, buf.length);
    const end = buf.lastIndexOf(0x0a) + 1;
    if (end <= from) return [];
    this.logOffsets[name] = end;
    return buf.subarray(from, end).toString().split('\n').filter(Boolean).map((l) => {
      const m = /<type: (\w+)><event: (\d+)>/.exec(l);
      return m && this.catalog.get(catalogKey(m[1], Number(m[2])))?.lvl === 'ERR' ? `${l} [LVL=ERR]` : l;
    });
  }

  private cores(root: string): string[] {
    return [root, this.dir].flatMap((d) => { try { return fs.readdirSync(d).filter((f) => /^core(\.\d+)?$/.test(f)).map((f) => path.join(d, f)); } catch { return []; } });
  }

  async writer(): Promise<WriterReport> {
    const nums = (file: string) => { try { return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => Number(l.split(' ')[0])); } catch { return []; } };
    // The service must take writes again once settled, or the next step would audit nothing
    // new (back-to-back resets outrun the client's reconnection).
    const before = nums(this.acksFile).length;
    const end = Date.now() + 10000;
    while (!fs.existsSync(this.pauseFile) && nums(this.acksFile).length <= before && Date.now() < end) await sleep(200);
    if (!fs.existsSync(this.pauseFile) && nums(this.acksFile).length <= before) this.o.log('writer: no new acknowledgement within 10 s of the settle');
    return { acked: nums(this.acksFile), present: nums(this.recordsFile) };
  }

  async recentLogs(lines: number): Promise<string> {
    return this.servers.map((x) => {
      let text = '';
      try { text = fs.readFileSync(path.join(this.lab.server(this.s, x).root, 'runtime.log'), 'utf8'); } catch { /* none */ }
      return `== ${x} runtime.log (last ${lines} lines)\n${text.split('\n').filter(Boolean).slice(-lines).join('\n')}`;
    }).join('\n');
  }

  async keepLogs(dir: string): Promise<string[]> {
    return this.servers.flatMap((x) => {
      const to = path.join(dir, `${x}-runtime.log`);
      try { fs.copyFileSync(path.join(this.lab.server(this.s, x).root, 'runtime.log'), to); return [to]; } catch { return []; }
    });
  }
}

/** RSS and open descriptors of a process, from /proc. */
function procStats(pid: number): { rssKb?: number; openFds?: number } {
  try {
    const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { rssKb: rss ? Number(rss[1]) : undefined, openFds: fs.readdirSync(`/proc/${pid}/fd`).length };
  } catch { return {}; }
}

export const createTarget: CreateTarget = (o) => new LabTarget(o);
