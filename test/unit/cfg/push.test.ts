// The push protocol between two servers' registries (the peer channel replaced by a direct call
// that keeps its JSON round trip and its origin): both or neither, generations, a server down,
// the key never in clear, the state each reflect method needs, bad input.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import t, { type Test } from 'tap';
import { catchUp, serveCfgOps, type CfgDeps } from '../../../src/cfg/ops';
import { cfgOps, MAX_CONFIG_BYTES } from '../../../src/cfg/protocol';
import { ConfigStore } from '../../../src/cfg/store';
import { generationOf } from '../../../src/config/generation';
import { call, requestOf } from '../../../src/control/op';
import { Registry } from '../../../src/control/registry';
import type { ControlReply, ControlRequest, PeerControl } from '../../../src/control/types';
import { iniText, type Section } from '../../helpers/config';

const servers = ['server1', 'server2'];
const sections = (extra: Section[] = [], generation = 1): Section[] => [
  ['cluster', { name: 'c', key_file: 'cluster.key', generation }],
  ['timeouts', { hb_interval: 1000, hb_timeout: 5000 }],
  ['server server1', {}], ['server server2', {}],
  ['heartbeat lanhb1', { type: 'lanhb', server1: '10.0.0.1', server2: '10.0.0.2' }],
  ['group g1', { servers: 'server1,server2' }],
  ...extra,
];
const initial = iniText(sections());

function pair(t: Test) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-cfg-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const key = randomBytes(32);
  const down = new Set<string>();
  const wire: string[] = [];
  const regs: Record<string, Registry> = {};
  const state: Record<string, { running: boolean; suspended: boolean; restarts: string[] }> = {};
  const deps: Record<string, CfgDeps> = {};
  const applied: Record<string, string> = { server1: initial, server2: initial };
  for (const s of servers) {
    fs.mkdirSync(path.join(dir, s));
    fs.writeFileSync(path.join(dir, s, 'clp.conf'), initial);
    fs.writeFileSync(path.join(dir, s, 'cluster.key'), key, { mode: 0o600 });
    regs[s] = new Registry();
    state[s] = { running: false, suspended: false, restarts: [] };
    const peer: PeerControl = {
      async request(to: string, req: ControlRequest): Promise<ControlReply> {
        if (down.has(to)) throw new Error(`server ${to} cannot be reached`);
        const json = JSON.stringify(req);
        wire.push(json);
        return JSON.parse(JSON.stringify(await regs[to].dispatch(JSON.parse(json), { server: s, local: false })));
      },
    };
    deps[s] = {
      store: new ConfigStore(path.join(dir, s, 'clp.conf'), s), key: () => key, applied: () => applied[s], setApplied: (text) => { applied[s] = text; }, peer, local: s, servers,
      daemon: () => state[s], restart: async (m) => { state[s].restarts.push(m); return { code: 0 }; },
    };
    serveCfgOps(regs[s], deps[s]);
  }
  const local = (s: string) => (req: ControlRequest) => regs[s].dispatch(JSON.parse(JSON.stringify(req)), { local: true });
  const file = (s: string, f = 'clp.conf') => fs.readFileSync(path.join(dir, s, f));
  return { dir, key, down, wire, regs, state, deps, local, file };
}

