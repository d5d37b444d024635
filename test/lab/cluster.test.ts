// Two servers in the lab: membership over LAN, disk and COM heartbeats, as clpstat shows it.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HbCell } from '../../src/nm/types';
import t from 'tap';
import { nmOps } from '../../src/nm/protocol';
import { nsOf } from '../../src/host/lab/lab';
import { encode } from '../../src/heartbeat/codec';
import { clpstatSamples } from '../helpers/seed';
import { isRoot, startLab, until } from '../helpers/lab';

if (!isRoot) { t.skip('LAB TESTS SKIPPED: network namespaces need root', () => {}); process.exit(0); }

const rename = (s: string) => s; // the lab's heartbeats have the seed's names and order

t.test('two servers reach Online; clpstat -n shows the seed\'s normal and partitioned layouts', async (t) => {
  const { lab, s, clp, view } = await startLab(t);
  const [normal1, normal2, part1, part2] = clpstatSamples().map(rename);
  await until(async () => (await clp('server1', 'clpstat', '-n')).out === normal1, 5000, 'the normal layout on server1');
  t.equal((await clp('server1', 'clpstat', '-n')).out, normal1, 'normal layout on server1 equals the seed');
  await until(async () => (await clp('server2', 'clpstat', '-n')).out === normal2, 5000, 'the normal layout on server2');
  t.pass('normal layout on server2 equals the seed');

  await lab.link(s, 'lanhb1', false);
  await until(async () => (await view('server1')).matrix[0][1][0] === 'x', 5000, 'lanhb1 x on server1');
  const v = await view('server1');
  t.same(v.matrix[0], [['o', 'o', 'o', 'o'], ['x', 'o', 'o', 'o']], 'only the lanhb1 column shows x');
  t.equal(v.servers[1].status, 'Online', 'server2 stays up');
  await lab.link(s, 'lanhb1', true);

  // A full partition with a group active would be a split brain (seed §10.7: one server shuts
  // down on healing, test/lab/failover-partition.test.ts); here only the layouts matter.
  t.equal((await clp('server1', 'clpgrp', '-t', 'failover1')).code, 0, 'failover1 stopped before the partition');
  await lab.link(s, 'all', false);
  await until(async () => (await clp('server1', 'clpstat', '-n')).out === part1, 5000, 'the partitioned layout on server1');
  t.pass('partitioned layout on server1 equals the seed');
  await until(async () => (await clp('server2', 'clpstat', '-n')).out === part2, 5000, 'the partitioned layout on server2');
  t.pass('partitioned layout on server2 equals the seed');
  await lab.link(s, 'all', true);
  await lab.waitOnline(s, 5000);
});

t.test('the COM heartbeat alone holds the pair; SIGKILL gives "Server server2 down."', async (t) => {
  const { lab, s, clp, view } = await startLab(t);
  for (const l of ['lanhb1', 'lanhb2', 'diskhb1']) await lab.link(s, l, false);
  await until(async () => (await view('server1')).matrix[0][1].join('') === 'xxxo', 5000, 'only comhb1 alive');
  await new Promise((r) => setTimeout(r, 1500));
  t.equal((await view('server1')).servers[1].status, 'Online', 'COM alone keeps server2 Online');
  t.equal((await view('server2')).servers[0].status, 'Online', 'and server1 on server2');
  for (const l of ['lanhb1', 'lanhb2', 'diskhb1']) await lab.link(s, l, true);

  await lab.signal(s, 'server2', 'SIGKILL');
  await until(async () => (await clp('server1', 'clpalert', '-n', '20')).out.includes('Server server2 down.'), 5000, 'nm event 2');
  t.match((await clp('server1', 'clpalert')).out, /server1 nm INFO 2 Server server2 down\./);
  t.equal((await view('server1')).servers[1].status, 'Offline');
});

