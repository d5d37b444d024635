// The web manager's server against a real local control socket serving the same ops the
// runtime serves (stub handlers record what they are asked): logins, roles, sessions, CSRF,
// the failed-login limit and its alert lines, actions reaching the ops, /metrics.
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { LocalControl, request } from '../../../src/control/local';
import { Registry } from '../../../src/control/registry';
import { rcOps } from '../../../src/group/protocol';
import { nmOps } from '../../../src/nm/protocol';
import { clOps, pmOps, type DaemonStatus } from '../../../src/pm/protocol';
import { alertOps } from '../../../src/events/protocol';
import { HostPlatform } from '../../../src/platform/host';
import { Accounts } from '../../../src/web/accounts';
import { LoginLimiter } from '../../../src/web/limiter';
import { createMetrics } from '../../../src/web/metrics';
import { createServer } from '../../../src/web/server';
import { Sessions } from '../../../src/web/sessions';
import { ensureTls, tlsFiles } from '../../../src/web/tls';
import type { ClusterConfig } from '../../../src/config/types';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-web-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

const view = {
  cluster: 'c', local: 'server1', suspended: false, ratio: { value: 1 },
  servers: [{ name: 'server1', index: 0, status: 'Online' }, { name: 'server2', index: 1, status: 'Offline' }],
  heartbeats: [{ name: 'lanhb1', index: 0, type: 'lanhb' }],
  matrix: [[['o'], ['x']], [['-'], ['-']]],
};
const asked: Array<{ op: string; args: unknown }> = [];
const registry = new Registry();
registry.serve(nmOps.view, async () => ({ code: 0, data: view as never }));
registry.serve(nmOps.stats, async () => ({ code: 0, data: { sent: 5, received: 4, dropped: { lanhb1: { auth: 2 } } } as never }));
registry.serve(rcOps.cluster, async () => ({ code: 0, data: { groups: [{ name: 'failover1', state: 'Online', current: ['server1'], resources: [] }], monitors: [] } as never }));
registry.serve(rcOps.status, async () => ({ code: 0, data: [{ name: 'failover1', state: 'Online', resources: [], failovers: 3 }] as never }));
const daemonStatus: DaemonStatus = { daemon: 'running', server: 'server1', pid: process.pid, loopLag: { p50Ms: 10.2, p99Ms: 20.5, maxMs: 130, samples: 40 } };
registry.serve(pmOps.status, async () => ({ code: 0, data: daemonStatus }));
registry.serve(alertOps.read, async () => ({ code: 0, data: [] }));
registry.serve(rcOps.move, async (args) => { asked.push({ op: rcOps.move.name, args }); return { code: 0 }; });
registry.serve(clOps.suspend, async (args) => { asked.push({ op: clOps.suspend.name, args }); return { code: 0 }; });
const sock = path.join(dir, 'run', 'pairha.sock');
const control = new LocalControl(sock, registry);
const send = (req: Parameters<typeof request>[1], tm?: number) => request(sock, req, tm);

const alerts: string[] = [];
const accounts = new Accounts(path.join(dir, 'etc', 'web', 'accounts.json'));
let clock = 1_000_000;
const sessions = new Sessions({ idleMs: 60_000, absoluteMs: 600_000 }, () => clock);
const config = { resources: [] } as unknown as ClusterConfig;
let port = 0;
let server: https.Server;

interface Res { status: number; body: any; headers: Record<string, string | string[] | undefined>; text: string }
function req(method: string, p: string, o: { body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const payload = o.raw ?? (o.body !== undefined ? JSON.stringify(o.body) : undefined);
    const r = https.request({ host: '127.0.0.1', port, path: p, method, rejectUnauthorized: false, headers: { ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...o.headers } }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => { let body: unknown; try { body = JSON.parse(text); } catch { body = undefined; } resolve({ status: res.statusCode!, body, headers: res.headers, text }); });
    });
    r.on('error', reject);
    r.end(payload);
  });
}
const sid = (r: Res) => /pairha_sid=([^;]*)/.exec(String(r.headers['set-cookie']))![1];

