import { randomBytes } from 'node:crypto';
import t from 'tap';
import { decode, encode, type HeartbeatPacket } from '../../src/heartbeat/codec';
import { parseConfig } from '../../src/config/load';
import { clusterNameMaxBytes } from '../../src/config/schema';
import { Deframer, frame } from '../../src/heartbeat/com';
import { MembershipState } from '../../src/nm/state';

const key = Buffer.from('0123456789abcdef0123456789abcdef');
const hbs = [{ name: 'lanhb1', type: 'lanhb' }, { name: 'comhb1', type: 'comhb' }];
// server1 (local) is in its boot `ours`; packets come from server2 and, unless told, echo it.
const ours = Buffer.alloc(16, 1);
const echoing = (boot: Buffer, seq = 1n) => [{ bootId: boot, seq }, { bootId: Buffer.alloc(16), seq: 0n }];
const pkt = (over: Partial<HeartbeatPacket> = {}): HeartbeatPacket => ({
  cluster: 'cluster', sender: 'server2', senderIndex: 1, hb: 0, bootId: Buffer.alloc(16, 7), seq: 1n,
  suspended: false, ratio: 1, ratioUntil: 0, view: [['o', 'o'], ['o', 'x']], echo: echoing(ours), ...over,
});
const state = () => new MembershipState({ cluster: 'cluster', servers: ['server1', 'server2'], heartbeats: hbs, local: 0, timeout: 300, bootId: ours });

t.test('codec round trip and every drop reason', async (t) => {
  const b = encode(pkt(), key);
  const d = decode(b, key);
  t.ok(d.ok);
  if (d.ok) { t.equal(d.packet.sender, 'server2'); t.equal(d.packet.seq, 1n); t.same(d.packet.view, [['o', 'o'], ['o', 'x']]); }
  t.same(decode(b.subarray(0, 20), key), { ok: false, reason: 'truncated' });
  const m = Buffer.from(b); m[0] ^= 1;
  t.same(decode(m, key), { ok: false, reason: 'bad-magic' });
  const v = Buffer.from(b); v[4] = 9;
  t.same(decode(v, key), { ok: false, reason: 'bad-version' });
  t.same(decode(b, Buffer.from('another key of sixteen+')), { ok: false, reason: 'bad-hmac' });
  const f = Buffer.from(b); f[30] ^= 0x40;
  t.same(decode(f, key), { ok: false, reason: 'bad-hmac' });
  const old = Buffer.from(b); old.write('PHB1', 0);
  t.same(decode(old, key), { ok: false, reason: 'bad-version' }, 'a version-1 peer is named as such, not as noise');
  if (d.ok) t.same(d.packet.echo, echoing(ours), 'the echo round-trips');
  const s = state();
  const ok = (p: HeartbeatPacket, hb = 0) => s.accept(p, hb, 0);
  t.same(ok(pkt({ cluster: 'other' })), { ok: false, reason: 'foreign-cluster' });
  t.same(ok(pkt({ sender: 'server9' })), { ok: false, reason: 'unknown-sender' });
  t.same(ok(pkt({ sender: 'server1', senderIndex: 0 })), { ok: false, reason: 'self' });
  t.same(ok(pkt({ view: [['o']] })), { ok: false, reason: 'bad-shape' });
  t.equal(ok(pkt()).ok, true);
  t.same(ok(pkt()), { ok: false, reason: 'replay' }, 'same sequence again');
  t.same(ok(pkt(), 1), { ok: false, reason: 'wrong-heartbeat' }, 'a packet moved to another link');
  t.equal(ok(pkt({ hb: 1 }), 1).ok, true, 'the same sequence on another heartbeat is not a replay');
  t.equal(ok(pkt({ bootId: Buffer.alloc(16, 8), seq: 1n, echo: echoing(ours, 2n) })).ok, true, 'restart with a new boot id');
  t.same(ok(pkt({ seq: 5n })), { ok: false, reason: 'replay' }, 'an old boot id is refused');
});

