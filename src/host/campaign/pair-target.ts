// The campaign's virtual pair: two qemu boxes of the image with md1 in failover1 and the
// campaign's writer (exec2) beside exec1. Faults are power (QMP), the guest agent (signals,
// clpcl, clpgrp, date), and the hub namespace's taps (link down, tc netem); observations are
// one agent script per box plus arping from the client namespace.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { HostPlatform } from '../../platform/host';
import { md1OnDm, mirrorPair, normal, swapMd1Table, waitFor, type MirrorPair } from '../pair/mirror-fixture';
import { HB_TIMEOUT } from '../pair/fixture';
import { tapName } from '../pair/qemu';
import type { PairState } from '../pair/pair';
import type { FaultName, Injected, TargetOptions, Observation, Rng, ServerView, Target, WriterReport } from './target';

export interface PairTargetOptions extends TargetOptions {
  /** The pair's hb_timeout, ms (default: the VM tests' HB_TIMEOUT, or PAIRHA_CAMPAIGN_HB_TIMEOUT). */
  hbTimeoutMs?: number;
}

const SERVERS = ['server1', 'server2'];
const GROUP = 'failover1';
const FIP = '10.0.0.100';
const WRITER_PORT = 7070;
const RECORDS = '/mnt/md1/campaign/records';
const LOG = '/opt/pairha/log/pairha.log';
/** liscal writes the lower device by bios, which leave the block device's page cache as it was:
 * a buffered read of /dev/vda4 would give what an earlier read cached (seen as a mirror that
 * "differs" with the same two sums step after step). Dropped before every read. */
const DROP_CACHES = 'sync; echo 3 > /proc/sys/vm/drop_caches';

/** The writer: an exec resource after exec1, so md1 is mounted before it starts. */
const WRITER = `[resource exec2]
type = exec
group = ${GROUP}
start = /opt/pairha/scripts/campaign/writer/start.sh
stop = /opt/pairha/scripts/campaign/writer/stop.sh

`;
export const withWriter = (conf: string) => conf.replace(/^\[monitor ipw1\]$/m, `${WRITER}[monitor ipw1]`);

/** ERROR lines any step may show on the pair. */
const ALLOW: RegExp[] = [
  // every boot: clusterpro_evt starts the runtime before clusterpro_md loads liscal; the agent binds NMP1 once it is (docs/mirror.md)
  /ERROR <pm> the liscal driver is not loaded \(\/proc\/liscal\/ctl is missing\)$/,
];

