// The lab: N servers on one machine, each in its own network namespace, joined by the
// links their configuration names: a bridge per LAN heartbeat (in a hub namespace), a
// socat pty pair per COM heartbeat, a shared file per disk heartbeat. State lives in
// <lab dir>/lab.json so separate `pairha lab ...` invocations work together.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConfig } from '../../config/load';
import type { ClusterConfig } from '../../config/types';
import { request } from '../../control/local';
import { call as callOp, type Op } from '../../control/op';
import { nmOps } from '../../nm/protocol';
import { provisionDev } from '../licence';
import type { HostPlatform } from '../../platform/host';
import { waitAllOnline } from '../online';

export interface LabState {
  dir: string;
  configFile: string;
  servers: Array<{ name: string; ns: string; root: string; pid?: number; softdog?: number }>;
  socat: Record<string, number>;
  /** Address of the client namespace (host .254 of the first LAN heartbeat's /24). */
  client?: string;
}

export class LabError extends Error {}

// PAIRHA_LAB_NS lets two labs (two people, two worktrees) coexist on one machine.
const NS = process.env.PAIRHA_LAB_NS || 'pairha';
const HUB = `${NS}-hub`;
export const nsOf = (server: string) => `${NS}-${server}`;
const codeDir = path.resolve(__dirname, '..', '..', '..');
export const examplesDir = path.join(codeDir, 'src', 'host', 'lab', 'examples');
export const defaultLabConfig = path.join(examplesDir, 'lab.conf');
/** The client namespace: a host on the first LAN heartbeat's network, as a user of the service. */
export const clientNs = () => nsOf('client');

export class Lab {
  constructor(readonly dir: string, private readonly os: HostPlatform) {}

  private get stateFile(): string { return path.join(this.dir, 'lab.json'); }

  load(): LabState {
    try { return JSON.parse(fs.readFileSync(this.stateFile, 'utf8')) as LabState; } catch { throw new LabError('the lab is not up (pairha lab up)'); }
  }
  private save(s: LabState): void { fs.writeFileSync(this.stateFile, JSON.stringify(s, null, 2)); }
  config(s: LabState): ClusterConfig { return parseConfig(fs.readFileSync(s.configFile, 'utf8'), s.configFile); }

  private async sh(file: string, args: string[]): Promise<string> {
    const r = await this.os.run(file, args, { timeoutMs: 30000 });
    if (r.code !== 0) throw new LabError(`${file} ${args.join(' ')}: ${r.stderr.trim() || `exit ${r.code}`}`);
    return r.stdout;
  }

  env(s: LabState, server: string): NodeJS.ProcessEnv {
    const srv = s.servers.find((x) => x.name === server)!;
    return {
      ...process.env,
      PAIRHA_ROOT: srv.root,
      // Each server its own copy, as on two boxes: clpcfctrl pushes to both (the key stays shared).
      PAIRHA_CONFIG: path.join(srv.root, 'clp.conf'),
      PAIRHA_SERVER: server,
      PAIRHA_MESSAGES: path.join(codeDir, 'messages'),
      PAIRHA_DEVLOG: process.env.PAIRHA_LAB_DEVLOG || path.join(this.dir, 'devlog'),
      PAIRHA_POWER_RECORD: path.join(srv.root, 'power.log'),
      PAIRHA_WATCHDOG: path.join(srv.root, 'watchdog'),
      // The lab is a test bench: its runtimes accept injected faults (src/pm/faults.ts).
      PAIRHA_FAULTS: '1',
      // Licences: the lab's own development key (licenceKeysDir), a box serial per server.
      PAIRHA_TRUSTED_KEYS: path.join(this.dir, 'licence-keys', 'trusted'),
      PAIRHA_SERIAL_FILE: path.join(srv.root, 'serial'),
    };
  }