t.test('10,000 random, mutated, forged, replayed and foreign packets over real UDP change nothing', async (t) => {
  const { lab, s, view } = await startLab(t);
  await until(async () => (await view('server1')).matrix[0].flat().every((c) => c === 'o'), 5000, 'every heartbeat up');
  const before = await view('server1');
  const key = fs.readFileSync(path.join(s.dir, 'cluster.key'));
  // Sent from server2's namespace to server1's lanhb1 address: a script run there.
  const echo = [0, 1].map(() => ({ bootId: Buffer.alloc(16), seq: 0n }));
  const pkt = { cluster: 'cluster', sender: 'server2', senderIndex: 1, hb: 0, bootId: Buffer.alloc(16), seq: 1n, suspended: false, ratio: 1, ratioUntil: 0, view: [['o', 'o', 'o', 'o'], ['o', 'o', 'o', 'o']] as HbCell[][], echo };
  const forged = encode(pkt, randomBytes(32)).toString('hex');
  const foreign = encode({ ...pkt, cluster: 'other' }, key).toString('hex');
  const good = encode(pkt, key); // a packet of an earlier boot of server2: it does not echo server1's boot
  const script = `
    const dgram = require('dgram'); const crypto = require('crypto');
    const good = Buffer.from('${good.toString('hex')}', 'hex');
    const forged = Buffer.from('${forged}', 'hex'), foreign = Buffer.from('${foreign}', 'hex');
    const s = dgram.createSocket('udp4'); let n = 0;
    function next() {
      if (n >= 10000) return s.close();
      let b;
      switch (n % 6) {
        case 0: b = crypto.randomBytes(1 + (n % 300)); break;
        case 1: b = Buffer.from(good); b[n % b.length] ^= 1 + (n % 255); break;
        case 2: b = good; break;
        case 3: b = forged; break;
        case 4: b = foreign; break;
        default: b = good.subarray(0, n % good.length);
      }
      // Paced, so the kernel's socket buffer does not drop what the runtime should count.
      n++; s.send(b, 29002, '10.77.1.1', () => (n % 20 ? setImmediate(next) : setTimeout(next, 10)));
    }
    next();`;
  const r = await lab['os'].run('ip', ['netns', 'exec', nsOf('server2'), process.execPath, '-e', script], { timeoutMs: 120000 });
  t.equal(r.code, 0, r.stderr);
  const stats = (await lab.call(s, 'server1', nmOps.stats)).data as { dropped: Record<string, Record<string, number>> };
  const dropped = Object.values(stats.dropped.lanhb1).reduce((a, b) => a + b, 0);
  t.ok(dropped >= 9990, `dropped and counted: ${JSON.stringify(stats.dropped.lanhb1)}`);
  const after = await view('server1');
  t.same(after.servers, before.servers, 'membership unchanged');
  t.same(after.matrix[0], before.matrix[0], 'heartbeat states unchanged');
  const d = stats.dropped.lanhb1;
  t.ok(d.unconfirmed > 0 && d['bad-hmac'] > 0 && d['foreign-cluster'] > 0 && d.truncated > 0, 'every kind was seen and counted');
});

t.test('the runtime takes SCHED_RR priority, every thread (load cannot starve heartbeats)', async (t) => {
  const { s } = await startLab(t);
  const pid = s.servers[0].pid!;
  const tasks = fs.readdirSync(`/proc/${pid}/task`);
  t.ok(tasks.length > 1, `${tasks.length} threads`);
  let checked = 0;
  for (const tid of tasks) {
    // A thread can end between the listing and the read (seen once at load 8): nothing to check.
    let stat: string;
    try { stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'); } catch (e) { if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; throw e; }
    checked++;
    const f = stat.split(') ')[1].split(' ');
    // Fields after the command: policy is field 41 of stat (index 38 here), rt_priority 40 (37).
    t.same([Number(f[38]), Number(f[37])], [2, 10], `thread ${tid}: SCHED_RR, priority 10`);
  }
  t.ok(checked > 1, `${checked} threads checked`);
});
