// The LAN heartbeat port (29002/UDP) under forged, replayed and flooded traffic, over real
// UDP on loopback: server1 (127.0.0.1) and server2 (127.0.0.2) run their membership roles;
// someone at 127.0.0.3 who captured server1's heartbeats floods server2 with replays,
// truncations, mutations and noise. Nothing of it is accepted, the pair never sees a server
// go down, and server2's process holds no more than before.
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import t from 'tap';
import type { RuntimeContext } from '../../../src/core/context';
import { LanTransport } from '../../../src/heartbeat/lan';
import { nullLogger } from '../../../src/logger';
import { Membership, newBootId } from '../../../src/nm/membership';
import { testConfig } from '../../helpers/config';
import { hostileDatagrams, udpFlood } from '../../helpers/flood';
import { freeUdpPort } from '../../helpers/ports';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const key = randomBytes(32);
const FLOOD = 20000;

/** What an eavesdropper on the interconnect sees of a server's heartbeats. */
class Captured extends LanTransport {
  readonly sent: Buffer[] = [];
  override send(buf: Buffer): void { this.sent.push(buf); super.send(buf); }
}

async function until(what: string, ok: () => boolean, ms = 10000): Promise<void> {
  for (const end = Date.now() + ms; !ok(); await sleep(20)) if (Date.now() > end) throw new Error(`still not ${what} after ${ms} ms`);
}

t.test(`${FLOOD} replayed, truncated, forged and random datagrams on the heartbeat port change nothing`, async (t) => {
  const port = await freeUdpPort();
  // A timeout far above the flood's length: what is checked is that nothing of the flood is
  // taken for a heartbeat or a restart, not how fast a loaded machine drains the socket.
  const config = testConfig([['timeouts', { hb_interval: 100, hb_timeout: 30000 }], ['heartbeat lanhb1', { server1: '127.0.0.1', server2: '127.0.0.2', port }]]);
  const servers = (['server1', 'server2'] as const).map((name) => {
    const local = config.servers.find((s) => s.name === name)!;
    const ctx = { config, local, key, bootId: newBootId(), events: { emit: () => {} }, log: nullLogger } as unknown as RuntimeContext;
    const lan = new Captured(config.heartbeats[0] as never, name, nullLogger);
    const m = new Membership(ctx, [lan]);
    const seen: string[] = [];
    for (const k of ['server-up', 'server-down', 'peer-restarted']) m.on(k, (s: string) => seen.push(`${k} ${s}`));
    t.teardown(() => m.stop());
    return { m, lan, seen };
  });
  const [s1, s2] = servers;
  await Promise.all(servers.map((s) => s.m.start()));
  await until('up both ways', () => s1.seen.includes('server-up server2') && s2.seen.includes('server-up server1'));

  const attacker = dgram.createSocket('udp4');
  await new Promise<void>((r) => attacker.bind(0, '127.0.0.3', () => r()));
  t.teardown(() => attacker.close());
  const bad = hostileDatagrams(s1.lan.sent.slice(), FLOOD);
  const before = { fds: fs.readdirSync('/proc/self/fd').length, rss: process.memoryUsage().rss, received: s2.m.stats().received };
  await udpFlood(attacker, '127.0.0.2', port, bad);
  // Heartbeats keep flowing after the flood: server1's next ones are accepted.
  const after = s2.m.stats().received;
  await until('a genuine heartbeat accepted after the flood', () => s2.m.stats().received > after);

  const d = s2.m.stats().dropped.lanhb1;
  t.ok(d.replay > 0 && d['bad-hmac'] + d.truncated + d['bad-magic'] > 0, `refused and counted: ${JSON.stringify(d)}`);
  t.ok(s2.m.stats().received > before.received, 'server1\'s genuine heartbeats got through meanwhile');
  for (const s of servers) t.same(s.seen, [`server-up ${s === s1 ? 'server2' : 'server1'}`], 'no server went down or restarted');
  t.ok(fs.readdirSync('/proc/self/fd').length <= before.fds + 2, 'descriptors as before');
  t.ok(process.memoryUsage().rss - before.rss < 64 << 20, `RSS bounded: +${((process.memoryUsage().rss - before.rss) / 1048576).toFixed(1)} MiB`);
});
