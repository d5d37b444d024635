// Alert sync over real UDP on loopback: in-order delivery, resend after loss, overflow,
// and hostile datagrams that change nothing, one by one or as a flood.
import { randomBytes } from 'node:crypto';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { AlertLog, readAlerts, type AlertEntry } from '../../../src/events/sinks/alert';
import { decodeSync, encodeSync } from '../../../src/events/sync/codec';
import { AlertSync } from '../../../src/events/sync/alert-sync';
import { nullLogger } from '../../../src/logger';
import { hostileDatagrams, udpFlood } from '../../helpers/flood';
import { freeUdpPort } from '../../helpers/ports';
import type { Test } from 'tap';

const key = randomBytes(32);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const addr = { server1: '127.0.0.1', server2: '127.0.0.2' } as const;
type Name = keyof typeof addr;

function node(t: Test, name: Name, port: number, over: { queueMax?: number; bootId?: Buffer } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `alertsync-${name}-`));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const alert = new AlertLog(dir, 1000);
  const other: Name = name === 'server1' ? 'server2' : 'server1';
  const sync = new AlertSync({
    cluster: 'cluster', server: name, servers: ['server1', 'server2'], bootId: over.bootId ?? randomBytes(16), key, port,
    links: [{ local: addr[name], peers: { [other]: addr[other] } }], alert, log: nullLogger, resendMs: 50, queueMax: over.queueMax,
  });
  return { dir, alert, sync };
}

const entry = (server: string, id: number): AlertEntry => ({ time: Date.now(), server, type: 'nm', id, lvl: 'INFO', text: `event ${id}` });
const local = (n: ReturnType<typeof node>, server: string, id: number) => n.alert.deliver({ time: Date.now(), server, def: { type: 'nm', id, lvl: 'INFO' }, text: `event ${id}` } as never);

async function until(cond: () => boolean, ms = 5000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) if (cond()) return true;
  return cond();
}

t.test('codec: round trip and drops', async (t) => {
  const p = { kind: 'entry' as const, cluster: 'c', sender: 's', bootId: randomBytes(16), echo: randomBytes(16), seq: 3n, base: 1n, entry: entry('s', 1) };
  const b = encodeSync(p, key);
  const d = decodeSync(b, key);
  t.ok(d.ok && d.packet.entry?.text === 'event 1' && d.packet.seq === 3n && d.packet.echo.equals(p.echo));
  const v1 = Buffer.from(b); v1.write('PAS1', 0);
  t.same(decodeSync(v1, key), { ok: false, reason: 'bad-version' }, 'a version-1 peer is named as such');
  t.same(decodeSync(b.subarray(0, 10), key), { ok: false, reason: 'truncated' });
  t.same(decodeSync(b, randomBytes(32)), { ok: false, reason: 'bad-hmac' });
  const m = Buffer.from(b); m[0] = 0;
  t.same(decodeSync(m, key), { ok: false, reason: 'bad-magic' });
  const bad = encodeSync({ ...p, entry: { nope: 1 } as never }, key);
  t.same(decodeSync(bad, key), { ok: false, reason: 'bad-shape' });
});

t.test('entries reach the peer in order; resent after the peer was away', async (t) => {
  const port = await freeUdpPort();
  const a = node(t, 'server1', port);
  let b = node(t, 'server2', port);
  await a.sync.start(); await b.sync.start();
  t.teardown(() => a.sync.stop());
  for (let i = 1; i <= 5; i++) local(a, 'server1', i);
  t.ok(await until(() => readAlerts(b.dir).length === 5), 'five entries arrived');
  t.same(readAlerts(b.dir).map((e) => e.id), [1, 2, 3, 4, 5], 'in order');
  t.same(readAlerts(b.dir).map((e) => e.server), Array(5).fill('server1'), 'origin kept');

  await b.sync.stop();
  for (let i = 6; i <= 8; i++) local(a, 'server1', i);
  await sleep(200);
  const dir2 = b.dir;
  b = node(t, 'server2', port); // a fresh start of the peer's receiver, same alert dir semantics
  await b.sync.start();
  t.teardown(() => b.sync.stop());
  t.ok(await until(() => readAlerts(b.dir).length === 3), 'the three missed entries were resent');
  t.same(readAlerts(b.dir).map((e) => e.id), [6, 7, 8]);
  t.equal(readAlerts(dir2).length, 5, 'nothing duplicated in the old log');
  t.ok(a.sync.stats.resent >= 3, `resent ${a.sync.stats.resent}`);
  await sleep(200);
  const resent = a.sync.stats.resent;
  await sleep(300);
  t.equal(a.sync.stats.resent, resent, 'nothing is resent once acknowledged');
});

