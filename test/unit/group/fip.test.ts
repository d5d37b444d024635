// The fip resource between two network namespaces joined by a veth pair: the address goes on
// the interface of its subnet, gratuitous ARP goes on in the background after activation, and
// stops when the address is given up (a former holder must not go on claiming it).
// ARP packets are counted on the other end's receive counter (IPv6 off: nothing else flows).
// What happened is asserted (processes alive or gone, packets sent in all), never how many
// packets arrived within a wall-clock window: the unit tests share two cores.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { HostPlatform } from '../../../src/platform/host';
import { loadNetIf } from '../../../src/platform/netif';
import type { Platform } from '../../../src/platform/types';
import { FipResource } from '../../../src/resource/fip';
import { resourceDeps, testResource } from '../../helpers/config';

const host = new HostPlatform({ powerRecord: '' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('fip: announcements over ~1 s, stopped when the address goes', async (t) => {
  if (process.getuid?.() !== 0) { t.skip('needs root (network namespaces)', () => {}); return; }
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
    net: loadNetIf(a),
  };
  const fip = new FipResource(testResource('fip', 'fip1', { address: '10.98.0.50/24', deactive_final_action: 'none' }), resourceDeps({ root: dir, platform: inA }));
  const rx = async () => (JSON.parse((await host.run('ip', ['-n', b, '-s', '-j', 'link', 'show', 'v1'])).stdout) as Array<{ stats64: { rx: { packets: number } } }>)[0].stats64.rx.packets;

  // b still believes a former holder has the address, as a client of the old owner does.
  await host.run('ip', ['-n', b, 'neigh', 'add', '10.98.0.50', 'lladdr', '02:00:00:00:00:01', 'dev', 'v1', 'nud', 'stale']);
  const macA = (JSON.parse((await host.run('ip', ['-n', a, '-j', 'link', 'show', 'v0'])).stdout) as Array<{ address: string }>)[0].address;
  const pidsIn = async (ns: string) => (await host.run('ip', ['netns', 'pids', ns])).stdout.split('\n').filter(Boolean);
  // SIGKILL is delivered when the process next runs: a killed announcer may still be listed
  // for a moment on a loaded host. "Stopped at once" means each one left is already dying:
  // SIGKILL pending, exiting (PF_EXITING in /proc/PID/stat's flags) or a zombie.
  const dying = (pid: string) => {
    try {
      const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      if (f[0] === 'Z' || f[0] === 'X' || (Number(f[6]) & 0x4) !== 0) return true;
      const pending = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/^(?:SigPnd|ShdPnd):\s*([0-9a-f]+)$/gm) ?? [];
      return pending.some((l) => (BigInt(`0x${l.split(/\s+/)[1]}`) & (1n << 8n)) !== 0n);
    } catch { return true; } // gone
  };
  const alive = async (ns: string) => (await pidsIn(ns)).filter((p) => !dying(p));
  // The repeaters start once the activation's caller has gone on (a timer): wait for them.
  const announcing = async () => { for (let i = 0; i < 100 && !(await pidsIn(a)).length; i++) await sleep(20); return (await pidsIn(a)).length > 0; };
  const r0 = await rx();
  await fip.activate('start');
  t.match((await host.run('ip', ['-n', a, '-o', '-4', 'addr', 'show', 'v0'])).stdout, '10.98.0.50/24', 'the address is on v0');
  t.ok(await announcing(), 'announcers go on in the background after activation');
  // Each repeat is three packets 0.5 s apart: they end on their own within a few seconds.
  for (let i = 0; i < 300 && (await pidsIn(a)).length; i++) await sleep(100);
  t.same(await pidsIn(a), [], 'the announcers ended on their own');
  // The duplicate check sends at most 2 probes, the first announcement 1, the repeats 3 + 3.
  const sent = (await rx()) - r0;
  t.ok(sent >= 7, `every announcement reached the neighbour (${sent} ARP packets, at least 7 expected)`);
  t.match((await host.run('ip', ['-n', b, 'neigh', 'show', '10.98.0.50'])).stdout, `lladdr ${macA}`, 'the neighbour learnt the new holder');

  await fip.deactivate('stop');
  await fip.activate('move');
  t.ok(await announcing(), 'announcing again after a move');
  await fip.deactivate('stop');
  t.same(await alive(a), [], 'giving the address up stops the announcers at once');
  await fip.activate('move');
  await fip.deactivate('stop');
  t.same(await alive(a), [], 'also when it is given up before they started');
  const d0 = await rx();
  await sleep(1300);
  t.equal(await rx(), d0, 'nothing claims the address once it is gone');
  t.notMatch((await host.run('ip', ['-n', a, '-o', '-4', 'addr', 'show', 'v0'])).stdout, '10.98.0.50', 'the address is gone');
});
