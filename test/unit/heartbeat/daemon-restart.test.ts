// The cluster daemon stopped and started again inside one runtime process (clpcl -t, clpcl -s):
// the boot id stays, so its heartbeats must go on above the sequence its peer already has.
// Found by the pair campaign (seed 2, step 2): the new daemon counted from 1 again, the peer
// dropped every packet as a replay, declared the server down at the timeout and failed its
// group over onto the live server (fip1 on both).
import { randomBytes } from 'node:crypto';
import t from 'tap';
import type { RuntimeContext } from '../../../src/core/context';
import { nullLogger } from '../../../src/logger';
import { Membership, newBootId } from '../../../src/nm/membership';
import { testConfig } from '../../helpers/config';
import { Wire } from '../../helpers/wire';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const config = testConfig([['timeouts', { hb_interval: 50, hb_timeout: 300 }]]);
const key = randomBytes(32);

const ctxOf = (name: string) => ({
  config, local: config.servers.find((s) => s.name === name)!, key, bootId: newBootId(), events: { emit: () => {} }, log: nullLogger,
}) as unknown as RuntimeContext;

async function until(cond: () => boolean, ms = 2000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(10)) if (cond()) return true;
  return cond();
}

t.test('a daemon restarted in the same process (same boot id) stays Online on its peer', async (t) => {
  const w1 = new Wire(), w2 = new Wire();
  w1.other = w2; w2.other = w1;
  const m1 = new Membership(ctxOf('server1'), [w1]);
  const ctx2 = ctxOf('server2');
  let m2 = new Membership(ctx2, [w2]);
  const seen: string[] = [];
  for (const k of ['server-up', 'server-down', 'peer-restarted']) m1.on(k, (s: string) => seen.push(`${k} ${s}`));
  t.teardown(() => { m1.stop(); m2.stop(); });
  await m1.start(); await m2.start();
  t.ok(await until(() => m1.isUp('server2') && m2.isUp('server1')), 'both Online');
  await sleep(300);   // a few hundred heartbeats' sequence on server1's side

  await m2.stop();
  m2 = new Membership(ctx2, [w2]);
  await m2.start();
  t.ok(await until(() => m2.isUp('server1')), 'the new daemon sees server1');
  // Three timeouts: with the sequence counted from 1 again, server1 would have dropped it all as replays.
  await sleep(900);
  t.same(seen, ['server-up server2'], 'server1 saw server2 up once, never down');
  t.ok(m1.isUp('server2'), 'server2 is Online on server1');
});
