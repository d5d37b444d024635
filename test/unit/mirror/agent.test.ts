// Two mirror agents over real loopback TCP (127.0.0.1 and 127.0.0.2, a free port), each
// driving a directory standing in for its /proc: the channel's authentication, the status
// exchange, hostile packets, and the decisions the agent turns into liscal commands and
// events. The real driver is exercised by the qemu tests (test/vm/).
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { parseConfig } from '../../../src/config/load';
import type { ClusterConfig } from '../../../src/config/types';
import { PeerClient } from '../../../src/control/peer';
import { resolvePaths } from '../../../src/constants';
import { formatMessage, loadCatalog, catalogKey } from '../../../src/events/catalog';
import { Logger } from '../../../src/logger';
import { MirrorAgent } from '../../../src/mirror/agent';
import { agentOps } from '../../../src/mirror/protocol';
import { clOps } from '../../../src/pm/protocol';
import { formatStatusLine, type LiscalStatus } from '../../../src/mirror/liscal-status';
import type { RuntimeContext } from '../../../src/core/context';
import { md1Conf, st } from '../../helpers/mirror';
import { freeTcpPort } from '../../helpers/ports';
import { stubPlatform } from '../../helpers/platform';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mdagent-'));
t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
const catalog = loadCatalog(path.resolve(__dirname, '..', '..', '..', 'messages'));

const conf = (port: number) => md1Conf({ ports: { mirror_agent: port } });

interface Box { agent: MirrorAgent; events: string[]; ctl: () => string[]; setStatus: (s: LiscalStatus | undefined) => void }

function box(name: string, port: number, key = 'k'.repeat(16), adjust: (c: ClusterConfig) => void = () => {}, fastSync?: () => boolean): Box {
  const dir = path.join(root, `${name}-${key.slice(0, 2)}-${port}`);
  fs.mkdirSync(path.join(dir, 'liscal'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'liscal', 'ctl'), '');
  const setStatus = (s?: LiscalStatus) => fs.writeFileSync(path.join(dir, 'liscalstat'), s ? formatStatusLine(s) + '\n' : '');
  setStatus(st());
  const config = parseConfig(conf(port), path.join(dir, 'clp.conf'));
  adjust(config);
  const events: string[] = [];
  const ctx: RuntimeContext = {
    config, local: config.servers.find((s) => s.name === name)!, key: Buffer.from(key), bootId: Buffer.alloc(16),
    paths: resolvePaths({ PAIRHA_ROOT: dir, PAIRHA_LISCAL_PROC: path.join(dir, 'liscal') }),
    events: { emit: ({ type, id }, ...args) => { const d = catalog.get(catalogKey(type, id)); events.push(`${type} ${id} ${d ? formatMessage(d.msg, args) : 'NOT IN CATALOG'}`); } },
    log: new Logger({ write: () => {} }), platform: stubPlatform(),
  };
  const agent = new MirrorAgent(ctx, { interval: 3600000, peerTimeout: 2000, retryDelay: 60000, mountsFile: path.join(dir, 'mounts'), fastSync });
  const ctl = () => fs.readFileSync(path.join(dir, 'liscal', 'ctl'), 'utf8').split('\n').filter(Boolean);
  return { agent, events, ctl, setStatus };
}

t.test('two agents: bind, status over 29004, automatic recovery, its end', async (t) => {
  const port = await freeTcpPort();
  const a = box('server1', port), b = box('server2', port);
  a.setStatus(st({ bound: false, state: 'NONE', gen: 0, peerGen: 0 }));
  await a.agent.start(); await b.agent.start();
  t.teardown(async () => { await a.agent.stop(); await b.agent.stop(); });
  t.same(a.events, ['mdagent 1 Agent has started successfully.']);
  t.same(a.ctl(), ['key ' + Buffer.from('k'.repeat(16)).toString('hex'), 'bind 1 data=/dev/vdb2 cp=/dev/vdb1 peer=127.0.0.2 local=127.0.0.1 drvport=29005 dataport=29051'], 'server1 binds md1');
  t.same(b.ctl().slice(1), [], 'server2 was already bound: no bind');

  // Linked again after server1 went on alone: server2 was made STALE; md1 is active on server1.
  const s1 = st({ state: 'BREAK', gen: 6, peerGen: 6, dirty: 300, port: 'open' });
  a.setStatus(s1); b.setStatus(st({ state: 'STALE', gen: 6, peerGen: 6, dirty: 0 }));
  t.same(await b.agent.peerStatus(1), s1, 'server2 reads server1\'s status over the channel');
  const v = await a.agent.view('md1');
  t.equal(v.decision.case, 'needs-recovery');
  t.same(v.decision.latest, ['server1']);

  await b.agent.tick();
  t.same(b.ctl().slice(1), [], 'server2 (not the source) starts nothing');
  await a.agent.tick();
  t.same(a.ctl().slice(2), ['recover 1 diff'], 'server1 starts a FastSync recovery');
  t.same(a.events.slice(1), ['mdadm 7 Recovery mode is FastSync.', 'mdadm 17 Recovery started.(Device: /dev/NMP1)']);
  a.setStatus({ ...s1, state: 'RECOVERING', recovery: 'diff-send', pct: 50 });
  await a.agent.tick();
  t.same(a.ctl().slice(2), ['recover 1 diff'], 'not started twice');
  a.setStatus({ ...s1, state: 'SYNC', recovery: 'done', dirty: 0, gen: 7, peerGen: 7 });
  b.setStatus(st({ gen: 7, peerGen: 7, recovery: 'done' }));
  await a.agent.tick();
  t.same(a.ctl().slice(2), ['recover 1 diff'], 'normal again: nothing more started');
  t.equal((await a.agent.view('md1')).decision.case, 'normal');
  t.equal(a.events.at(-1), 'mdadm 6 Building of switch mirror disk has finished successfully.(Device: /dev/NMP1)');
});