t.test('membership: one heartbeat cut keeps the server up; all cut brings it down; ratio stretches the timeout', async (t) => {
  const s = state();
  const kinds = (ts: Array<{ kind: string }>) => ts.map((x) => x.kind);
  let seq = 0n;
  const hear = (hb: number, now: number) => s.accept(pkt({ hb, seq: ++seq }), hb, now);
  const r = hear(0, 0);
  t.same(r.ok && kinds(r.transitions), ['hb-up', 'server-up']);
  hear(1, 0);
  t.same(kinds(s.tick(200)), []);
  hear(1, 250);
  t.same(s.tick(400), [{ kind: 'hb-down', server: 'server2', hb: 'lanhb1' }], 'lanhb1 silent for 400 ms');
  t.equal(s.isUp('server2'), true);
  t.same(s.view(400).matrix[0][1], ['x', 'o']);
  s.ratio = 3; s.ratioUntil = 10_000;
  t.same(s.tick(900), [], 'timeout is 900 ms while the ratio is 3');
  t.same(kinds(s.tick(1200)), ['hb-down', 'server-down']);
  t.equal(s.view(1200).servers[1].status, 'Offline');
  t.same(s.view(1200).matrix[1], [['-', '-'], ['-', '-']], 'an offline observer shows -');
  t.equal(s.timeout(20_000), 300, 'the ratio expires by itself');
});

t.test('membership: a link that delivers late (the polled disk, a COM relay) does not hold a dead server up', async (t) => {
  const s = state();
  const kinds = (ts: Array<{ kind: string }>) => ts.map((x) => x.kind);
  const hear = (hb: number, seq: bigint, now: number, over: Partial<HeartbeatPacket> = {}) => s.accept(pkt({ hb, seq, ...over }), hb, now);
  // Each sequence reaches server1 on lanhb1 at once and on comhb1 180 ms later; the third is
  // the last server2 sent.
  for (const [seq, at] of [[1n, 0], [2n, 100], [3n, 200]] as const) hear(0, seq, at);
  hear(1, 1n, 180); hear(1, 2n, 280);
  t.same(s.tick(450), [], 'within the timeout of the last news');
  t.equal(s.nextDeadline(450), 501, 'the next deadline is the last news plus the timeout');
  t.same(kinds(s.tick(501)), ['hb-down', 'hb-down', 'server-down'], 'down 300 ms after the last news, though comhb1 brought a packet at 280');
  t.same(hear(1, 3n, 520), { ok: false, reason: 'late' }, 'an older packet still held by a link does not bring it back');
  t.equal(s.isUp('server2'), false);
  const back = hear(1, 4n, 600);
  t.same(back.ok && kinds(back.transitions), ['hb-up', 'server-up'], 'a new sequence does');
  hear(0, 6n, 700, { view: [['o', 'o'], ['o', 'o']] });
  t.equal(hear(1, 5n, 710, { view: [['x', 'x'], ['x', 'x']] }).ok, true, 'a late packet keeps its link alive while the server is up');
  t.same(s.view(710).matrix[1], [['o', 'o'], ['o', 'o']], 'but its older view does not replace the newer one');
});

t.test('membership: a server restarted within the timeout goes down and up again', async (t) => {
  const s = state();
  const kinds = (ts: Array<{ kind: string }>) => ts.map((x) => x.kind);
  const first = s.accept(pkt(), 0, 0);
  t.same(first.ok && kinds(first.transitions), ['hb-up', 'server-up'], 'first boot: up');
  const again = s.accept(pkt({ bootId: Buffer.alloc(16, 9), seq: 1n, echo: echoing(ours, 2n) }), 0, 100);
  t.same(again.ok && kinds(again.transitions), ['peer-restarted', 'server-down', 'server-up'], 'new boot id 100 ms later: down, then up');
  t.equal(s.isUp('server2'), true, 'up after the restart');
  const late = s.accept(pkt({ hb: 1, bootId: Buffer.alloc(16, 10), seq: 1n, echo: echoing(ours, 3n) }), 1, 200);
  t.same(late.ok && kinds(late.transitions), ['peer-restarted', 'server-down', 'hb-up', 'server-up'], 'another restart, first heard on the other heartbeat');
});

