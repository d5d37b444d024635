// Two membership roles wired by in-memory links, each with its own clock: heartbeat freshness
// does not depend on the clocks agreeing (issue 13, items 1 and 2).
import { randomBytes } from 'node:crypto';
import t from 'tap';
import type { RuntimeContext } from '../../../src/core/context';
import { nullLogger } from '../../../src/logger';
import { Membership, newBootId } from '../../../src/nm/membership';
import { testConfig } from '../../helpers/config';
import { Wire } from '../../helpers/wire';
import type { Test } from 'tap';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hour = 3_600_000, day = 24 * hour;
const config = testConfig([['timeouts', { hb_interval: 50, hb_timeout: 300 }]]);
const key = randomBytes(32);

function server(t: Test, name: 'server1' | 'server2', wire: Wire, clock: { offset: number }) {
  const ctx = {
    config, local: config.servers.find((s) => s.name === name)!, key, bootId: newBootId(),
    events: { emit: () => {} }, log: nullLogger,
  } as unknown as RuntimeContext;
  const m = new Membership(ctx, [wire], () => Date.now() + clock.offset);
  const seen: string[] = [];
  for (const k of ['server-up', 'server-down', 'peer-restarted']) m.on(k, (s: string) => seen.push(`${k} ${s}`));
  t.teardown(() => m.stop());
  return { m, seen };
}

function pair(t: Test) {
  const w1 = new Wire(), w2 = new Wire();
  w1.other = w2; w2.other = w1;
  const c1 = { offset: 0 }, c2 = { offset: 0 };
  return { w1, w2, c1, c2, s1: server(t, 'server1', w1, c1) };
}

async function until(cond: () => boolean, ms = 2000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(10)) if (cond()) return true;
  return cond();
}

t.test('the peer\'s clock stepped back an hour, then forward a day, changes nothing', async (t) => {
  const { w2, c2, s1 } = pair(t);
  const s2 = server(t, 'server2', w2, c2);
  await s1.m.start(); await s2.m.start();
  t.ok(await until(() => s1.m.isUp('server2') && s2.m.isUp('server1')), 'both Online');
  c2.offset = -hour;
  await sleep(700);
  c2.offset = day;
  await sleep(700);
  t.same(s1.seen, ['server-up server2'], 'no down, no restart on server1');
  t.same(s2.seen, ['server-up server1'], 'nor on server2');
  t.ok(s1.m.isUp('server2') && s2.m.isUp('server1'), 'still Online');
});

t.test('our own clock stepped: a live peer is not brought down, a dead one is still detected at the timeout', async (t) => {
  const { w2, c1, c2, s1 } = pair(t);
  const s2 = server(t, 'server2', w2, c2);
  await s1.m.start(); await s2.m.start();
  t.ok(await until(() => s1.m.isUp('server2')), 'up');
  c1.offset = day;
  await sleep(500);
  t.same(s1.seen, ['server-up server2'], 'a day forward: no down');
  // server2 falls silent (the wire cut) just as server1's clock goes an hour back.
  w2.other = undefined;
  c1.offset = -hour;
  const t0 = Date.now();
  t.ok(await until(() => !s1.m.isUp('server2'), 3000), 'an hour back: server2 silent is down');
  t.ok(Date.now() - t0 < 1000, `down after ${Date.now() - t0} ms (timeout 300 ms)`);
});

t.test('a restart of the peer is down-then-up whatever its clock; a boot a day ahead locks out no later boot', async (t) => {
  const { w2, c2, s1 } = pair(t);
  await s1.m.start();
  let s2 = server(t, 'server2', w2, c2);
  c2.offset = day; // this boot's clock is a day ahead
  await s2.m.start();
  t.ok(await until(() => s1.m.isUp('server2')), 'up');
  for (const offset of [0, -hour]) {
    // A fast reset: back within the timeout with a new boot id and a clock set right, then an hour back.
    await s2.m.stop();
    c2.offset = offset;
    s1.seen.length = 0;
    s2 = server(t, 'server2', w2, c2);
    await s2.m.start();
    t.ok(await until(() => s1.seen.length >= 3), `restart seen (clock ${offset / hour} h)`);
    t.same(s1.seen, ['peer-restarted server2', 'server-down server2', 'server-up server2'], 'down, then up');
    t.ok(await until(() => s2.m.isUp('server1')), 'and server1 is up on the new boot');
  }
  const s2stats = s1.m.stats().dropped.lanhb1;
  t.equal(s2stats.replay, 0, `nothing taken for a replay ${JSON.stringify(s2stats)}`);
});

t.test('a cold start beside a peer that is gone: its last packets replayed do not bring it up', async (t) => {
  const { w2, c2, s1: first } = pair(t);
  const s2 = server(t, 'server2', w2, c2);
  const captured: Buffer[] = [];
  const send = w2.send.bind(w2);
  w2.send = (buf) => { captured.push(buf); send(buf); };
  await first.m.start(); await s2.m.start();
  t.ok(await until(() => first.m.isUp('server2')), 'up before');
  await s2.m.stop(); await first.m.stop();
  // server1 starts again (a new boot) while server2 stays off; server2's packets are replayed.
  const w3 = new Wire();
  const s1 = server(t, 'server1', w3, { offset: 0 });
  await s1.m.start();
  const deliver = (buf: Buffer) => (w3 as unknown as { deliver: (b: Buffer) => void }).deliver(buf);
  for (const buf of captured) deliver(buf);
  for (let i = 0; i < 10; i++) { deliver(captured[captured.length - 1]); await sleep(50); }
  t.equal(s1.m.isUp('server2'), false, 'server2 is not Online');
  t.same(s1.seen, [], 'no server-up');
  t.ok(s1.m.stats().dropped.lanhb1.unconfirmed >= captured.length, JSON.stringify(s1.m.stats().dropped.lanhb1));
});
