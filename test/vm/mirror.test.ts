// The mirror on the virtual pair booted from the image, with the example configuration
// (failover1 = fip1 + md1 + exec1; exec1 serves /mnt/md1/www): initial construction, then
// GREEN/GREEN; the active box powered off fails the group over with the data acknowledged
// before; the old active box back, automatic recovery copies only the difference, GREEN/GREEN
// and equal data partitions; both sides written during a partition gives "needs forced
// recovery" (RED/RED) and clpmdctrl --force restores GREEN/GREEN with the chosen data.
import t from 'tap';
import { vmSkipReason } from '../../src/host/pair/fixture';
import { HB_TIMEOUT, mirrorPair, normal, waitFor, type MirrorPair, downAfter } from '../../src/host/pair/mirror-fixture';

const skip = vmSkipReason();
if (skip) { t.skip(`MIRROR VM TESTS SKIPPED: ${skip}`, () => {}); process.exit(0); }

const CHUNKS = 4096; // 256 MiB data partition / 64 KiB chunks

t.test('md1 on the virtual pair: construction, failover with data, differential recovery, forced recovery', async (t) => {
  const m: MirrorPair = await mirrorPair('m');
  downAfter(t, m);
  const { pair, s, run } = m;
  await pair.waitOnline(s, 400000);

  // 1. Initial construction (full, server1 -> server2), then GREEN/GREEN seen from both.
  for (const server of ['server1', 'server2']) {
    await waitFor(() => m.mdstat(server), (o) => normal.test(o), 600000, `clpmdstat --mirror md1 Normal on ${server}`, 5000);
  }
  t.pass('initial construction: clpmdstat --mirror md1 GREEN GREEN on both servers');
  t.match(await run('server1', 'clpalert'), /mdadm INFO 16 Initial recovery of mirror disk started\.\(Device:\/dev\/NMP1\)/, 'mdadm 16: initial recovery started');
  await waitFor(() => run('server1', 'clpalert'), (o) => /mdadm INFO 18 Initial recovery of mirror disk has finished successfully\.\(Device:\/dev\/NMP1\)/.test(o), 60000, 'mdadm 18');
  t.pass('mdadm 18: initial recovery finished successfully');

  // The group serves the mirror disk: activated on server1 and mounted.
  await waitFor(() => m.client(), (o) => o === 'pairha server1', 240000, 'the group answering from server1');
  t.match(await run('server1', 'cat', '/proc/mounts'), /^\/dev\/NMP1 \/mnt\/md1 ext4 /m, 'md1 is mounted on /mnt/md1 on server1');

  // 2. Data written and acknowledged (fsync) on server1, then server1 powered off.
  const w1 = await m.runFull('server1', ['sh', '-c', 'dd if=/dev/urandom of=/mnt/md1/www/blob1 bs=64k count=32 conv=fsync 2>/dev/null && echo acked-before-failover > /mnt/md1/www/mark.txt && sync -f /mnt/md1/www/mark.txt 2>/dev/null || sync; sha256sum /mnt/md1/www/blob1']);
  t.equal(w1.code, 0, 'server1 wrote 2 MiB and fsync-ed it');
  const sum1 = w1.stdout.split(' ')[0];
  t.equal(await m.client('mark.txt'), 'acked-before-failover', 'the client reads the file through the service on server1');
  // (the mirror must be normal at the power-off: a standby left outdated by a break cannot take over)
  t.match(await waitFor(() => m.mdstat('server1'), (o) => normal.test(o), 180000, 'GREEN GREEN before the power-off'), normal, 'the mirror is normal after the write');
  const offAt = Date.now();
  await pair.powerOff(s, 'server1');
  try {
    await waitFor(() => m.client(), (o) => o === 'pairha server2', HB_TIMEOUT * 8, 'the group answering from server2', 1000);
  } catch (e) {
    t.fail(`${(e as Error).message}\n${await run('server2', 'sh', '-c', 'grep -v DEBUG /opt/pairha/log/pairha.log | tail -30').catch((x: Error) => x.message)}`);
    return;
  }
  t.comment(`power-off of the active box to the service answering from server2: ${((Date.now() - offAt) / 1000).toFixed(1)} s`);
  t.pass('after server1 is powered off the group (fip1 + md1 + exec1) answers from server2');
  t.equal(await m.client('mark.txt'), 'acked-before-failover', 'the file acknowledged on server1 is served by server2');
  t.equal((await run('server2', 'sha256sum', '/mnt/md1/www/blob1')).split(' ')[0], sum1, 'the 2 MiB acknowledged on server1 are on server2 (sha256)');

  // 3. server2 writes alone; server1 back: automatic differential recovery, server2 -> server1.
  t.equal((await m.runFull('server2', ['sh', '-c', 'dd if=/dev/urandom of=/mnt/md1/www/blob2 bs=64k count=48 conv=fsync 2>/dev/null && sync'])).code, 0, 'server2 wrote 3 MiB more while server1 is off');
  const alone = await m.liscal('server2');
  t.equal(alone.state, 'BREAK', 'server2 holds data server1 lacks (BREAK)');
  const dirty = Number(alone.dirty);
  t.ok(dirty >= 48 && dirty < CHUNKS / 4, `server2's bitmap counts the difference only (${dirty} of ${CHUNKS} chunks)`);
  t.match(await m.mdstat('server2'), /^Mirror Color\t--\tGREEN$/m, 'clpmdstat on server2 while server1 is off: -- GREEN');

  await pair.powerOn(s, 'server1');
  await pair.waitOnline(s, 400000);
  const back = Date.now();
  const done = await waitFor(() => m.mdstat('server2'), (o) => normal.test(o), 600000, 'GREEN GREEN after server1 returned', 3000);
  t.comment(`server1 Online to GREEN GREEN: ${((Date.now() - back) / 1000).toFixed(1)} s`);
  t.match(done, normal, 'automatic mirror recovery: GREEN GREEN');
  const rec = await m.liscal('server2');
  const copied = Number(rec.rtotal);
  t.ok(copied >= dirty && copied < CHUNKS / 4, `the recovery copied only the difference: ${copied} chunks of ${CHUNKS} (server2 had ${dirty} dirty)`);
  // The agent reports the end at its first tick (every 2 s) after the driver's state says so,
  // which clpmdstat can show first.
  const finished = /mdadm INFO 6 Building of switch mirror disk has finished successfully\.\(Device: \/dev\/NMP1\)/;
  const alerts2 = await waitFor(() => run('server2', 'clpalert'), (o) => finished.test(o), 60000, 'mdadm 6', 2000).catch((e: Error) => e.message);
  t.match(alerts2, /mdadm INFO 7 Recovery mode is FastSync\./, 'mdadm 7: Recovery mode is FastSync.');
  t.match(alerts2, finished, 'mdadm 6: recovery finished');

  // Equal data partitions: stop the group (nothing writes), hash both, start it again.
  t.equal((await m.runFull('server2', ['clpgrp', '-t', 'failover1'])).code, 0, 'clpgrp -t failover1');
  const [h1, h2] = await Promise.all(['server1', 'server2'].map(async (x) => (await m.runFull(x, ['sha256sum', '/dev/vda4'], 600000)).stdout.split(' ')[0]));
  t.ok(h1.length === 64 && h1 === h2, `sha256 of the data partitions equal (${h1.slice(0, 16)}... / ${h2.slice(0, 16)}...)`);
  t.equal((await m.runFull('server2', ['clpgrp', '-s', 'failover1', '-h', 'server2'])).code, 0, 'clpgrp -s failover1 -h server2');
  await waitFor(() => m.client(), (o) => o === 'pairha server2', 120000, 'the group answering from server2 again');

  // 4. A partition: both sides take the group and write; then each cluster daemon is
  // stopped (no double activity when the links return), the links plugged: RED RED.
  await pair.link(s, 'all', false);
  await waitFor(() => run('server1', 'cat', '/proc/mounts'), (o) => /^\/dev\/NMP1 \/mnt\/md1 /m.test(o), HB_TIMEOUT * 8, 'server1 took the group over during the partition');
  t.pass('during the partition server1 takes the group too (md1 mounted on both)');
  for (const x of ['server1', 'server2']) {
    t.equal((await m.runFull(x, ['sh', '-c', `echo written-on-${x} > /mnt/md1/www/side-${x}.txt && sync`])).code, 0, `${x} writes during the partition`);
  }
  for (const x of ['server1', 'server2']) t.equal((await m.runFull(x, ['clpcl', '-t'])).code, 0, `clpcl -t on ${x}`);
  await pair.link(s, 'all', true);
  // (the cluster daemons are stopped: only the agents run, nothing to wait Online for)
  for (const x of ['server1', 'server2']) {
    const o = await waitFor(() => m.mdstat(x), (v) => /^Mirror Color\tRED\tRED$/m.test(v), 180000, `RED RED on ${x}`);
    t.match(o, /^Mirror Status: Abnormal {2}$/m, `clpmdstat on ${x}: Abnormal`);
    t.match(o, /^Mirror Color\tRED\tRED$/m, `clpmdstat on ${x}: needs forced recovery (RED RED)`);
  }
  const f = await m.runFull('server1', ['clpmdctrl', '--force', 'server2', 'md1']);
  t.equal(f.code, 0, `clpmdctrl --force server2 md1 (${f.stdout.trim()} ${f.stderr.trim()})`);
  await waitFor(() => m.mdstat('server1'), (o) => normal.test(o), 600000, 'GREEN GREEN after the forced recovery');
  t.pass('forced recovery from server2: GREEN GREEN');
  for (const x of ['server1', 'server2']) t.equal((await m.runFull(x, ['clpcl', '-s'])).code, 0, `clpcl -s on ${x}`);
  await waitFor(() => m.client(), (o) => o === 'pairha server1', 240000, 'the group answering from server1');
  t.equal(await m.client('side-server2.txt'), 'written-on-server2', "server2's data is the mirror's (its partition-time file is served)");
  t.equal(await m.client('side-server1.txt'), '', "server1's partition-time write is gone");
  t.equal(await m.client('mark.txt'), 'acked-before-failover', 'older data kept');
});
