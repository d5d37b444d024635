// The fip resource between two network namespaces joined by a veth pair: the address goes on
// the interface of its subnet, gratuitous ARP goes on for about a second after activation, and
// stops at once when the address is given up (a former holder must not go on claiming it).
// ARP packets are counted on the other end's receive counter (IPv6 off: nothing else flows).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { HostPlatform } from '../../../src/platform/host';
import type { Platform } from '../../../src/platform/types';
import { FipResource } from '../../../src/resource/fip';
import { resourceDeps, testResource } from '../../helpers/config';

const host = new HostPlatform({ powerRecord: '' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('fip: announcements over ~1 s, stopped when the address goes', async (t) => {
  if (process.getuid?.() !== 0) { t.skip('needs root (network namespaces)'); return; }
  const prefix = `${process.env.PAIRHA_LAB_NS || 'pairha'}-unit-fip`;
  const [a, b] = [`${prefix}a`, `${prefix}b`];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-fip-'));
  const cleanup = async () => { for (const ns of [a, b]) await host.run('ip', ['netns', 'del', ns]); };
  await cleanup();
  t.teardown(async () => { await cleanup(); fs.rmSync(dir, { recursive: true, force: true }); });
  for (const ns of [a, b]) {
    t.equal((await host.run('ip', ['netns', 'add', ns])).code, 0, `netns ${ns}`);
    await host.run('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
  }
  await host.run('ip', ['link', 'add', 'v0', 'netns', a, 'type', 'veth', 'peer', 'name', 'v1', 'netns', b]);
  for (const [ns, dev, addr] of [[a, 'v0', '10.98.0.1/24'], [b, 'v1', '10.98.0.2/24']]) {
    await host.run('ip', ['-n', ns, 'addr', 'add', addr, 'dev', dev]);
    await host.run('ip', ['-n', ns, 'link', 'set', dev, 'up']);
  }
  // The resource runs inside namespace a, as the runtime does in the lab.
  const inA: Platform = {
    run: (f, args, o) => host.run('ip', ['netns', 'exec', a, f, ...args], o),
    daemon: (f, args, o) => host.daemon('ip', ['netns', 'exec', a, f, ...args], o),
    signal: (pid, sig, group) => host.signal(pid, sig, group),
    power: async () => { throw new Error('no power here'); },
  };
  const fip = new FipResource(testResource('fip', 'fip1', { address: '10.98.0.50/24', deactive_final_action: 'none' }), resourceDeps({ root: dir, platform: inA }));
  const rx = async () => (JSON.parse((await host.run('ip', ['-n', b, '-s', '-j', 'link', 'show', 'v1'])).stdout) as Array<{ stats64: { rx: { packets: number } } }>)[0].stats64.rx.packets;

  // b still believes a former holder has the address, as a client of the old owner does.
  await host.run('ip', ['-n', b, 'neigh', 'add', '10.98.0.50', 'lladdr', '02:00:00:00:00:01', 'dev', 'v1', 'nud', 'stale']);
  const macA = (JSON.parse((await host.run('ip', ['-n', a, '-j', 'link', 'show', 'v0'])).stdout) as Array<{ address: string }>)[0].address;
  await fip.activate('start');
  t.match((await host.run('ip', ['-n', a, '-o', '-4', 'addr', 'show', 'v0'])).stdout, '10.98.0.50/24', 'the address is on v0');
  const r0 = await rx();
  await sleep(800);
  const r1 = await rx();
  await sleep(700);
  const r2 = await rx();
  t.ok(r1 - r0 >= 2, `announcements after the first (${r1 - r0} in 0.8 s)`);
  t.ok(r2 - r1 >= 2, `and still about a second later (${r2 - r1} more)`);
  t.match((await host.run('ip', ['-n', b, 'neigh', 'show', '10.98.0.50'])).stdout, `lladdr ${macA}`, 'the neighbour learnt the new holder');

  await fip.deactivate('stop');
  await fip.activate('move');
  await fip.deactivate('stop');
  const d0 = await rx();
  await sleep(1300);
  t.equal(await rx(), d0, 'nothing claims the address once it is gone');
  t.notMatch((await host.run('ip', ['-n', a, '-o', '-4', 'addr', 'show', 'v0'])).stdout, '10.98.0.50', 'the address is gone');
});
