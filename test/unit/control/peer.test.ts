// The peer channel over real loopback TCP (issue 13): a long op completes once and reports
// once; who may call an op is checked before its arguments; a request reflected back to its
// sender is refused; a peer's fan-out runs on the server it reached only.
import t from 'tap';
import { fanOut } from '../../../src/control/fan-out';
import { call, defineOp, toServer, type Op } from '../../../src/control/op';
import { AUTH_MS, PeerClient, PeerServer } from '../../../src/control/peer';
import { Registry } from '../../../src/control/registry';
import type { ControlReply } from '../../../src/control/types';
import { nullLogger } from '../../../src/logger';
import { mdOps } from '../../../src/mirror/protocol';
import type { Membership } from '../../../src/nm/membership';
import { serveMembershipOps } from '../../../src/nm/ops';
import { nmOps } from '../../../src/nm/protocol';
import { clOps, pmOps } from '../../../src/pm/protocol';
import { freeTcpPort } from '../../helpers/ports';

const key = Buffer.from('k'.repeat(16));
const servers = ['server1', 'server2'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** server1's peer channel on the given loopback addresses, serving reg. */
async function server1(t: { teardown(fn: () => unknown): void }, reg: Registry, addresses: string[]) {
  const port = await freeTcpPort();
  const s = new PeerServer(addresses, port, key, 'server1', servers, reg, nullLogger);
  await s.start();
  t.teardown(() => s.stop());
  return { s, port };
}

t.test('a handler running longer than the authentication deadline completes once, and its reply arrives', async (t) => {
  const slow = defineOp<Record<string, never>, string>('test.slow', () => ({}), { timeoutMs: AUTH_MS + 10000 });
  let runs = 0;
  const reg = new Registry();
  reg.serve(slow, async () => { runs++; await sleep(AUTH_MS + 1500); return { code: 0, data: 'up' }; });
  const { port } = await server1(t, reg, ['127.0.0.1', '127.0.0.2']);
  // The client's default (2 s) is a query's; the op's own budget applies.
  const client = new PeerClient('server2', () => ['127.0.0.1', '127.0.0.2'], port, key, 2000);
  t.same(await call(toServer(client, 'server1'), slow, {}), { code: 0, data: 'up' });
  t.equal(runs, 1, 'ran exactly once with two addresses');
});

t.test('stop() does not wait for a request still being served: its connection is ended', async (t) => {
  const hang = defineOp<Record<string, never>>('test.hang', () => ({}), { timeoutMs: 60000 });
  let started!: () => void;
  const running = new Promise<void>((r) => { started = r; });
  const reg = new Registry();
  reg.serve(hang, async () => { started(); return new Promise(() => {}); });
  const port = await freeTcpPort();
  const s = new PeerServer(['127.0.0.1'], port, key, 'server1', servers, reg, nullLogger);
  await s.start();
  t.teardown(() => s.stop());
  const client = new PeerClient('server2', () => ['127.0.0.1'], port, key, 2000);
  const reply = call(toServer(client, 'server1'), hang, {}).then(() => 'answered', (e: Error) => `failed: ${e.message}`);
  await running;
  // (before: close() waited for the handler, here forever; a runtime's exit waited with it)
  const stopped = await Promise.race([s.stop().then(() => 'stopped'), sleep(10000).then(() => 'still waiting after 10 s')]);
  t.equal(stopped, 'stopped');
  t.match(await reply, /^failed: /, 'the caller learns the request was cut');
});

t.test('a request that reached the server is not sent again on the next address', async (t) => {
  const slow = defineOp<Record<string, never>>('test.slow', () => ({}));
  let runs = 0;
  const reg = new Registry();
  reg.serve(slow, async () => { runs++; await sleep(1500); return { code: 0 }; });
  const { port } = await server1(t, reg, ['127.0.0.1', '127.0.0.2']);
  const client = new PeerClient('server2', () => ['127.0.0.1', '127.0.0.2'], port, key, 500);
  await t.rejects(call(toServer(client, 'server1'), slow, {}), /server server1 gave no answer \(127\.0\.0\.1: no reply within 500 ms; not sent again/);
  await sleep(2000);
  t.equal(runs, 1, 'one run: the timeout was not retried on 127.0.0.2');
  // Only a connect failure moves on: nothing listens on 127.0.0.3.
  const moving = new PeerClient('server2', () => ['127.0.0.3', '127.0.0.1'], port, key, 5000);
  t.same(await call(toServer(moving, 'server1'), slow, {}), { code: 0 });
  t.equal(runs, 2);
});

t.test('a request claiming to come from this server is refused (reflection)', async (t) => {
  let runs = 0;
  const reg = new Registry();
  reg.serve(pmOps.power, async () => { runs++; return { code: 0 }; });
  const { s, port } = await server1(t, reg, ['127.0.0.1']);
  const reflected = new PeerClient('server1', () => ['127.0.0.1'], port, key, 2000);
  await t.rejects(reflected.request('server1', { op: pmOps.power.name, args: {} }), /connection closed by the peer/);
  t.equal(s.dropped.reflected, 1);
  const stranger = new PeerClient('server9', () => ['127.0.0.1'], port, key, 2000);
  await t.rejects(stranger.request('server1', { op: pmOps.power.name, args: {} }), /connection closed by the peer/);
  t.equal(runs, 0, 'nothing ran');
  // The other server's clpstdn still powers this one off.
  t.same(await new PeerClient('server2', () => ['127.0.0.1'], port, key, 2000).request('server1', { op: pmOps.power.name, args: {} }), { code: 0 });
  t.equal(runs, 1);
});

t.test('who may call an op is checked before its arguments', async (t) => {
  const reg = new Registry();
  const ran: string[] = [];
  const served: Array<Op<object, unknown>> = [mdOps.init, mdOps.chng, mdOps.force, pmOps.power, clOps.shutdown];
  for (const op of served) reg.serve(op, async () => { ran.push(op.name); return { code: 0 }; });
  const peer = { local: false, server: 'server2' };
  for (const op of [mdOps.init, mdOps.chng, mdOps.force, clOps.shutdown]) {
    t.same(await reg.dispatch({ op: op.name, args: {} }, peer), { code: 2, message: `'${op.name}' is served on the local control socket only, not to other servers` }, `${op.name} from a peer`);
  }
  t.same(await reg.dispatch({ op: pmOps.power.name, args: {} }, { local: true }), { code: 2, message: `'${pmOps.power.name}' is served to the other servers only` });
  t.same(ran, [], 'nothing ran');
  // The legitimate paths.
  t.same(await reg.dispatch({ op: mdOps.init.name, args: { resource: 'md1' } }, { local: true }), { code: 0 });
  t.same(await reg.dispatch({ op: mdOps.chng.name, args: { device: 'sdb' } }, { local: true }), { code: 2, message: "'sdb' is not a device path (/dev/...)" }, 'then the checker');
  t.same(await reg.dispatch({ op: pmOps.power.name, args: {} }, peer), { code: 0 });
  t.same(ran, [mdOps.init.name, pmOps.power.name]);
});

t.test('nm.ratio: bounded on the serving side; from a peer it runs here only', async (t) => {
  const set: Array<[string, number?]> = [];
  const membership = { setRatio: (v: number) => set.push(['set', v]), clearRatio: () => set.push(['clear']) } as unknown as Membership;
  const forwarded: string[] = [];
  const peer = { request: async (server: string): Promise<ControlReply> => { forwarded.push(server); return { code: 0 }; } };
  const reg = new Registry();
  serveMembershipOps(reg, { membership: () => membership, fan: { peer, local: 'server1', servers } });
  const until = Date.now() + 3_600_000;
  const asks: Array<[Record<string, unknown>, string]> = [
    [{ value: 0, until }, "invalid ratio '0' (a whole number from 1 to 10000)"],
    [{ value: 2.5, until }, "invalid ratio '2.5' (a whole number from 1 to 10000)"],
    [{ value: 10001, until }, "invalid ratio '10001' (a whole number from 1 to 10000)"],
    [{ value: 3, until: Date.now() - 1000 }, 'a time in the coming year'],
    [{ value: 3, until: Number.MAX_VALUE }, 'a time in the coming year'],
    [{ value: 3 }, 'ratio needs value and until'],
  ];
  for (const [args, message] of asks) t.match(await reg.dispatch({ op: nmOps.ratio.name, args: { ...args, all: true } }, { local: true }), { code: 2, message }, JSON.stringify(args));
  t.same(set, [], 'nothing set');
  // clptoratio here: this server and the other.
  t.same(await reg.dispatch({ op: nmOps.ratio.name, args: { value: 3, until, all: true } }, { local: true }), { code: 0 });
  t.same(forwarded, ['server2']);
  // From server2 asking for all (or for a third server): run here, never passed on.
  t.same(await reg.dispatch({ op: nmOps.ratio.name, args: { value: 3, until, all: true } }, { local: false, server: 'server2' }), { code: 0 });
  t.same(forwarded, ['server2'], 'not fanned out again');
  t.same(set, [['set', 3], ['set', 3]]);
  t.match(await reg.dispatch({ op: nmOps.ratio.name, args: { value: 0, until } }, { local: false, server: 'server2' }), { code: 2 }, 'bounded from a peer too');
});

t.test('clpcl fan-out: a peer request runs on the server it reached only', async (t) => {
  const forwarded: string[] = [];
  const peer = { request: async (server: string): Promise<ControlReply> => { forwarded.push(server); return { code: 0 }; } };
  let here = 0;
  const run = async () => { here++; return { code: 0 }; };
  const d = { peer, local: 'server1', servers };
  t.same(await fanOut(d, clOps.stop, {}, { all: true }, { local: false, server: 'server2' }, run), { code: 0 });
  t.same(await fanOut(d, clOps.stop, {}, { host: 'server2' }, { local: false, server: 'server2' }, run), { code: 0 });
  t.same([here, forwarded], [2, []]);
  t.same(await fanOut(d, clOps.stop, {}, { all: true }, { local: true }, run), { code: 0 });
  t.same([here, forwarded], [3, ['server2']]);
});