/** tc netem variants drawn by the netem fault. */
const NETEM: Array<{ what: string; args: string[] }> = [
  { what: 'loss 30%', args: ['loss', '30%'] },
  { what: 'delay 200ms 50ms', args: ['delay', '200ms', '50ms'] },
  { what: 'reorder 25% (delay 50ms)', args: ['delay', '50ms', 'reorder', '75%', '50%'] },
  { what: 'duplicate 20%', args: ['duplicate', '20%'] },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class PairTarget implements Target {
  readonly name = 'pair' as const;
  readonly servers = SERVERS;
  readonly groups = [GROUP];
  readonly allow = ALLOW;
  private m?: MirrorPair;
  private readonly host = new HostPlatform({ powerRecord: '' });
  private client?: ChildProcess;
  private acked: number[] = [];
  private pausedWaiters: Array<() => void> = [];
  /** Per box: how far its log was read, and the ERROR lines already handed out (a log cut short by a power cut is read again from its start). */
  private logs = new Map<string, { offset: number; seen: Set<string> }>();
  /** The mirror's data is compared once per step, when the pair has settled. */
  private sumsDue = false;
  private readonly hb: number;

  constructor(private readonly o: PairTargetOptions) {
    this.hb = o.hbTimeoutMs ?? (Number(process.env.PAIRHA_CAMPAIGN_HB_TIMEOUT) || HB_TIMEOUT);
  }

  private get pair() { return this.mp.pair; }
  private get s(): PairState { return this.mp.s; }
  private get mp(): MirrorPair { if (!this.m) throw new Error('the pair is not up'); return this.m; }

  faults(): FaultName[] { return Object.keys(this.table) as FaultName[]; }

  async up(): Promise<void> {
    const t0 = Date.now();
    this.m = await mirrorPair(`c${this.o.instance ?? ''}`, (c) => md1OnDm.edit(withWriter(c).replace(/^hb_timeout = \d+$/m, `hb_timeout = ${this.hb}`)), md1OnDm.stickFiles);
    // (the campaign takes a target down only once it is up: a pair that did not come up goes down here)
    try {
      await this.pair.waitOnline(this.s, 400000);
      this.o.log(`pair Online after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      for (const x of SERVERS) await waitFor(() => this.mp.mdstat(x), (o) => normal.test(o), 600000, `clpmdstat --mirror md1 Normal on ${x}`, 5000);
      const views = async () => (await Promise.all(SERVERS.map((x) => this.view(x, false)))).map((v) => `${v.name}: ${v.up ? `active ${v.activeGroups.join(',') || 'none'}, ${JSON.stringify(v.clpstat)}` : 'no answer'}`).join('; ');
      await waitFor(views, (v) => (v.match(new RegExp(`active ${GROUP}`, 'g')) ?? []).length === 1, 300000, `${GROUP} active on one server`);
      this.startClient();
      await waitFor(async () => this.acked.length, (n) => n > 0, 120000, 'a first record acknowledged by the writer', 1000);
    } catch (e) {
      this.o.log(`the pair did not come up: ${(e as Error).message}\n${await this.mp.report(60).catch(() => '')}`);
      await this.down();
      throw e;
    }
    this.o.log(`pair up in ${((Date.now() - t0) / 1000).toFixed(0)} s (hb_timeout ${this.hb} ms, ${this.pair.dir}); the writer acknowledges records`);
  }

  async down(): Promise<void> {
    if (this.client) this.o.log(`writer: ${this.acked.length} records acknowledged over the run`);
    this.client?.kill('SIGTERM');
    await this.m?.down();
  }

  private startClient(): void {
    const script = path.join(__dirname, '..', 'pair', 'writer-client.js');
    const c = spawn('ip', ['netns', 'exec', this.pair.clientNs, process.execPath, script, FIP, String(WRITER_PORT)], { stdio: ['pipe', 'pipe', 'inherit'] });
    readline.createInterface({ input: c.stdout! }).on('line', (l) => {
      const m = /^ack (\d+)$/.exec(l);
      if (m) this.acked.push(Number(m[1]));
      else if (l === 'paused') this.pausedWaiters.splice(0).forEach((w) => w());
    });
    this.client = c;
  }

  private async pauseWriter(): Promise<void> {
    const paused = new Promise<void>((r) => this.pausedWaiters.push(r));
    this.client!.stdin!.write('pause\n');
    await paused;
  }
  private resumeWriter(): void { this.client!.stdin!.write('resume\n'); }

  private on(x: string): boolean { return this.pair.isOn(this.s, x); }

  private async agent(x: string, script: string, timeoutMs = 30000): Promise<{ code: number; stdout: string; stderr: string }> {
    return this.pair.run(this.s, x, ['sh', '-c', script], timeoutMs);
  }

  /** The servers whose own clpstat says the group is active there. */
  private async activeOn(): Promise<string[]> {
    const views = await Promise.all(SERVERS.map((x) => this.view(x, false)));
    return views.filter((v) => v.activeGroups.includes(GROUP)).map((v) => v.name);
  }

  private async holder(): Promise<string | undefined> { return (await this.activeOn())[0]; }

  private async online(timeoutMs = 400000): Promise<void> { await this.pair.waitOnline(this.s, timeoutMs); }

  /** Each fault: what it does to the pair, chosen with rng. */
  private readonly table: Partial<Record<FaultName, (rng: Rng) => Promise<Injected>>> = {
    'power-cut-active': async () => this.powerCut((await this.holder()) ?? 'server1', 'power-cut-active'),
    'power-cut-standby': async () => {
      const h = await this.holder();
      return this.powerCut(SERVERS.find((x) => x !== h) ?? 'server2', 'power-cut-standby');
    },
    'kill-runtime': async (rng) => this.signal(rng.pick(SERVERS), 'KILL', 'kill-runtime'),
    'stall-runtime': async (rng) => this.signal(rng.pick(SERVERS), 'STOP', 'stall-runtime'),
    'stop-start-server': async (rng) => {
      const x = rng.pick(SERVERS);
      const held = (await this.holder()) === x;
      await this.mustRun(x, 'clpcl -t');
      // An orderly stop hands no group over (docs/groups.md, as the lab's stop-start-server):
      // once the server is back, the operator starts the group the stop left active nowhere.
      return {
        fault: 'stop-start-server', detail: `clpcl -t on ${x}${held ? ' (the holder; the group started by clpgrp -s after)' : ''}, then clpcl -s`, downed: [x], allow: [], settleMs: 300000,
        heal: async () => {
          await this.mustRun(x, 'clpcl -s');
          await this.online();
          if (held && !(await this.holder())) await this.mustRun(x, `clpgrp -s ${GROUP}`, 300000);
        },
      };
    },
    reboot: async (rng) => {
      const x = rng.pick(SERVERS);
      const boot = await this.bootId(x);
      await this.pair.reset(this.s, x);
      return { fault: 'reboot', detail: `reset of ${x} (QMP system_reset)`, downed: [x], allow: [], settleMs: 300000, heal: this.rebooted(x, boot) };
    },
    'link-cut': async (rng) => {
      const l = rng.pick(['lanhb1', 'lanhb2', 'comhb1', 'mirror']);
      await this.pair.link(this.s, l, false);
      return { fault: 'link-cut', detail: `${l} cut${l === 'mirror' || l === 'lanhb1' ? ' (the mirror link)' : ''}`, downed: [], allow: [], settleMs: 300000, heal: () => this.pair.link(this.s, l, true) };
    },
    'link-cut-one-way': async (rng) => {
      const lan = rng.int(2), box = rng.int(2);
      // (the tap's egress in the hub is what reaches the box: dropping it cuts the box's "in" direction)
      const tap = tapName(lan, box);
      await this.tc(['qdisc', 'add', 'dev', tap, 'root', 'netem', 'loss', '100%']);
      return { fault: 'link-cut-one-way', detail: `lanhb${lan + 1} into ${SERVERS[box]} dropped (one way)`, downed: [], allow: [], settleMs: 300000, heal: () => this.tc(['qdisc', 'del', 'dev', tap, 'root']) };
    },
    netem: async (rng) => {
      const lan = rng.int(2), n = rng.pick(NETEM);
      const taps = [tapName(lan, 0), tapName(lan, 1)];
      for (const tap of taps) await this.tc(['qdisc', 'add', 'dev', tap, 'root', 'netem', ...n.args]);
      return {
        fault: 'netem', detail: `netem ${n.what} on lanhb${lan + 1}${lan === 0 ? ' (the mirror link)' : ''}, both ways`, downed: [], allow: [], settleMs: 300000,
        heal: async () => { for (const tap of taps) await this.tc(['qdisc', 'del', 'dev', tap, 'root']); },
      };
    },
    'clock-step': async (rng) => {
      const x = rng.pick(SERVERS), sign = rng.pick(['+', '-']);
      const back = sign === '+' ? '-' : '+';
      await this.mustRun(x, `date -s @$(( $(date +%s) ${sign} 3600 )) >/dev/null`);
      return {
        fault: 'clock-step', detail: `clock of ${x} stepped ${sign}1 h`, downed: [], allow: [], settleMs: 120000,
        heal: () => this.mustRun(x, `date -s @$(( $(date +%s) ${back} 3600 )) >/dev/null`).then(() => {}),
      };
    },
    'group-move': async () => {
      const h = await this.holder();
      if (!h) throw new Error(`${GROUP} is active nowhere: nothing to move`);
      const to = SERVERS.find((x) => x !== h)!;
      await this.mustRun(h, `clpgrp -m ${GROUP} -h ${to}`, 300000);
      return { fault: 'group-move', detail: `clpgrp -m ${GROUP} from ${h} to ${to}`, downed: [], allow: [], settleMs: 180000 };
    },
    'cold-start-peer-off': async () => {
      // The box with the latest data starts alone (the other's data is older: it may not take md1).
      const first = (await this.holder()) ?? 'server1';
      const peer = SERVERS.find((x) => x !== first)!;
      for (const x of SERVERS) if (this.on(x)) await this.pair.powerOff(this.s, x);
      await this.pair.powerOn(this.s, first);
      // (alone it waits for the peer, then takes the group: the fault is that time)
      await waitFor(() => this.activeOn(), (on) => on.includes(first), this.hb * 4 + 400000, `${GROUP} on ${first} started alone`, 5000)
        .catch((e: Error) => this.o.log(`cold start: ${e.message}`));
      return {
        fault: 'cold-start-peer-off', detail: `both powered off, ${first} started alone, then ${peer}`, downed: [peer], allow: [], settleMs: 300000,
        heal: async () => { await this.pair.powerOn(this.s, peer); await this.online(); },
      };
    },
    // Below liscal: md1's data partition is /dev/mapper/md1lower, a dm-linear map of /dev/vda4
    // (the stick's dmtab, boot.d/35-dm.sh) whose table is swapped for flakey or delay.
    'disk-errors': async (rng) => {
      const x = rng.pick(SERVERS);
      const boot = await this.bootId(x);
      // Every I/O fails: liscal's disk-error action resets the box; its boot maps linear again.
      await this.agent(x, `(sleep 1; ${swapMd1Table('flakey /dev/vda4 0 0 3600')}) >/dev/null 2>&1 &`, 30000);
      return {
        fault: 'disk-errors', detail: `dm-flakey below md1 on ${x} (every I/O fails: the box resets)`, downed: [x], settleMs: 300000,
        allow: [], heal: this.rebooted(x, boot),
      };
    },
    'disk-slow': async (rng) => {
      const x = rng.pick(SERVERS);
      const ms = rng.pick([20, 100, 400]);
      await this.mustRun(x, swapMd1Table(`delay /dev/vda4 0 ${ms}`), 60000);
      await sleep(5000 + 1000 * rng.int(16));
      return {
        fault: 'disk-slow', detail: `dm-delay of ${ms} ms below md1 on ${x}, for a while`, downed: [], settleMs: 300000, allow: [],
        heal: async () => { await this.mustRun(x, swapMd1Table('linear /dev/vda4 0'), 60000); },
      };
    },
    'simultaneous-start': async () => {
      for (const x of SERVERS) if (this.on(x)) await this.pair.powerOff(this.s, x);
      await Promise.all(SERVERS.map((x) => this.pair.powerOn(this.s, x)));
      return { fault: 'simultaneous-start', detail: 'both powered off, then on together', downed: [...SERVERS], allow: [], settleMs: 300000, heal: () => this.online() };
    },
  };

  async inject(fault: FaultName, rng: Rng): Promise<Injected> {
    const f = this.table[fault];
    if (!f) throw new Error(`the pair cannot inject ${fault} (it can: ${this.faults().join(', ')})`);
    // (the mirror is compared once the fault is healed: while a link is cut it cannot be Normal)
    this.sumsDue = false;
    const inj = await f(rng);
    const heal = inj.heal;
    return { ...inj, heal: async () => { await heal?.(); this.sumsDue = true; } };
  }

  private async powerCut(x: string, fault: FaultName): Promise<Injected> {
    await this.pair.powerOff(this.s, x);
    return {
      fault, detail: `power cut of ${x}`, downed: [x], allow: [], settleMs: 300000,
      heal: async () => { await this.pair.powerOn(this.s, x); await this.online(); },
    };
  }

  /** SIGSTOP: softdog must reset the box; SIGKILL: whatever the runtime's end brings, then both Online. */
  private async signal(x: string, sig: 'KILL' | 'STOP', fault: FaultName): Promise<Injected> {
    const boot = await this.bootId(x);
    await this.mustRun(x, `kill -${sig} "$(cat /opt/pairha/run/pairha.pid)"`);
    return {
      fault, detail: `SIG${sig} of the runtime on ${x}`, downed: [x], allow: [], settleMs: 300000,
      heal: sig === 'STOP' ? this.rebooted(x, boot) : async () => { await sleep(this.hb); await this.online(); },
    };
  }

  private async bootId(x: string): Promise<string> { return (await this.mustRun(x, 'cat /proc/sys/kernel/random/boot_id', 30000)).trim(); }

  /** A box the fault resets (itself, softdog, liscal): wait for its next boot, then both Online. */
  private rebooted(x: string, before: string): () => Promise<void> {
    return async () => {
      await waitFor(() => this.bootId(x), (b) => b !== before, 400000, `${x} booted again`, 3000);
      await this.online();
    };
  }

  private async mustRun(x: string, script: string, timeoutMs = 120000): Promise<string> {
    const r = await this.agent(x, script, timeoutMs);
    if (r.code !== 0) throw new Error(`${x}: '${script}' exited ${r.code}: ${(r.stderr || r.stdout).trim().slice(0, 300)}`);
    return r.stdout;
  }

  private async tc(args: string[]): Promise<void> {
    const r = await this.host.run('ip', ['netns', 'exec', this.pair.hub, 'tc', ...args], { timeoutMs: 15000 });
    if (r.code !== 0) throw new Error(`tc ${args.join(' ')} in ${this.pair.hub}: ${r.stderr.trim()}`);
  }

  /** One box as clpstat and /proc see it; withLog also hands out its new log lines. */
  private async view(x: string, withLog: boolean): Promise<ServerView> {
    const v: ServerView = { name: x, up: false, activeGroups: [], mounted: [], newLogLines: [], coreFiles: [] };
    if (!this.on(x)) return v;
    const st = this.logs.get(x) ?? { offset: 0, seen: new Set<string>() };
    this.logs.set(x, st);
    const script = [
      'echo @@STAT; /opt/pairha/bin/clpstat --json 2>/dev/null',
      "echo @@MOUNTS; grep '^/dev/NMP' /proc/mounts | cut -d' ' -f1,2",
      'echo @@CONF; sha256sum /opt/pairha/etc/clp.conf | cut -d" " -f1',
      'echo @@PROC; p=$(cat /opt/pairha/run/pairha.pid 2>/dev/null); [ -n "$p" ] && grep VmRSS /proc/$p/status && ls /proc/$p/fd | wc -l',
      'echo @@CORES; ls -d /core /core.* /opt/pairha/core* /config/log/core* /root/core* 2>/dev/null',
      ...(withLog ? [`echo @@LOG; f=${LOG}; sz=$(wc -c < $f 2>/dev/null || echo 0); echo $sz; off=${st.offset}; [ "$sz" -lt "$off" ] && off=0; tail -c +$((off + 1)) $f | head -c $((sz - off))`] : []),
    ].join('\n');
    let out: string;
    try { out = (await this.agent(x, script, 30000)).stdout; } catch { return v; }
    const sec = (name: string) => { const m = new RegExp(`^@@${name}\\n([\\s\\S]*?)(?=^@@|(?![\\s\\S]))`, 'm').exec(out); return m ? m[1] : ''; };
    try {
      const j = JSON.parse(sec('STAT')) as { servers: Array<{ name: string; status: string }>; groups?: Array<{ name: string; current: string[] }> };
      v.clpstat = {
        servers: Object.fromEntries(j.servers.map((s) => [s.name, s.status])),
        groups: Object.fromEntries((j.groups ?? []).map((g) => [g.name, g.current.join(',')])),
      };
      v.activeGroups = (j.groups ?? []).filter((g) => g.current.includes(x)).map((g) => g.name);
      v.up = true;
    } catch { /* the runtime does not answer */ }
    v.mounted = sec('MOUNTS').split('\n').filter(Boolean);
    v.configHash = sec('CONF').trim() || undefined;
    const proc = /VmRSS:\s+(\d+)\s+kB\n(\d+)/.exec(sec('PROC'));
    if (proc) { v.rssKb = Number(proc[1]); v.openFds = Number(proc[2]); }
    v.coreFiles = sec('CORES').split('\n').filter(Boolean);
    if (withLog) {
      const [size, ...rest] = sec('LOG').split('\n');
      const sz = Number(size);
      if (Number.isFinite(sz)) {
        v.newLogLines = rest.join('\n').split('\n').filter((l) => l && !(/\bERROR\b/.test(l) && st.seen.has(l)));
        for (const l of v.newLogLines) if (/\bERROR\b/.test(l)) st.seen.add(l);
        st.offset = sz;
      }
    }
    return v;
  }

  /** MAC addresses that answered ARP for the floating IP in the client namespace. */
  private async fipAnswers(): Promise<string[]> {
    const r = await this.host.run('ip', ['netns', 'exec', this.pair.clientNs, 'arping', '-c', '2', '-i', 'client0', FIP], { timeoutMs: 10000 });
    return [...r.stdout.matchAll(/bytes from ([0-9a-f:]{17})/gi)].map((m) => m[1].toLowerCase());
  }

  async observe(): Promise<Observation> {
    const [servers, macs] = await Promise.all([Promise.all(SERVERS.map((x) => this.view(x, true))), this.fipAnswers()]);
    const obs: Observation = { at: Date.now(), servers, fipAnswers: { [FIP]: macs } };
    const holders = servers.filter((v) => v.activeGroups.includes(GROUP));
    if (this.sumsDue && servers.every((v) => v.up) && holders.length === 1) {
      obs.mirrorSums = await this.mirrorSums(holders[0].name);
      if (obs.mirrorSums) this.sumsDue = false;
    }
    return obs;
  }

  /**
   * sha256 of md1's data partition on both boxes once clpmdstat says Normal: the writer is
   * paused and the file system frozen on the holder, so both lower devices are at rest.
   */
  private async mirrorSums(holder: string): Promise<Record<string, string> | undefined> {
    try {
      await waitFor(() => this.mp.mdstat(holder), (o) => normal.test(o), 300000, 'md1 Normal before the checksums', 3000);
    } catch (e) {
      this.o.log(`mirror checksums skipped this step: ${(e as Error).message.slice(0, 200)}`);
      return undefined;
    }
    await this.pauseWriter();
    try {
      await this.mustRun(holder, 'sync && fsfreeze --freeze /mnt/md1');
      try {
        const sums = await Promise.all(SERVERS.map(async (x) => (await this.mustRun(x, `${DROP_CACHES}; sha256sum /dev/vda4`, 300000)).split(' ')[0]));
        this.o.log(`mirror data sha256 (md1 Normal, held by ${holder}): ${SERVERS.map((x, i) => `${x}=${sums[i].slice(0, 16)}`).join(' ')}`);
        if (sums[0] !== sums[1]) this.o.log(`mirror data differs in these MiB of /dev/vda4: ${await this.differingMiB()}`);
        return Object.fromEntries(SERVERS.map((x, i) => [x, sums[i]]));
      } finally {
        await this.mustRun(holder, 'fsfreeze --unfreeze /mnt/md1');
      }
    } catch (e) {
      this.o.log(`mirror checksums failed: ${(e as Error).message.slice(0, 300)}`);
      return undefined;
    } finally {
      this.resumeWriter();
    }
  }

  /** Which MiB of the data partitions differ (for the report of a mirror-sums violation). */
  private async differingMiB(): Promise<string> {
    const script = `${DROP_CACHES}; ` + 'n=$(( $(cat /sys/class/block/vda4/size) / 2048 )); i=0; while [ $i -lt $n ]; do dd if=/dev/vda4 bs=1M skip=$i count=1 2>/dev/null | md5sum; i=$((i+1)); done';
    const [a, b] = await Promise.all(SERVERS.map(async (x) => (await this.mustRun(x, script, 600000)).split('\n')));
    const diff = a.map((l, i) => (l !== b[i] ? i : -1)).filter((i) => i >= 0);
    return diff.length ? `${diff.slice(0, 40).join(', ')}${diff.length > 40 ? ` ... (${diff.length})` : ''}` : 'none (it changed while read)';
  }

  async writer(): Promise<WriterReport> {
    const acked = [...this.acked];
    const h = await this.holder();
    if (!h) {
      // (nothing to compare: this step's acknowledgements are checked at the next step that can read the records)
      this.o.log(`writer: ${GROUP} is active nowhere (or no box answered), records not read this step`);
      return { acked: [], present: [] };
    }
    const out = await this.mustRun(h, `cat ${RECORDS}`);
    // (a record torn by a power cut was never acknowledged: only whole lines count)
    return { acked, present: out.split('\n').filter((l) => /^\d+$/.test(l)).map(Number) };
  }

  async recentLogs(lines: number): Promise<string> {
    const parts = await Promise.all(SERVERS.map(async (x) => {
      if (!this.on(x)) return `--- ${x}: powered off`;
      try { return `--- ${x} ${LOG} (end, no DEBUG)\n${(await this.agent(x, `grep -v ' DEBUG ' ${LOG} | tail -n ${lines}`, 20000)).stdout || '(nothing)'}`; } catch (e) {
        return `--- ${x}: no log (${(e as Error).message}); console:\n${this.mp.consoles(lines)}`;
      }
    }));
    return parts.join('\n');
  }

  async keepLogs(dir: string): Promise<string[]> {
    const files: string[] = [];
    const keep = (name: string, text: string) => { const f = path.join(dir, name); fs.writeFileSync(f, text); files.push(f); };
    keep('consoles.log', this.mp.consoles(2000));
    await Promise.all(SERVERS.filter((x) => this.on(x)).map(async (x) => {
      for (const [name, file] of [['pairha.log', LOG], ['messages', '/var/log/messages']]) {
        const r = await this.agent(x, `cat ${file}`, 60000).catch((e: Error) => ({ code: 1, stdout: '', stderr: e.message }));
        keep(`${x}-${name}`, r.code === 0 ? r.stdout : `(${file} could not be read: ${r.stderr.trim()})\n`);
      }
    }));
    return files;
  }
}

export function createTarget(o: PairTargetOptions): Target { return new PairTarget(o); }