t.test('a push reaches both servers, raises the generation, and an older one is refused', async (t) => {
  const p = pair(t);
  const text = iniText(sections([['group g2', { servers: 'server2,server1' }]]));
  let r = await call(p.local('server1'), cfgOps.push, { text, force: false });
  t.equal(r.code, 0, r.message ?? '');
  t.equal(r.data?.method, 'daemon');
  t.equal(r.data?.next, 2, 'same generation as the cluster: the next one');
  for (const s of servers) {
    t.equal(generationOf(p.file(s).toString()), 2, `${s} holds generation 2`);
    t.match(p.file(s).toString(), /\[group g2\]/);
    t.notOk(fs.existsSync(path.join(p.dir, s, 'clp.conf.staged')), 'nothing left staged');
  }
  r = await call(p.local('server2'), cfgOps.push, { text, force: false });
  t.equal(r.code, 1, 'the old generation 1 again');
  t.match(r.message, /generation 1, older than the cluster's 2: pull the current one/);
  // A server refuses it even when asked directly.
  const prepared = await call((req) => p.regs.server2.dispatch(req, { server: 'server1', local: false }), cfgOps.prepare, { text: iniText(sections([], 2)), generation: 2 });
  t.equal(prepared.code, 1);
  t.match(prepared.message, /generation 2 is not newer than this server's 2: refused/);
  const pulled = await call(p.local('server1'), cfgOps.get, {});
  t.equal(pulled.data?.generation, 2);
  t.equal(pulled.data?.keyBase64, p.key.toString('base64'), 'a local pull has the key (root-only socket)');
});

t.test('both or neither: one server refusing leaves both on the old configuration', async (t) => {
  const p = pair(t);
  // server2 cannot load it: its key_file names a file it does not have.
  fs.writeFileSync(path.join(p.dir, 'server1', 'other.key'), randomBytes(32), { mode: 0o600 });
  const text = iniText(sections()).replace('key_file = cluster.key', 'key_file = other.key');
  const r = await call(p.local('server1'), cfgOps.push, { text, force: false });
  t.equal(r.code, 1);
  t.match(r.message, /no server took the configuration:\nserver2: .*other\.key.*cannot read the cluster key/);
  for (const s of servers) {
    t.equal(p.file(s).toString(), initial, `${s} unchanged`);
    t.notOk(fs.existsSync(path.join(p.dir, s, 'clp.conf.staged')), `${s}: the staged copy is gone`);
  }
});

t.test('a server down: refused, then forced, and the server catches up when it is back', async (t) => {
  const p = pair(t);
  p.down.add('server2');
  const text = iniText(sections([['group g2', { servers: 'server2,server1' }]]));
  let r = await call(p.local('server1'), cfgOps.push, { text, force: false });
  t.equal(r.code, 1);
  t.match(r.message, /server2 cannot be reached; push with --force/);
  t.equal(p.file('server1').toString(), initial, 'nothing pushed');
  const newKey = randomBytes(32);
  r = await call(p.local('server1'), cfgOps.push, { text, force: true, keyBase64: newKey.toString('base64') });
  t.match(r.message, /a new cluster key needs every server up/, 'a new key is never forced');
  r = await call(p.local('server1'), cfgOps.push, { text, force: true });
  t.equal(r.code, 0, r.message ?? '');
  t.same(r.data?.down, ['server2']);
  t.equal(generationOf(p.file('server1').toString()), 2);
  t.equal(generationOf(p.file('server2').toString()), 1, 'server2 missed it');
  p.down.delete('server2');
  const took = await catchUp(p.deps.server2);
  t.equal(took, 'took the configuration of generation 2 from server1');
  t.equal(p.file('server2').toString(), p.file('server1').toString(), 'the same file on both');
  t.equal(await catchUp(p.deps.server2), undefined, 'nothing newer: nothing to do');
});

t.test('a new cluster key travels encrypted, never in clear', async (t) => {
  const p = pair(t);
  const newKey = randomBytes(32);
  const r = await call(p.local('server1'), cfgOps.push, { text: initial, force: false, keyBase64: newKey.toString('base64') });
  t.equal(r.code, 0, r.message ?? '');
  t.equal(r.data?.method, 'reboot', 'a new key is read with the process');
  for (const s of servers) t.ok(p.file(s, 'cluster.key').equals(newKey), `${s} has the new key`);
  t.equal(fs.statSync(path.join(p.dir, 'server2', 'cluster.key')).mode & 0o777, 0o600);
  const wire = p.wire.join('\n');
  for (const form of [newKey.toString('base64'), newKey.toString('hex')]) t.notOk(wire.includes(form), 'the key is not on the wire');
  t.ok(p.wire.some((w) => w.includes('"salt"')), 'an encrypted key was sent');
  // Another cluster's key cannot decrypt it.
  const bad = await call((req) => p.regs.server2.dispatch(req, { server: 'server1', local: false }), cfgOps.prepare,
    { text: iniText(sections()).replace('generation = 1', 'generation = 9'), generation: 9, key: { salt: 'AAAA', iv: 'AAAAAAAAAAAAAAAA', data: 'AAAA', tag: 'AAAAAAAAAAAAAAAAAAAAAA==' } });
  t.equal(bad.code, 1);
  t.match(bad.message, /cannot be decrypted with this server's cluster key/);
});

t.test('a push needs the state its reflect method applies from', async (t) => {
  const p = pair(t);
  p.state.server2.running = true;
  const timeout = iniText(sections()).replace('hb_timeout = 5000', 'hb_timeout = 8000');
  let r = await call(p.local('server1'), cfgOps.push, { text: timeout, force: false });
  t.equal(r.code, 1);
  t.match(r.message, /server2: the cluster daemon is not suspended, and the change needs a suspend\/resume/);
  p.state.server2.suspended = true;
  r = await call(p.local('server1'), cfgOps.push, { text: timeout, force: false });
  t.equal(r.code, 0, 'suspended: pushed');
  t.equal(r.data?.method, 'suspend');
  const group = iniText(sections([['group g2', { servers: 'server1' }]], 2));
  r = await call(p.local('server1'), cfgOps.push, { text: group, force: false });
  t.match(r.message, /server2: the cluster daemon is running, and the change needs a cluster daemon stop\/start: stop it first \(clpcl -t -a\)\n\[group g2\] servers/);
  t.equal(generationOf(p.file('server2').toString()), 2, 'not pushed');
  const alert = iniText(sections([['alert', { sync: 'false' }]], 2));
  r = await call(p.local('server1'), cfgOps.push, { text: alert, force: false });
  t.equal(r.code, 0, 'an alert sync change applies while running');
  for (const s of servers) t.same(p.state[s].restarts, ['alertsync'], `alert sync restarted on ${s}`);
  t.match(p.deps.server2.applied(), /sync = false/, 'a change of no more than an upload is in effect at once');
  p.deps.server2.restart = async () => ({ code: 1, message: 'no' });
  r = await call(p.local('server1'), cfgOps.push, { text: iniText(sections([['alert', { sync: 'true' }]], 3)), force: false });
  t.equal(r.code, 1, 'a restart that failed is not a success');
  t.match(r.message, /pushed, but not in effect:\nserver2: alertsync restart: no/);
});

t.test('bad input is refused with the reason, and never throws', async (t) => {
  const p = pair(t);
  const peer = (req: ControlRequest) => p.regs.server2.dispatch(req, { server: 'server1', local: false });
  const cases: Array<[ControlRequest, RegExp, (r: ControlRequest) => Promise<ControlReply>]> = [
    [{ op: cfgOps.prepare.name, args: { text: 5, generation: 1 } }, /text must be the clp.conf text/, peer],
    [{ op: cfgOps.prepare.name, args: { text: 'x'.repeat(MAX_CONFIG_BYTES + 1), generation: 1 } }, /at most 262144/, peer],
    [{ op: cfgOps.prepare.name, args: { text: '', generation: -1 } }, /generation must be a non-negative integer/, peer],
    [{ op: cfgOps.prepare.name, args: { text: '', generation: 1, key: 'plain' } }, /key must be an encrypted key/, peer],
    [{ op: cfgOps.commit.name, args: { generation: 1.5 } }, /generation must be/, peer],
    [{ op: cfgOps.restart.name, args: { method: 'reboot' } }, /method must be 'alertsync' or 'webmgr'/, peer],
    [requestOf(cfgOps.push, { text: initial, force: true }), /served on the local control socket only/, peer],
    [{ op: cfgOps.prepare.name, args: { text: initial, generation: 2 } }, /served to the other servers only/, p.local('server2')],
    [{ op: cfgOps.push.name, args: { text: initial, keyBase64: 'not base64!' } }, /keyBase64 must be/, p.local('server1')],
  ];
  for (const [req, why, send] of cases) {
    const r = await send(req);
    t.equal(r.code, 2, `${req.op}: refused`);
    t.match(r.message, why);
  }
  const committed = await call(peer, cfgOps.commit, { generation: 3 });
  t.match(committed.message, /no configuration of generation 3 is prepared here/);
  const pushed = await call(p.local('server1'), cfgOps.push, { text: '[cluster]\nname = c\nbogus\n', force: false });
  t.equal(pushed.code, 1);
  t.match(pushed.message, /clp\.conf:3: \[cluster\]: expected 'key = value', got 'bogus'/, 'a parse error names file and line');
  const mismatched = await call(peer, cfgOps.prepare, { text: iniText(sections()).replace('generation = 1', 'generation = 3'), generation: 2 });
  t.match(mismatched.message, /the configuration says generation 3, the push 2/);
});