t.test('overflow: a peer away too long gets the newest entries', async (t) => {
  const port = await freeUdpPort();
  const a = node(t, 'server1', port, { queueMax: 3 });
  await a.sync.start();
  t.teardown(() => a.sync.stop());
  for (let i = 1; i <= 7; i++) local(a, 'server1', i);
  t.equal(a.sync.stats.lost, 4);
  const b = node(t, 'server2', port);
  await b.sync.start();
  t.teardown(() => b.sync.stop());
  t.ok(await until(() => readAlerts(b.dir).length === 3));
  t.same(readAlerts(b.dir).map((e) => e.id), [5, 6, 7]);
});

t.test('hostile datagrams change nothing', async (t) => {
  const port = await freeUdpPort();
  const ours = randomBytes(16);
  const b = node(t, 'server2', port, { bootId: ours });
  await b.sync.start();
  t.teardown(() => b.sync.stop());
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  t.teardown(() => s.close());
  const send = (buf: Buffer) => new Promise<void>((r) => s.send(buf, port, addr.server2, () => r()));
  const bootId = randomBytes(16);
  const good = (seq: bigint, over: Record<string, unknown> = {}) => encodeSync({ kind: 'entry', cluster: 'cluster', sender: 'server1', bootId, echo: ours, seq, base: 1n, entry: entry('server1', Number(seq)), ...over } as never, key);
  const first = good(1n);
  await send(first);
  t.ok(await until(() => readAlerts(b.dir).length === 1), 'one genuine entry');
  const forged = [
    ...Array.from({ length: 300 }, () => randomBytes(Math.floor(Math.random() * 300))),
    ...Array.from({ length: 300 }, () => { const m = Buffer.from(first); m[Math.floor(Math.random() * m.length)] ^= 1 + Math.floor(Math.random() * 255); return m; }),
    encodeSync({ kind: 'entry', cluster: 'cluster', sender: 'server1', bootId, echo: ours, seq: 2n, base: 1n, entry: entry('server1', 2) }, randomBytes(32)),
    good(2n, { cluster: 'other' }), good(2n, { sender: 'server9' }), good(2n, { sender: 'server2' }),
    good(2n, { entry: entry('server2', 2) }),
    first, first,
    good(1n, { bootId: randomBytes(16), echo: randomBytes(16) }),
    good(5n, { kind: 'ack', echo: randomBytes(16), entry: undefined }),
  ];
  // Paced, so the loopback socket buffer never overflows and every datagram is judged.
  for (let i = 0; i < forged.length; i++) { await send(forged[i]); if (i % 20 === 19) await sleep(5); }
  await sleep(300);
  t.equal(readAlerts(b.dir).length, 1, 'still exactly one entry');
  const d = b.sync.stats.dropped;
  const total = Object.values(d).reduce((a, b) => a + b, 0);
  t.equal(total, forged.length - 2, `every hostile datagram dropped and counted (the two copies of the genuine one are acked duplicates) ${JSON.stringify(d)}`);
  t.ok(d['foreign-cluster'] >= 1 && d['unknown-sender'] >= 1 && d.self >= 1 && d['bad-shape'] >= 1 && d.replay >= 1 && d.unconfirmed >= 1, JSON.stringify(d));
});