t.test('freshness: a stale slot or a replayed packet of an earlier boot at a cold start does not make the peer Online', async (t) => {
  const s = state();
  const earlier = Buffer.alloc(16, 2); // a boot of ours before this start
  // The powered-off peer's disk slot, last written while it heard our earlier boot.
  const stale = pkt({ hb: 1, bootId: Buffer.alloc(16, 5), seq: 900n, echo: echoing(earlier, 800n) });
  t.same(s.accept(stale, 1, 0), { ok: false, reason: 'unconfirmed' }, 'the stale slot');
  t.same(s.accept(stale, 1, 100), { ok: false, reason: 'unconfirmed' }, 'read again');
  // A captured packet of an older boot, replayed at our start (it echoed nothing or another boot).
  t.same(s.accept(pkt({ bootId: Buffer.alloc(16, 4), seq: 70n, echo: echoing(Buffer.alloc(16)) }), 0, 150), { ok: false, reason: 'unconfirmed' }, 'the replay');
  t.equal(s.isUp('server2'), false, 'server2 is not Online');
  t.equal(s.view(200).servers[1].status, 'Offline');
  t.same(s.localRow()[1], ['x', 'x'], 'no heartbeat of server2 alive');
  t.same(s.tick(2000), [], 'nothing to time out');
  // What we echo while nothing is confirmed is what we heard last, so a live peer can confirm us.
  t.same(s.echoRow()[1], { bootId: Buffer.alloc(16, 4), seq: 70n });
  // The peer, alive in this boot of ours, echoes it: Online.
  const live = s.accept(pkt({ bootId: Buffer.alloc(16, 6), seq: 3n, echo: echoing(ours, 2n) }), 0, 2100);
  t.same(live.ok && live.transitions.map((x) => x.kind), ['hb-up', 'server-up'], 'the live boot echoing ours is up');
  t.same(s.echoRow()[1], { bootId: Buffer.alloc(16, 6), seq: 3n }, 'we echo the confirmed boot');
  t.same(s.echoRow()[0], { bootId: Buffer.alloc(16), seq: 0n }, 'nothing for ourselves');
});

t.test('freshness: replays of earlier boots of the peer while it is up change nothing, whatever they echo', async (t) => {
  const s = state();
  const kinds = (ts: Array<{ kind: string }>) => ts.map((x) => x.kind);
  const p1 = Buffer.alloc(16, 11), p2 = Buffer.alloc(16, 12), p0 = Buffer.alloc(16, 10);
  s.accept(pkt({ bootId: p1, seq: 1n, echo: echoing(ours, 1n) }), 0, 0);
  const captured = pkt({ bootId: p1, seq: 2n, echo: echoing(ours, 2n) }); // sent by p1, never delivered
  const restart = s.accept(pkt({ bootId: p2, seq: 1n, echo: echoing(ours, 5n) }), 0, 100);
  t.same(restart.ok && kinds(restart.transitions), ['peer-restarted', 'server-down', 'server-up'], 'p2 replaces p1');
  const before = JSON.stringify(s.view(150));
  t.same(s.accept(pkt({ bootId: p1, seq: 50n, echo: echoing(ours, 9n) }), 0, 150), { ok: false, reason: 'replay' }, 'the retired boot');
  t.same(s.accept(captured, 0, 150), { ok: false, reason: 'replay' }, 'p1 also echoed our boot, but an older sequence of ours than p2 did');
  t.same(s.accept(pkt({ bootId: p0, seq: 90n, echo: echoing(Buffer.alloc(16, 3)) }), 0, 150), { ok: false, reason: 'unconfirmed' }, 'a boot from before our start');
  t.same(s.accept(pkt({ bootId: p2, seq: 1n, echo: echoing(ours, 5n) }), 0, 150), { ok: false, reason: 'replay' }, 'p2\'s own packet again');
  t.equal(JSON.stringify(s.view(150)), before, 'view unchanged');
  t.same(s.echoRow()[1], { bootId: p2, seq: 1n }, 'the echo stays on the confirmed boot');
  t.equal(s.accept(pkt({ bootId: p2, seq: 2n, echo: echoing(Buffer.alloc(16, 3)) }), 0, 200).ok, true, 'a confirmed boot is not asked to echo again');
});