t.before(async () => {
  await control.start();
  const tls = await ensureTls(path.join(dir, 'etc', 'web'), 'server1', new HostPlatform({ powerRecord: '' }));
  server = createServer(tls, {
    send, config: () => config, accounts, sessions, limiter: new LoginLimiter(3, 60_000, () => clock),
    metrics: createMetrics(send, () => config, path.join(dir, 'liscal')), assets: path.resolve(__dirname, '..', '..', '..', 'web'),
    loginFailed: (user, address) => alerts.push(`${user} from ${address}`),
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
t.teardown(async () => { server.close(); server.closeAllConnections(); await control.stop(); });

t.test('the certificate is made once, kept, and a half-replaced pair is refused', async (t) => {
  const f = tlsFiles(path.join(dir, 'etc', 'web'));
  t.equal(fs.statSync(f.key).mode & 0o777, 0o600, 'key is 0600');
  const again = await ensureTls(path.join(dir, 'etc', 'web'), 'server1', new HostPlatform({ powerRecord: '' }));
  t.equal(again.generated, false, 'an existing pair is kept (replaceable by the operator)');
  const half = path.join(dir, 'half');
  fs.mkdirSync(half);
  fs.writeFileSync(path.join(half, 'server.crt'), 'x');
  await t.rejects(ensureTls(half, 'server1', new HostPlatform({ powerRecord: '' })), /server\.key is missing while .*server\.crt exists/);
});

t.test('before any account every login is refused and points at the console', async (t) => {
  const r = await req('POST', '/api/login', { body: { user: 'admin', password: 'whatever1' } });
  t.equal(r.status, 403);
  t.match(r.body.message, /serial console \(clpwebpasswd\)/);
});

t.test('accounts: scrypt hashes on file, precise refusals', async (t) => {
  await accounts.setPassword('admin', 'correct horse', 'operator');
  await accounts.setPassword('viewer', 'just looking', 'readonly');
  const text = fs.readFileSync(accounts.file, 'utf8');
  t.notMatch(text, /correct horse/, 'no clear password on file');
  t.equal(fs.statSync(accounts.file).mode & 0o777, 0o600);
  t.equal(await accounts.verify('admin', 'correct horse'), 'operator');
  t.equal(await accounts.verify('admin', 'correct horsE'), undefined);
  t.equal(await accounts.verify('nobody', 'correct horse'), undefined);
  await t.rejects(accounts.setPassword('admin', 'short', 'operator'), /too short \(at least 8/);
  await t.rejects(accounts.setPassword('bad name', 'long enough', 'operator'), /bad user name 'bad name'/);
  fs.writeFileSync(path.join(dir, 'broken.json'), '{');
  t.throws(() => new Accounts(path.join(dir, 'broken.json')).empty(), /broken\.json: not JSON/);
});

t.test('nothing without a login', async (t) => {
  for (const p of ['/api/cluster', '/api/alerts', '/api/mirrors', '/api/health', '/api/session']) t.equal((await req('GET', p)).status, 401, p);
  t.equal((await req('GET', '/metrics')).status, 401, '/metrics');
  t.equal((await req('POST', '/api/action/cluster-suspend', { body: {} })).status, 401);
  const page = await req('GET', '/');
  t.equal(page.status, 200, 'the page shell is public');
  t.match(page.headers['content-security-policy'], /default-src 'self'/);
  t.equal((await req('GET', '/../etc/passwd')).status, 404);
  t.equal(asked.length, 0, 'no op was called');
});

t.test('wrong passwords: logged to the alert log, then rate-limited', async (t) => {
  for (let i = 1; i <= 3; i++) {
    const r = await req('POST', '/api/login', { body: { user: 'admin', password: `guess${i}xxx` } });
    t.equal(r.status, 401, `guess ${i} refused`);
  }
  t.equal(alerts.length, 3);
  t.equal(alerts[0], 'admin from 127.0.0.1', 'each failure is reported with the user and the address');
  const r = await req('POST', '/api/login', { body: { user: 'admin', password: 'correct horse' } });
  t.equal(r.status, 429, 'even the right password waits once the limit is reached');
  t.match(r.body.message, /too many failed logins from 127\.0\.0\.1: try again in 60 s/);
  clock += 61_000;
  t.equal((await req('POST', '/api/login', { body: { user: 'admin', password: 'correct horse' } })).status, 200, 'after the window');
});

t.test('bad login bodies get precise errors', async (t) => {
  t.match((await req('POST', '/api/login', { raw: '{"user":' })).body.message, /the body is not JSON/);
  t.match((await req('POST', '/api/login', { body: { user: 1 } })).body.message, /'user' and 'password' strings expected/);
  t.equal((await req('POST', '/api/login', { raw: 'user=a&password=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status, 415, 'a plain form post is refused');
  t.equal((await req('POST', '/api/login', { raw: 'x'.repeat(20000) })).status, 413);
});

t.test('an operator session: reads, actions through the ops, CSRF and Origin checked', async (t) => {
  const login = await req('POST', '/api/login', { body: { user: 'admin', password: 'correct horse' } });
  t.equal(login.status, 200);
  t.match(String(login.headers['set-cookie']), /HttpOnly; Secure; SameSite=Strict/);
  const cookie = `pairha_sid=${sid(login)}`;
  const csrf = login.body.csrf as string;
  const c = await req('GET', '/api/cluster', { headers: { cookie } });
  t.equal(c.body.view.servers[0].status, 'Online');
  t.equal(c.body.groups.groups[0].current[0], 'server1');
  t.same(c.body.daemon, { daemon: 'running', server: 'server1', pid: process.pid }, "the page's data leaves out the event-loop lag (it changes at every read: the page would be redrawn under the operator's click)");

  let r = await req('POST', '/api/action/group-move', { body: { group: 'failover1', host: 'server2' }, headers: { cookie } });
  t.equal(r.status, 403, 'no CSRF token');
  t.match(r.body.message, /CSRF token/);
  r = await req('POST', '/api/action/group-move', { body: { group: 'failover1', host: 'server2' }, headers: { cookie, 'x-csrf-token': csrf, origin: 'https://evil.example' } });
  t.equal(r.status, 403, 'cross-site Origin');
  t.match(r.body.message, /cross-site request refused \(Origin https:\/\/evil\.example\)/);
  t.equal(asked.length, 0, 'the forged requests reached no op');

  r = await req('POST', '/api/action/group-move', { body: { group: 'failover1' }, headers: { cookie, 'x-csrf-token': csrf } });
  t.equal(r.status, 400);
  t.equal(r.body.message, 'group-move: host is missing', "the op's own checker names what is missing");
  r = await req('POST', '/api/action/server-reboot', { body: {}, headers: { cookie, 'x-csrf-token': csrf } });
  t.equal(r.body.message, 'server-reboot: host is missing');
  r = await req('POST', '/api/action/nope', { body: {}, headers: { cookie, 'x-csrf-token': csrf } });
  t.equal(r.status, 404);
  t.match(r.body.message, /unknown action 'nope' \(known: cluster-start/);

  r = await req('POST', '/api/action/group-move', { body: { group: 'failover1', host: 'server2' }, headers: { cookie, 'x-csrf-token': csrf, origin: `https://127.0.0.1:${port}` } });
  t.equal(r.status, 200, r.text);
  r = await req('POST', '/api/action/cluster-suspend', { body: {}, headers: { cookie, 'x-csrf-token': csrf } });
  t.equal(r.status, 200, r.text);
  t.same(asked, [{ op: rcOps.move.name, args: { group: 'failover1', host: 'server2' } }, { op: clOps.suspend.name, args: { all: true } }], 'the same ops and arguments as clpgrp -m and clpcl --suspend');

  t.equal((await req('POST', '/api/logout', { body: {}, headers: { cookie, 'x-csrf-token': csrf } })).status, 200);
  t.equal((await req('GET', '/api/cluster', { headers: { cookie } })).status, 401, 'logged out');
});

t.test('the read-only role reads but cannot act', async (t) => {
  const login = await req('POST', '/api/login', { body: { user: 'viewer', password: 'just looking' } });
  const cookie = `pairha_sid=${sid(login)}`;
  t.equal((await req('GET', '/api/alerts', { headers: { cookie } })).status, 200);
  const r = await req('POST', '/api/action/cluster-suspend', { body: {}, headers: { cookie, 'x-csrf-token': login.body.csrf } });
  t.equal(r.status, 403);
  t.equal(r.body.message, "/api/action/cluster-suspend needs the operator role; 'viewer' is readonly");
});

t.test('sessions expire when idle and after their absolute life', async (t) => {
  const s = new Sessions({ idleMs: 1000, absoluteMs: 5000 }, () => clock);
  const a = s.create('admin', 'operator');
  clock += 900; t.ok(s.get(a.id), 'used within the idle time');
  clock += 900; t.ok(s.get(a.id), 'each use restarts the idle time');
  clock += 1001; t.notOk(s.get(a.id), 'idle too long');
  const b = s.create('admin', 'operator');
  for (let i = 0; i < 6; i++) { clock += 900; s.get(b.id); }
  t.notOk(s.get(b.id), 'past its absolute life, however busy');
  const login = await req('POST', '/api/login', { body: { user: 'viewer', password: 'just looking' } });
  clock += 61_000;
  t.equal((await req('GET', '/api/cluster', { headers: { cookie: `pairha_sid=${sid(login)}` } })).status, 401, 'the server forgets an idle session');
});

t.test('/metrics with a token, in Prometheus text format', async (t) => {
  const token = accounts.newToken('prometheus');
  fs.mkdirSync(path.join(dir, 'liscal'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'liscal', 'stats'), 'NMP1 fast=7 queued=3 intent=1 meta=0 noflush=0 queue=10/500 total=10/2500000 rxack=0/0\ngarbage line\n');
  t.equal((await req('GET', '/metrics', { headers: { authorization: 'Bearer wrong' } })).status, 401);
  const r = await req('GET', '/metrics', { headers: { authorization: `Bearer ${token}` } });
  t.equal(r.status, 200);
  t.match(r.headers['content-type'], /text\/plain/);
  t.match(r.text, /pairha_server_up\{server="server1"\} 1/);
  t.match(r.text, /pairha_server_up\{server="server2"\} 0/);
  t.match(r.text, /pairha_heartbeat_up\{server="server2",heartbeat="lanhb1"\} 0/);
  t.match(r.text, /pairha_heartbeat_dropped\{heartbeat="lanhb1",reason="auth"\} 2/);
  t.match(r.text, /pairha_group_failovers\{group="failover1"\} 3/);
  t.match(r.text, /pairha_runtime_resident_bytes \d+/);
  t.match(r.text, /pairha_runtime_event_loop_lag_seconds\{quantile="0\.99"\} 0\.0205/, "the runtime's event-loop lag (pm.status), in seconds");
  t.match(r.text, /pairha_runtime_event_loop_lag_seconds\{quantile="1"\} 0\.13/);
  t.match(r.text, /pairha_liscal_writes\{nmp="NMP1",stage="total"\} 10/, 'liscal write counts from /proc/liscal/stats');
  t.match(r.text, /pairha_liscal_stage_seconds\{nmp="NMP1",stage="total"\} 2\.5/, 'and the time spent (latency = seconds / writes)');
  t.match(r.text, /pairha_web_nodejs_eventloop_lag_seconds/);
  t.equal((await req('POST', '/api/action/cluster-suspend', { body: {}, headers: { authorization: `Bearer ${token}` } })).status, 403, 'a read-only token cannot act');
});

t.test('clpwebpasswd sets the first password from the console (stdin), twice-typed', async (t) => {
  const etc = path.join(dir, 'etc2');
  const cli = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli', 'pairha.js');
  const run = (args: string[], input: string) => spawnSync(process.execPath, [cli, 'clpwebpasswd', ...args], { input, encoding: 'utf8', env: { ...process.env, PAIRHA_ETC: etc } });
  let r = run(['admin'], 'first secret\nother secret\n');
  t.equal(r.status, 1);
  t.match(r.stderr, /the two passwords differ; nothing changed/);
  r = run(['admin'], 'first secret\nfirst secret\n');
  t.equal(r.status, 0, r.stderr);
  t.equal(await new Accounts(path.join(etc, 'web', 'accounts.json')).verify('admin', 'first secret'), 'operator');
  r = run(['admin', '-r', 'boss'], '');
  t.equal(r.status, 2);
  t.match(r.stderr, /-r: 'boss' is not a role/);
  r = run(['-l'], '');
  t.equal(r.stdout, 'admin\toperator\n');
});