t.test('without a FastSync licence (FSO30) the same recovery is a full copy', async (t) => {
  const port = await freeTcpPort();
  let licensed = false;
  const a = box('server1', port, 'k'.repeat(16), () => {}, () => licensed), b = box('server2', port);
  await a.agent.start(); await b.agent.start();
  t.teardown(async () => { await a.agent.stop(); await b.agent.stop(); });
  const s1 = st({ state: 'BREAK', gen: 6, peerGen: 6, dirty: 300, port: 'open' });
  a.setStatus(s1); b.setStatus(st({ state: 'STALE', gen: 6, peerGen: 6, dirty: 0 }));
  await a.agent.tick();
  t.same(a.ctl().filter((l) => l.startsWith('recover')), ['recover 1 full'], 'full copy where FastSync would do');
  t.ok(a.events.includes('mdadm 7 Recovery mode is Full.'));
  t.match(await a.agent.recovery('md1'), /\(full copy\) started/, 'clpmdctrl --recovery says so');
  licensed = true;
  t.match(await a.agent.recovery('md1'), /\(FastSync\) started/, 'licensed: the difference only');
  t.same(a.ctl().filter((l) => l.startsWith('recover')), ['recover 1 full', 'recover 1 full', 'recover 1 diff']);
});

t.test('forced recovery from server2, asked on server1; refusals', async (t) => {
  const port = await freeTcpPort();
  const a = box('server1', port), b = box('server2', port);
  await a.agent.start(); await b.agent.start();
  t.teardown(async () => { await a.agent.stop(); await b.agent.stop(); });
  a.setStatus(st({ state: 'BREAK', gen: 6, peerGen: 5, dirty: 30 }));
  b.setStatus(st({ state: 'BREAK', gen: 6, peerGen: 5, dirty: 40 }));
  t.equal((await a.agent.view('md1')).decision.case, 'needs-forced-recovery');
  await t.rejects(a.agent.recovery('md1'), /no server is known to hold the latest data: use clpmdctrl --force SERVER/);
  t.equal(a.events.at(-1), 'mdadm 5 Building of switch mirror disk finished abnormally. Can not judge the recovery direction.(Device:/dev/NMP1)');
  await t.rejects(a.agent.force('md1', 'server9'), /unknown server 'server9'/);

  t.match(await a.agent.force('md1', 'server2'), /recovery server2 -> server1 \(full copy\) started/);
  t.same(b.ctl().slice(1), ['force 1 latest', 'recover 1 full'], 'server2: latest, then a full copy');
  t.same(a.ctl().slice(1), ['force 1 red'], 'server1: declared outdated');
  t.equal(b.events.at(-1), 'mdadm 17 Recovery started.(Device: /dev/NMP1)');

  // Destination active: refused, with the seed's reason.
  a.setStatus(st({ state: 'BREAK', gen: 6, peerGen: 5, dirty: 30, port: 'open' }));
  await t.rejects(b.agent.force('md1', 'server2'), /active on server1, the destination/);
  t.equal(b.events.at(-1), 'mdadm 5 Building of switch mirror disk finished abnormally. The destination server is active.(Device:/dev/NMP1)');
});