t.test('suspension: nobody times out; resume restarts the clocks', async (t) => {
  const s = state();
  s.accept(pkt({ seq: 1n }), 0, 0);
  s.suspended = true;
  t.same(s.tick(5000), []);
  s.refresh(5000); s.suspended = false;
  t.same(s.tick(5200), []);
  t.equal(s.tick(5400).length, 2);
});

t.test('10,000 random, mutated, forged, replayed and foreign packets change nothing', async (t) => {
  const s = state();
  s.accept(pkt({ seq: 10n }), 0, 0);
  const before = JSON.stringify(s.view(0));
  const good = encode(pkt({ seq: 10n }), key);
  const reasons: Record<string, number> = {};
  for (let i = 0; i < 10_000; i++) {
    let b: Buffer;
    switch (i % 5) {
      case 0: b = randomBytes(Math.floor(Math.random() * 200)); break;
      case 1: b = Buffer.from(good); b[Math.floor(Math.random() * b.length)] ^= 1 << (i % 8); break;
      case 2: b = encode(pkt({ seq: BigInt(100 + i) }), randomBytes(32)); break;
      case 3: b = good; break;
      default: b = encode(pkt({ cluster: 'evil', seq: BigInt(100 + i) }), key);
    }
    let d;
    try { d = decode(b, key); } catch (e) { t.fail(`decode threw: ${(e as Error).message}`); continue; }
    const reason = d.ok ? (() => { const r = s.accept(d.packet, 0, 0); return r.ok ? 'ACCEPTED' : r.reason; })() : d.reason;
    reasons[reason] = (reasons[reason] ?? 0) + 1;
  }
  t.notOk(reasons.ACCEPTED, 'none accepted');
  t.equal(JSON.stringify(s.view(0)), before, 'view unchanged');
  t.ok(reasons.replay >= 2000 && reasons['foreign-cluster'] >= 2000 && reasons['bad-hmac'] >= 2000, JSON.stringify(reasons));
});

t.test('COM framing resynchronises after garbage', async (t) => {
  const d = new Deframer();
  const a = frame(Buffer.from('first')), b = frame(Buffer.from('second'));
  const out = d.push(Buffer.concat([Buffer.from([1, 2, 0xa5, 3]), a.subarray(0, 3)]));
  t.same(out, []);
  const rest = d.push(Buffer.concat([a.subarray(3), Buffer.from([0xa5, 0x5a, 0xff, 0xff]), b]));
  t.same(rest.map(String), ['first', 'second']);
});

t.test('the longest cluster name the configuration accepts travels intact', async (t) => {
  const name = 'é'.repeat(127) + 'a';
  t.equal(Buffer.byteLength(name), clusterNameMaxBytes);
  const d = decode(encode(pkt({ cluster: name }), key), key);
  t.equal(d.ok && d.packet.cluster, name);
  t.doesNotThrow(() => parseConfig(`[cluster]\nname = ${name}\nkey_file = k\n[server server1]\n`, 'c.conf'));
  t.throws(() => parseConfig(`[cluster]\nname = ${name}b\nkey_file = k\n[server server1]\n`, 'c.conf'), { message: 'c.conf:2: [cluster] name: 256 bytes long; at most 255 bytes (UTF-8)' });
});
