// Forged, replayed and flooded traffic on the peer channels (issue 13, defect 6 and "every
// port"): the control channel (29001) and the mirror agents' (29004) are the same PeerServer
// with a channel name, so each case runs on both, over real loopback TCP. The flood comes from
// a process of its own (test/helpers/flood.ts), so the descriptors and memory measured here
// are the server's.
import * as fs from 'node:fs';
import * as net from 'node:net';
import t, { type Test } from 'tap';
import { defineOp } from '../../../src/control/op';
import { PeerClient, PeerServer, type PeerLimits } from '../../../src/control/peer';
import { Registry } from '../../../src/control/registry';
import { nullLogger } from '../../../src/logger';
import { flood } from '../../helpers/flood';
import { freeTcpPort } from '../../helpers/ports';

const key = Buffer.from('k'.repeat(16));
const servers = ['server1', 'server2'];
const channels = [{ name: '', label: 'control (29001)' }, { name: 'mdagent', label: 'mirror agents (29004)' }];
const touch = defineOp<Record<string, never>, number>('test.touch', () => ({}));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fds = () => fs.readdirSync('/proc/self/fd').length;
const closed = (s: net.Socket) => new Promise<void>((r) => { if (s.destroyed) r(); else s.once('close', () => r()); });

/** server1 on 127.0.0.1, with server2 (the real peer) configured at 127.0.0.1 too. */
async function server1(t: Test, channel: string, limits: Partial<PeerLimits> = {}) {
  const port = await freeTcpPort();
  const reg = new Registry();
  const ran = { n: 0 };
  reg.serve(touch, async () => ({ code: 0, data: ++ran.n }));
  const s = new PeerServer(['127.0.0.1'], port, key, 'server1', servers, reg, nullLogger, channel, { peerAddresses: ['127.0.0.1'], limits });
  await s.start();
  t.teardown(() => s.stop());
  const peer = new PeerClient('server2', () => ['127.0.0.1'], port, key, 5000, channel);
  return { s, port, ran, ask: () => peer.request('server1', { op: touch.name, args: {} }) };
}

/** A TCP relay that records what the client sent and, like a duplicating link, sends it twice. */
async function duplicatingTap(t: Test, target: number) {
  const sent: Buffer[] = [];
  const relay = net.createServer((c) => {
    const up = net.connect(target, '127.0.0.1');
    c.on('data', (d) => { sent.push(d); up.write(d); up.write(d); });
    up.on('data', (d) => c.write(d));
    up.on('close', () => c.destroy());
    c.on('close', () => up.destroy());
    up.on('error', () => c.destroy());
    c.on('error', () => up.destroy());
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise((r) => relay.close(r)));
  return { port: (relay.address() as net.AddressInfo).port, sent };
}

/** Send bytes on a fresh connection and wait until the server closes it. */
async function sendRaw(port: number, data: Buffer): Promise<string> {
  const c = net.connect(port, '127.0.0.1');
  let got = '';
  c.on('data', (d) => { got += d; });
  c.on('error', () => undefined);
  c.write(data);
  await closed(c);
  return got;
}

for (const ch of channels) {
  t.test(`${ch.label}: a forged, a replayed and a duplicated request run nothing; the genuine one runs once`, async (t) => {
    const { s, port, ran, ask } = await server1(t, ch.name);
    const tap = await duplicatingTap(t, port);
    const viaTap = new PeerClient('server2', () => ['127.0.0.1'], tap.port, key, 5000, ch.name);
    t.same(await viaTap.request('server1', { op: touch.name, args: {} }), { code: 0, data: 1 }, 'the genuine request, sent twice on its connection');
    t.equal(ran.n, 1, 'the second copy on the same connection did not run');

    const captured = Buffer.concat(tap.sent);
    const answer = await sendRaw(port, captured);
    t.match(answer, /^\{"nonce":"[0-9a-f]{32}"\}\n$/, 'the replay got a fresh challenge and no reply');
    t.equal(s.dropped.auth, 1, 'the replay failed authentication (the nonce is new each time)');
    t.equal(ran.n, 1, 'the replay ran nothing');

    const forger = new PeerClient('server2', () => ['127.0.0.1'], port, Buffer.from('x'.repeat(16)), 5000, ch.name);
    await t.rejects(forger.request('server1', { op: touch.name, args: {} }), /connection closed by the peer/);
    t.equal(s.dropped.auth, 2, 'the forged request failed authentication');
    t.equal(ran.n, 1, 'the forged request ran nothing');

    // The same capture made for one channel is refused by the other.
    const other = await server1(t, channels.find((c) => c.name !== ch.name)!.name);
    await sendRaw(other.port, captured);
    t.equal(other.s.dropped.auth, 1, 'refused on the other channel');
    t.equal(other.ran.n, 0);

    t.same(await ask(), { code: 0, data: 2 }, 'the real peer still gets through');
    t.equal(s.pending, 0, 'nothing left waiting');
  });

  t.test(`${ch.label}: a request must arrive whole within the deadline; an oversized one is cut before it is kept`, async (t) => {
    const { s, port, ask } = await server1(t, ch.name, { authMs: 1500, maxRequest: 4096 });
    // A trickle: a byte every 200 ms keeps traffic flowing but never completes a request.
    const trickle = net.connect(port, '127.0.0.1');
    trickle.on('error', () => undefined);
    const drip = setInterval(() => trickle.write('{'), 200);
    await closed(trickle);
    clearInterval(drip);
    t.equal(s.dropped.late, 1, 'the trickling connection was closed at its deadline');

    // Over the limit with no newline: closed on that chunk, long before the deadline would.
    const big = await server1(t, ch.name, { authMs: 600000, maxRequest: 4096 });
    await sendRaw(big.port, Buffer.alloc(4097, 0x41));
    t.equal(big.s.dropped.oversize, 1, 'the oversized request was cut');
    t.equal(big.s.dropped.late, 0, 'by its size, not by the deadline');
    t.same(await ask(), { code: 0, data: 1 });
    t.same(await big.ask(), { code: 0, data: 1 });
  });
}

/** Wait for a condition that the server reaches by itself (closing what it evicted). */
async function until(what: string, ok: () => boolean, ms = 20000): Promise<void> {
  for (const end = Date.now() + ms; !ok(); await sleep(50)) if (Date.now() > end) throw new Error(`still not ${what} after ${ms} ms`);
}

const FLOOD = 2000;
const attackers = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);