  async up(template = defaultLabConfig): Promise<LabState> {
    if (fs.existsSync(this.stateFile)) throw new LabError(`a lab is already up in ${this.dir} (pairha lab down first)`);
    let text: string;
    try { text = fs.readFileSync(template, 'utf8'); } catch (e) { throw new LabError(`${template}: ${(e as Error).message}`); }
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const configFile = path.join(this.dir, 'clp.conf');
    fs.writeFileSync(configFile, text.replaceAll('@LAB@', this.dir).replaceAll('@EXAMPLES@', examplesDir));
    const config = parseConfig(fs.readFileSync(configFile, 'utf8'), configFile);
    fs.writeFileSync(config.cluster.keyFile, randomBytes(32), { mode: 0o600 });
    const s: LabState = {
      dir: this.dir, configFile, socat: {},
      servers: config.servers.map((x) => ({ name: x.name, ns: nsOf(x.name), root: path.join(this.dir, x.name) })),
    };
    this.save(s);
    try {
      await this.sh('ip', ['netns', 'add', HUB]);
      for (const srv of s.servers) {
        fs.mkdirSync(srv.root, { recursive: true, mode: 0o700 });
        fs.copyFileSync(configFile, path.join(srv.root, 'clp.conf'));
        await this.sh('ip', ['netns', 'add', srv.ns]);
        await this.sh('ip', ['-n', srv.ns, 'link', 'set', 'lo', 'up']);
      }
      for (const hb of config.heartbeats) {
        if (hb.type === 'lanhb') {
          const br = `br-${hb.name}`.slice(0, 15);
          await this.sh('ip', ['-n', HUB, 'link', 'add', br, 'type', 'bridge']);
          await this.sh('ip', ['-n', HUB, 'link', 'set', br, 'up']);
          for (const [i, srv] of s.servers.entries()) {
            const peer = `${hb.name}-${i}`.slice(0, 15);
            await this.sh('ip', ['link', 'add', hb.name, 'netns', srv.ns, 'type', 'veth', 'peer', 'name', peer, 'netns', HUB]);
            await this.sh('ip', ['-n', HUB, 'link', 'set', peer, 'master', br, 'up']);
            await this.sh('ip', ['-n', srv.ns, 'addr', 'add', `${hb.addresses[srv.name]}/24`, 'dev', hb.name]);
            await this.sh('ip', ['-n', srv.ns, 'link', 'set', hb.name, 'up']);
          }
          if (!s.client) await this.addClient(s, br, hb.addresses[s.servers[0].name]);
        } else if (hb.type === 'comhb') {
          if (s.servers.length !== 2) throw new LabError(`${hb.name}: a COM cable joins exactly two servers`);
          s.socat[hb.name] = this.startSocat(config, hb.name);
        } else {
          const shared = path.join(this.dir, `${hb.name}.img`);
          fs.writeFileSync(shared, Buffer.alloc(hb.offset + Math.max(2, s.servers.length) * hb.slotSize));
          for (const srv of s.servers) fs.symlinkSync(shared, hb.devices[srv.name]);
        }
      }
      this.save(s);
      this.licences(s, config);
      for (const srv of s.servers) await this.start(s, srv.name);
    } catch (e) {
      await this.down().catch(() => {});
      throw e;
    }
    return s;
  }

  /** Each server licensed as before licences existed (docs/licences.md): a development key in
   * the lab dir, product licences in each server's licence directory, a serial per server. */
  private licences(s: LabState, config: ClusterConfig): void {
    provisionDev(config, path.join(this.dir, 'licence-keys'), s.servers.map((x) => path.join(x.root, 'license')));
    for (const srv of s.servers) fs.writeFileSync(path.join(srv.root, 'serial'), `LAB-${srv.name}\n`);
  }

  /** A client host on bridge `br`, address .254 of the /24 of `sample`. */
  private async addClient(s: LabState, br: string, sample: string): Promise<void> {
    const addr = sample.replace(/\.\d+$/, '.254');
    await this.sh('ip', ['netns', 'add', clientNs()]);
    await this.sh('ip', ['-n', clientNs(), 'link', 'set', 'lo', 'up']);
    await this.sh('ip', ['link', 'add', 'lan0', 'netns', clientNs(), 'type', 'veth', 'peer', 'name', 'client-lan', 'netns', HUB]);
    await this.sh('ip', ['-n', HUB, 'link', 'set', 'client-lan', 'master', br, 'up']);
    await this.sh('ip', ['-n', clientNs(), 'addr', 'add', `${addr}/24`, 'dev', 'lan0']);
    await this.sh('ip', ['-n', clientNs(), 'link', 'set', 'lan0', 'up']);
    s.client = addr;
  }

  /** Run a command in the client namespace. Its stdin is empty: a `socat - TCP:...` probe
   * then ends as soon as the service closes, not 0.5 s later (socat's half-close wait). */
  client(file: string, args: string[], timeoutMs = 10000) {
    return this.os.run('ip', ['netns', 'exec', clientNs(), file, ...args], { timeoutMs, input: '' });
  }