t.test('freshness: an entry of an earlier boot replayed at the receiver\'s start is refused', async (t) => {
  const port = await freeUdpPort();
  const a = node(t, 'server1', port);
  let b = node(t, 'server2', port);
  const captured: Buffer[] = [];
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  t.teardown(() => s.close());
  // Capture what server1 sends, as someone on the interconnect would.
  const original = a.sync['sendTo'].bind(a.sync);
  a.sync['sendTo'] = (peer: string, buf: Buffer) => { captured.push(buf); original(peer, buf); };
  await a.sync.start(); await b.sync.start();
  t.teardown(() => a.sync.stop());
  local(a, 'server1', 1);
  t.ok(await until(() => readAlerts(b.dir).length === 1), 'delivered');
  await b.sync.stop(); await a.sync.stop();
  b = node(t, 'server2', port); // server2 starts again; server1 is gone
  await b.sync.start();
  t.teardown(() => b.sync.stop());
  for (const buf of captured) await new Promise<void>((r) => s.send(buf, port, addr.server2, () => r()));
  await sleep(200);
  t.same(readAlerts(b.dir), [], 'nothing appended');
  t.ok(b.sync.stats.dropped.unconfirmed >= 1, JSON.stringify(b.sync.stats.dropped));
});

t.test('freshness: a sender restarted with its clock a day ahead, then an hour back, is heard at once', async (t) => {
  const realNow = Date.now;
  t.teardown(() => { Date.now = realNow; });
  const port = await freeUdpPort();
  const b = node(t, 'server2', port);
  await b.sync.start();
  t.teardown(() => b.sync.stop());
  let id = 0;
  for (const offset of [24 * 3600_000, 0, -3600_000]) {
    Date.now = () => realNow() + offset; // the sender's clock, stepped between its boots
    const a = node(t, 'server1', port);
    await a.sync.start();
    Date.now = realNow;
    local(a, 'server1', ++id);
    const want = id;
    t.ok(await until(() => readAlerts(b.dir).length === want, 3000), `boot with the clock ${offset / 3600_000} h off: delivered`);
    await a.sync.stop();
  }
  t.same(readAlerts(b.dir).map((e) => e.id), [1, 2, 3], 'every boot heard, in order');
  t.equal(b.sync.stats.dropped.replay, 0, 'none taken for a replay');
});

t.test('a flood of 20,000 replayed, truncated, forged and random datagrams: entries logged meanwhile arrive once, in order; nothing else is kept', async (t) => {
  const port = await freeUdpPort();
  const a = node(t, 'server1', port);
  const b = node(t, 'server2', port);
  const captured: Buffer[] = [];
  const original = a.sync['sendTo'].bind(a.sync);
  a.sync['sendTo'] = (peer: string, buf: Buffer) => { captured.push(buf); original(peer, buf); };
  await a.sync.start(); await b.sync.start();
  t.teardown(() => a.sync.stop()); t.teardown(() => b.sync.stop());
  for (let i = 1; i <= 3; i++) local(a, 'server1', i);
  t.ok(await until(() => readAlerts(b.dir).length === 3), 'three entries before the flood');
  const attacker = dgram.createSocket('udp4');
  await new Promise<void>((r) => attacker.bind(0, '127.0.0.3', () => r()));
  t.teardown(() => attacker.close());
  const bad = hostileDatagrams(captured.slice(), 20000);
  const before = { fds: fs.readdirSync('/proc/self/fd').length, rss: process.memoryUsage().rss };
  const flooding = udpFlood(attacker, addr.server2, port, bad);
  for (let i = 4; i <= 8; i++) { local(a, 'server1', i); await sleep(20); }
  await flooding;
  t.ok(await until(() => readAlerts(b.dir).length === 8, 30000), 'the entries logged during the flood arrived');
  await sleep(300);
  t.same(readAlerts(b.dir).map((e) => e.id), [1, 2, 3, 4, 5, 6, 7, 8], 'once each, in order, nothing else');
  const d = b.sync.stats.dropped;
  t.ok(d.replay + d.unconfirmed > 0 && d['bad-hmac'] + d.truncated + d['bad-magic'] > 0, `refused and counted: ${JSON.stringify(d)}`);
  t.ok(fs.readdirSync('/proc/self/fd').length <= before.fds + 2, 'descriptors as before');
  t.ok(process.memoryUsage().rss - before.rss < 64 << 20, `RSS bounded: +${((process.memoryUsage().rss - before.rss) / 1048576).toFixed(1)} MiB`);
});