for (const ch of channels) {
  t.test(`${ch.label}: ${FLOOD} silent, garbage, truncated, malformed, forged and oversized connections are held within the limits; the peer gets through during and after`, async (t) => {
    const limits = { maxPending: 64, maxPendingPerSource: 8, maxPendingPerPeer: 32, authMs: 5000, maxRequest: 16384 };
    const { s, port, ran, ask } = await server1(t, ch.name, limits);
    t.same(await ask(), { code: 0, data: 1 });
    const before = { fds: fds(), rss: process.memoryUsage().rss };
    let maxPending = 0;
    const watch = setInterval(() => { maxPending = Math.max(maxPending, s.pending); }, 5);
    const f = flood({ host: '127.0.0.1', port, sources: attackers, count: FLOOD, op: touch.name });
    t.teardown(() => f.stop());
    await f.ready;
    // The flood still holds every connection the server did not close.
    const during = { fds: fds(), rss: process.memoryUsage().rss };
    t.same(await ask(), { code: 0, data: 2 }, 'the real peer gets a request through during the flood');
    await f.stop();
    clearInterval(watch);
    t.ok(maxPending <= limits.maxPending + 1, `unauthenticated connections held at most ${limits.maxPending} (+1 being admitted): saw ${maxPending}`);
    t.ok(during.fds - before.fds <= 2 * limits.maxPending + 16, `descriptors during the flood bounded: +${during.fds - before.fds}`);
    t.ok(during.rss - before.rss < 64 << 20, `RSS during the flood bounded: +${((during.rss - before.rss) / 1048576).toFixed(1)} MiB`);
    t.ok(s.dropped.evicted > 0 && s.dropped.oversize > 0 && s.dropped.malformed + s.dropped.auth > 0, `refused: ${JSON.stringify(s.dropped)}`);
    t.equal(s.dropped.refused, 0, 'the peer\'s own pool was never full');
    await until('drained', () => s.pending === 0);
    await until('back to the descriptors before the flood', () => fds() <= before.fds + 4);
    t.pass(`descriptors after the flood: ${fds()} (before ${before.fds})`);
    t.equal(s.listening, 1, 'still listening');
    t.same(await ask(), { code: 0, data: 3 }, 'and after it');
    t.equal(ran.n, 3, 'nothing ran but the peer\'s three requests');
  });
}

t.test('a flood from a configured peer\'s own address (a spoofer on the path) fills only that address\'s pool', async (t) => {
  const { s, port, ask } = await server1(t, '', { maxPending: 16, maxPendingPerSource: 4, maxPendingPerPeer: 8 });
  const f = flood({ host: '127.0.0.1', port, sources: ['127.0.0.1'], count: 40, op: touch.name, kinds: ['silent'] });
  t.teardown(() => f.stop());
  await f.ready;
  // The client has connected; the server accepts in its own time.
  await until('all 40 seen', () => s.pending + s.dropped.refused + s.dropped.evicted >= 40);
  t.equal(s.pending, 8, 'the peer address\'s pool is full');
  t.equal(s.dropped.refused, 32, 'the rest were refused, none evicted');
  // Another address still has its own room.
  const other = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
  other.on('error', () => undefined);
  await until('admitted from another address', () => s.pending === 9);
  other.destroy();
  await f.stop();
  await until('drained', () => s.pending === 0);
  t.same(await ask(), { code: 0, data: 1 }, 'once the flood ends the peer is served');
});