  private startSocat(config: ClusterConfig, hb: string): number {
    const h = config.heartbeats.find((x) => x.name === hb)!;
    if (h.type !== 'comhb') throw new LabError(`${hb} is not a COM heartbeat`);
    const [a, b] = config.servers.map((x) => h.devices[x.name]);
    const pid = this.os.daemon('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { logFile: path.join(this.dir, `${hb}.socat.log`) });
    return pid;
  }

  async start(s: LabState, server: string): Promise<void> {
    const srv = this.server(s, server);
    if (srv.pid && alive(srv.pid)) throw new LabError(`${server} is already running (pid ${srv.pid})`);
    const config = this.config(s);
    if (config.watchdog.enabled) {
      // The lab's softdog watches a plain file (src/host/lab/softdog.ts); a fresh one per start.
      if (srv.softdog && alive(srv.softdog)) process.kill(srv.softdog, 'SIGTERM');
      const dev = path.join(srv.root, 'watchdog');
      fs.writeFileSync(dev, '');
      const keep = config.heartbeats.flatMap((h) => (h.type === 'lanhb' ? [h.addresses[server]] : []));
      srv.softdog = this.os.daemon(process.execPath, [path.join(codeDir, 'dist', 'host', 'lab', 'softdog.js'), dev, String(config.watchdog.margin), srv.ns, path.join(srv.root, 'power.log'), keep.join(',')], { logFile: path.join(srv.root, 'softdog.log') });
    }
    srv.pid = this.os.daemon('ip', ['netns', 'exec', srv.ns, process.execPath, path.join(codeDir, 'dist', 'runtime', 'main.js')], { env: this.env(s, server), logFile: path.join(srv.root, 'runtime.log') });
    this.save(s);
  }

  async signal(s: LabState, server: string, sig: 'SIGKILL' | 'SIGTERM' | 'SIGSTOP' | 'SIGCONT'): Promise<void> {
    const srv = this.server(s, server);
    if (!srv.pid || !alive(srv.pid)) throw new LabError(`${server} is not running`);
    process.kill(srv.pid, sig);
    if (sig === 'SIGKILL' || sig === 'SIGTERM') {
      for (let i = 0; i < 100 && alive(srv.pid); i++) await sleep(50);
      srv.pid = undefined;
      this.save(s);
    }
  }

  server(s: LabState, name: string): LabState['servers'][number] {
    const srv = s.servers.find((x) => x.name === name);
    if (!srv) throw new LabError(`unknown server '${name}' (${s.servers.map((x) => x.name).join(', ')})`);
    return srv;
  }

  /** Cut (or plug) a link: a heartbeat name from the configuration, or 'all'. */
  async link(s: LabState, name: string, plug: boolean): Promise<void> {
    const config = this.config(s);
    const hbs = name === 'all' ? config.heartbeats : config.heartbeats.filter((h) => h.name === name);
    if (!hbs.length) throw new LabError(`unknown link '${name}' (${config.heartbeats.map((h) => h.name).join(', ')}, all)`);
    for (const hb of hbs) {
      if (hb.type === 'lanhb') {
        for (const srv of s.servers) await this.sh('ip', ['-n', srv.ns, 'link', 'set', hb.name, plug ? 'up' : 'down']);
      } else if (hb.type === 'comhb') {
        // A stopped socat is an unplugged cable: both ports stay, nothing crosses.
        const pid = s.socat[hb.name];
        if (pid && alive(pid)) process.kill(pid, plug ? 'SIGCONT' : 'SIGSTOP');
        else if (plug) s.socat[hb.name] = this.startSocat(config, hb.name);
      } else {
        const shared = path.join(this.dir, `${hb.name}.img`);
        for (const srv of s.servers) {
          const dev = hb.devices[srv.name];
          const target = plug ? shared : `${dev}.cut`;
          if (!plug && !fs.existsSync(target)) fs.writeFileSync(target, Buffer.alloc(hb.offset + 2 * hb.slotSize));
          fs.rmSync(dev, { force: true });
          fs.symlinkSync(target, dev);
        }
      }
    }
    this.save(s);
  }

  /** Ask one server's runtime over its control socket (reachable from the host). */
  call<A extends object, R>(s: LabState, server: string, op: Op<A, R>, args = {} as A) {
    const srv = this.server(s, server);
    return callOp((req) => request(path.join(srv.root, 'run', 'pairha.sock'), req, 5000), op, args);
  }

  async waitOnline(s: LabState, timeoutMs: number): Promise<void> {
    const r = await waitAllOnline(s.servers.map((x) => x.name), (name) => this.call(s, name, nmOps.view), timeoutMs, 200);
    if (!r.online) throw new LabError(`servers not Online within ${timeoutMs} ms (${r.last})`);
  }

  /** Remove everything the lab made. Idempotent. */
  async down(): Promise<void> {
    let s: LabState | undefined;
    try { s = this.load(); } catch { /* nothing recorded */ }
    for (const srv of s?.servers ?? []) {
      if (srv.pid && alive(srv.pid)) {
        try { process.kill(srv.pid, 'SIGCONT'); process.kill(srv.pid, 'SIGTERM'); } catch { /* gone */ }
        for (let i = 0; i < 40 && alive(srv.pid); i++) await sleep(50);
        if (alive(srv.pid)) process.kill(srv.pid, 'SIGKILL');
      }
    }
    for (const srv of s?.servers ?? []) if (srv.softdog && alive(srv.softdog)) process.kill(srv.softdog, 'SIGKILL');
    for (const pid of Object.values(s?.socat ?? {})) if (alive(pid)) { process.kill(pid, 'SIGCONT'); process.kill(pid, 'SIGTERM'); }
    const names = (await this.os.run('ip', ['netns', 'list'])).stdout.split('\n').map((l) => l.split(' ')[0]);
    for (const ns of names) {
      if (ns === HUB || ns.startsWith(`${NS}-`)) {
        // Processes still inside (a runtime started by hand) die with their namespace's links.
        const pids = (await this.os.run('ip', ['netns', 'pids', ns])).stdout.split('\n').filter(Boolean);
        for (const p of pids) { try { process.kill(Number(p), 'SIGKILL'); } catch { /* gone */ } }
        await this.os.run('ip', ['netns', 'del', ns]);
      }
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export function alive(pid: number): boolean {
  try { process.kill(pid, 0); } catch { return false; }
  // A zombie (our own exited child) still answers kill 0.
  try { return !/^\S+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