t.test('stop recovery: sent to the source, wherever it is asked; refused when none runs', async (t) => {
  const port = await freeTcpPort();
  const a = box('server1', port), b = box('server2', port);
  await a.agent.start(); await b.agent.start();
  t.teardown(async () => { await a.agent.stop(); await b.agent.stop(); });
  a.setStatus(st({ state: 'BREAK', gen: 6, peerGen: 6, dirty: 30 }));
  b.setStatus(st({ state: 'STALE', gen: 6, peerGen: 6 }));
  await t.rejects(b.agent.stopRecovery('md1'), /no recovery of md1 is running/);
  a.setStatus(st({ state: 'RECOVERING', recovery: 'full-send', gen: 6, peerGen: 6, dirty: 30, pct: 40 }));
  b.setStatus(st({ state: 'RECOVERING', recovery: 'recv', gen: 6, peerGen: 6 }));
  t.equal(await b.agent.stopRecovery('md1'), 'recovery server1 -> server2 stopped');
  t.same(a.ctl().slice(1), ['stoprecover 1'], 'the source stops its copy');
  t.same(b.ctl().slice(1), [], 'the destination is not asked');
  t.equal(await a.agent.stopRecovery('md1'), 'recovery server1 -> server2 stopped', 'asked on the source itself');
  t.same(a.ctl().slice(1), ['stoprecover 1', 'stoprecover 1']);
});

t.test('one-server forced recovery (§11.10.6): the other is down', async (t) => {
  const port = await freeTcpPort();
  const b = box('server2', port);
  await b.agent.start();
  t.teardown(() => b.agent.stop());
  b.setStatus(st({ state: 'STALE', gen: 6, peerGen: 5, conn: 'disconnected' }));
  t.equal(await b.agent.peerStatus(1), undefined, 'server1 is down');
  t.match(await b.agent.force('md1', 'server2'), /server2 now holds the latest data of md1; server1 is copied in full when it returns/);
  t.same(b.ctl().slice(1), ['force 1 latest']);
});

t.test('the channel refuses a wrong key and hostile packets', async (t) => {
  const port = await freeTcpPort();
  const a = box('server1', port), bad = box('server2', port, 'x'.repeat(16));
  await a.agent.start(); await bad.agent.start();
  t.teardown(async () => { await a.agent.stop(); await bad.agent.stop(); });
  t.equal(await bad.agent.peerStatus(1), undefined, 'wrong key: no status');
  t.equal(await a.agent.peerStatus(1), undefined, 'and the other way');
  for (const garbage of [`${JSON.stringify({ from: 'server2', req: { op: agentOps.force.name, args: { nmp: 1, kind: 'latest' } }, mac: '00' })}\n`, 'not json\n', '\u0000'.repeat(5000) + '\n', 'x'.repeat(2 << 20)]) {
    const c = net.createConnection({ host: '127.0.0.1', port });
    c.on('error', () => {});
    await new Promise<void>((r) => c.on('connect', () => { c.write(garbage); r(); }));
    await new Promise<void>((r) => { c.on('close', () => r()); setTimeout(() => { c.destroy(); r(); }, 3000); });
  }
  // Authenticated, but with arguments no agent sends: refused by name.
  const client = new PeerClient('server2', () => ['127.0.0.1'], port, Buffer.from('k'.repeat(16)), 2000, 'mdagent');
  const asks: Array<[Record<string, unknown>, string, number, string]> = [
    [{ nmp: 'x' }, agentOps.status.name, 2, "bad nmp 'x'"],
    [{ nmp: 7 }, agentOps.status.name, 2, 'NMP7 is not a mirror disk of this cluster'],
    [{ nmp: 1, kind: 'purple' }, agentOps.force.name, 2, "bad force kind 'purple'"],
    [{ nmp: 1, mode: 'rm -rf' }, agentOps.recover.name, 2, "bad recovery mode 'rm -rf'"],
    [{}, clOps.stop.name, 2, `unknown operation '${clOps.stop.name}'`],
  ];
  for (const [args, op, code, message] of asks) t.same(await client.request('server1', { op, args }), { code, message }, `${op} ${JSON.stringify(args)}`);
  // A request signed for the control channel (29001) is refused on this one.
  await t.rejects(new PeerClient('server2', () => ['127.0.0.1'], port, Buffer.from('k'.repeat(16)), 2000).request('server1', { op: agentOps.status.name, args: { nmp: 1 } }), /connection closed by the peer|failed authentication/);
  t.same(a.ctl().slice(2), [], 'nothing reached the driver');
  t.equal((await a.agent.view('md1')).resource, 'md1', 'the agent still answers');
});

t.test('start refused: a server without a mirror address', async (t) => {
  const port = await freeTcpPort();
  // Past the parser, which refuses it: the agent checks again at start.
  const a = box('server1', port, undefined, (c) => { for (const r of c.resources) if (r.type === 'md') delete r.addresses.server2; });
  await t.rejects(a.agent.start(), /IP address in config file is wrong/);
  t.same(a.events, ['mdagent 2 Failed to start agent. IP address in config file is wrong.']);
});

t.test('initial construction: both never constructed, server1 copies in full; mdw/mdnw', async (t) => {
  const port = await freeTcpPort();
  const a = box('server1', port), b = box('server2', port);
  const blank = st({ state: 'STALE', gen: 1, peerGen: 0, dirty: 16384, lastUpdate: 0 });
  a.setStatus(blank); b.setStatus(blank);
  await a.agent.start(); await b.agent.start();
  t.teardown(async () => { await a.agent.stop(); await b.agent.stop(); });
  t.same(await a.agent.mdw('md1', true), { code: 58, message: 'Local mirror disk status is unknown or not constructed.(md1)' });
  await b.agent.tick();
  await a.agent.tick();
  t.same(a.ctl().slice(1), ['recover 1 full'], 'no resource active, yet the initial construction runs');
  t.same(b.ctl().slice(1), [], 'from server1 only');
  t.same(a.events.slice(1), ['mdadm 7 Recovery mode is Full.', 'mdadm 16 Initial recovery of mirror disk started.(Device:/dev/NMP1)']);
  a.setStatus({ ...blank, state: 'SYNC', recovery: 'done', dirty: 0, gen: 2, peerGen: 2 });
  b.setStatus({ ...blank, state: 'SYNC', recovery: 'done', dirty: 0, gen: 2, peerGen: 2 });
  await a.agent.tick();
  t.equal(a.events.at(-1), 'mdadm 18 Initial recovery of mirror disk has finished successfully.(Device:/dev/NMP1)');
  t.equal(await a.agent.mdw('md1', true), undefined, 'mdw: normal');
  t.equal(a.agent.mdnw('md1'), undefined, 'mdnw: linked');
  a.setStatus({ ...blank, state: 'BREAK', conn: 'disconnected', gen: 3, peerGen: 2, dirty: 5 });
  t.same(a.agent.mdnw('md1'), { code: 31, message: 'Network was interrupted' });
  t.same(await a.agent.mdw('md1', true), { code: 64, message: 'Remote mirror disk is abnormal.(md1)' });
  t.same(a.agent.mdnw('nope'), { code: 5, message: 'Monitor config error.(nope)' });

  // A failed initial construction: mdadm 19.
  a.setStatus(blank); b.setStatus(blank);
  await a.agent.tick();
  a.setStatus({ ...blank, recovery: 'failed' });
  await a.agent.tick();
  t.equal(a.events.at(-1), 'mdadm 19 Initial recovery of mirror disk finished abnormally. The source server is abnormal.(Device:/dev/NMP1)');
  await a.agent.tick();
  t.equal(a.ctl().filter((l) => l.startsWith('recover')).length, 2, 'no immediate retry after a failure');
  // An operator's recovery is not held back.
  t.match(await a.agent.recovery('md1'), /recovery server1 -> server2 \(full copy\) started/);
});

t.test('before linking again, the outdated side is declared so; a divergence keeps the link down', async (t) => {
  const port = await freeTcpPort();
  const a = box('server1', port), b = box('server2', port);
  await a.agent.start(); await b.agent.start();
  t.teardown(async () => { await a.agent.stop(); await b.agent.stop(); });
  const down = { conn: 'disconnected' as const };
  const alone = { ...down, state: 'BREAK' as const, gen: 6, peerGen: 5, dirty: 50 };
  const quiet = { ...down, state: 'SYNC' as const, gen: 5, peerGen: 5 };
  const cases: Array<[string, object, object, string[], string[]]> = [
    ['server1 went on alone', { ...alone, port: 'open' }, quiet, ['connect 1'], ['force 1 red']],
    ['server2 went on alone', quiet, alone, ['force 1 red', 'connect 1'], []],
    ['both went on alone: link kept down', alone, alone, [], []],
    ['the outdated side is active: link kept down', alone, { ...quiet, port: 'open' }, [], []],
    ['already STALE: just link', alone, { ...quiet, state: 'STALE' }, ['connect 1'], []],
    ['nothing moved: just link', quiet, quiet, ['connect 1'], []],
  ];
  for (const [name, sa, sb, wantA, wantB] of cases) {
    a.setStatus(st(sa)); b.setStatus(st(sb));
    const na = a.ctl().length, nb = b.ctl().length;
    await b.agent.tick();
    t.same(b.ctl().slice(nb), [], `${name}: server2 neither settles nor dials`);
    await a.agent.tick();
    t.same(a.ctl().slice(na), wantA, `${name}: server1`);
    t.same(b.ctl().slice(nb), wantB, `${name}: server2`);
  }
});
