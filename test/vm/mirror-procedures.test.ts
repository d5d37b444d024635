// The seed's mirror procedures, run as scripts on the virtual pair (example configuration,
// failover1 = fip1 + md1 + exec1): §11.9 manual mkfs through clpmdctrl --active -nomount;
// §11.10.1/§11.10.4 no automatic recovery without an active md, then clpmdctrl --recovery
// (FastSync); §11.10.6 one-server forced recovery, the other copied in full when it returns;
// §6.4 reuse of a disk (cluster partition reinitialised: clpmdinit --create force, full copy);
// §11.8.1 manual mount through clpmdctrl --active with clusterpro disabled by chkconfig.
import t from 'tap';
import { vmSkipReason } from '../../src/host/pair/fixture';
import { HB_TIMEOUT, mirrorPair, normal, okIn, waitFor, type MirrorPair, downAfter } from '../../src/host/pair/mirror-fixture';

const skip = vmSkipReason();
if (skip) { t.skip(`MIRROR VM TESTS SKIPPED: ${skip}`, () => {}); process.exit(0); }

const CHUNKS = 4096;

t.test('mirror procedures of the seed on the virtual pair', async (t) => {
  const m: MirrorPair = await mirrorPair('m2');
  downAfter(t, m);
  const { pair, s, run } = m;
  const ok = okIn(t, m);
  await pair.waitOnline(s, 400000);
  await waitFor(() => m.mdstat('server1'), (o) => normal.test(o), 600000, 'initial construction', 5000);
  await waitFor(() => m.client(), (o) => o === 'pairha server1', 240000, 'the group answering from server1');
  t.pass('initial construction done, the group serves md1 from server1');

  // §11.9: (3) stop the group, (4) clpmdctrl --active -nomount, (5) mkfs on /dev/NMP1 (mirrored),
  // (7) clpmdctrl --deactive; then the group starts on the new file system.
  await ok('server1', ['sh', '-c', 'echo before-mkfs > /mnt/md1/www/old.txt && sync'], 'a file written before the mkfs');
  await ok('server1', ['clpgrp', '-t', 'failover1'], '§11.9 (3) clpgrp -t failover1');
  await ok('server1', ['clpmdctrl', '--active', '-nomount', 'md1'], '§11.9 (4) clpmdctrl --active -nomount md1');
  t.notMatch(await run('server1', 'cat', '/proc/mounts'), /NMP1/, '-nomount: /dev/NMP1 is open, not mounted');
  await ok('server1', ['mkfs', '-t', 'ext4', '-q', '-F', '/dev/NMP1'], '§11.9 (5) mkfs -t ext4 /dev/NMP1');
  await ok('server1', ['clpmdctrl', '--deactive', 'md1'], '§11.9 (7) clpmdctrl --deactive md1');
  t.match(await m.mdstat('server1'), normal, 'the mkfs was mirrored: GREEN GREEN');
  await ok('server1', ['clpgrp', '-s', 'failover1'], 'clpgrp -s failover1');
  await waitFor(() => m.client(), (o) => o === 'pairha server1', 120000, 'the group answering again');
  t.equal(await m.client('old.txt'), '', 'the new file system does not have the old file');

  // §11.10.1 / §11.10.4: a break while the group is stopped; no automatic recovery (the md is
  // active nowhere); clpmdctrl --recovery copies the difference.
  await ok('server1', ['clpgrp', '-t', 'failover1'], 'clpgrp -t failover1');
  await pair.link(s, 'mirror', false);
  await ok('server1', ['clpmdctrl', '--active', 'md1'], 'clpmdctrl --active md1 with the mirror link cut');
  await ok('server1', ['sh', '-c', 'dd if=/dev/urandom of=/mnt/md1/brk bs=64k count=16 conv=fsync 2>/dev/null; sync'], 'server1 writes alone');
  await ok('server1', ['clpmdctrl', '--deactive', 'md1'], 'clpmdctrl --deactive md1');
  await pair.link(s, 'mirror', true);
  const need = await waitFor(() => m.mdstat('server1'), (o) => /^Mirror Color\tGREEN\tRED$/m.test(o), 180000, 'GREEN RED after the break');
  t.match(need, /^Mirror Status: Abnormal {2}$/m, '§11.10.2: Abnormal, needs mirror recovery (GREEN RED)');
  await new Promise((r) => setTimeout(r, 15000));
  t.match(await m.mdstat('server1'), /^Mirror Color\tGREEN\tRED$/m, '§11.10.1: no automatic recovery while md1 is active nowhere');
  await ok('server2', ['clpmdctrl', '--recovery', 'md1'], '§11.10.4 clpmdctrl --recovery md1 (run on server2: the direction comes from the data)');
  await waitFor(() => m.mdstat('server1'), (o) => normal.test(o), 300000, 'GREEN GREEN after clpmdctrl --recovery');
  const diff = await m.liscal('server1');
  t.ok(Number(diff.rtotal) < CHUNKS / 4, `the recovery was differential (${diff.rtotal} of ${CHUNKS} chunks)`);
  t.match(await run('server1', 'clpalert'), /mdadm INFO 7 Recovery mode is FastSync\./, 'mdadm 7: FastSync');

  // §11.10.6: server2 down, server1 forced alone; server2 is copied in full when it returns.
  await pair.powerOff(s, 'server2');
  await waitFor(() => run('server1', 'clpstat'), (o) => /^\s+server2\s+: Offline$/m.test(o), HB_TIMEOUT * 4, 'server2 Offline');
  await ok('server1', ['clpmdctrl', '--force', 'server1', 'md1'], '§11.10.6 clpmdctrl --force server1 md1 with server2 down');
  await ok('server1', ['clpgrp', '-s', 'failover1'], 'the group starts on server1 alone');
  await waitFor(() => m.client(), (o) => o === 'pairha server1', 120000, 'the group answering from server1');
  await pair.powerOn(s, 'server2');
  await pair.waitOnline(s, 400000);
  const t0 = Date.now();
  await waitFor(() => m.mdstat('server1'), (o) => normal.test(o), 600000, 'GREEN GREEN after server2 returned', 2000);
  const full = await m.liscal('server1');
  t.equal(Number(full.rtotal), CHUNKS, `server2 was copied in full (${full.rtotal} chunks)`);
  t.comment(`full recovery of 256 MiB (server2 Online to GREEN GREEN): ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // §6.4: reuse of a disk: server2's cluster partition is reinitialised; the data is copied in full.
  await ok('server1', ['clpgrp', '-t', 'failover1'], 'clpgrp -t failover1');
  await ok('server2', ['clpmdinit', '--create', 'force', 'md1'], '§6.4 clpmdinit --create force md1 on server2');
  t.match(await run('server2', 'od', '-A', 'n', '-t', 'x1', '-N', '4', '/dev/vda3'), /4c 53 4d 44|00 00 00 00/, 'the cluster partition was reinitialised (fresh metadata)');
  await waitFor(() => m.mdstat('server1'), (o) => /^Mirror Color\tGREEN\tRED$/m.test(o), 120000, 'server2 outdated after clpmdinit');
  await ok('server1', ['clpmdctrl', '--recovery', 'md1'], 'clpmdctrl --recovery md1');
  await waitFor(() => m.mdstat('server1'), (o) => normal.test(o), 600000, 'GREEN GREEN after the full copy');
  t.equal(Number((await m.liscal('server1')).rtotal), CHUNKS, 'a reused disk is copied in full');

  // §11.8.1: clusterpro disabled by chkconfig on both, clusterpro_md kept; manual mount.
  for (const x of ['server1', 'server2']) await ok(x, ['chkconfig', '--del', 'clusterpro'], `chkconfig --del clusterpro on ${x}`);
  // (the kernel's boot_id changes at every boot: uptimes compared later can have grown back)
  const bootId = async (x: string) => (await run(x, 'cat', '/proc/sys/kernel/random/boot_id')).trim();
  const before = await Promise.all(['server1', 'server2'].map(bootId));
  for (const x of ['server1', 'server2']) await m.runFull(x, ['sh', '-c', '(sleep 1; reboot) >/dev/null 2>&1 &'], 30000);
  for (const [i, x] of ['server1', 'server2'].entries()) {
    await waitFor(() => bootId(x), (b) => b.length > 0 && b !== before[i], 400000, `${x} rebooted`);
    await waitFor(() => m.runFull(x, ['clpmdstat', '--mirror', 'md1']), (r) => r.code === 0, 300000, `${x}: the mirror agent answers`);
  }
  const st = await m.runFull('server1', ['clpstat']);
  t.match(st.stdout + st.stderr, /the cluster daemon is not running/, 'the cluster daemon does not run (clpstat says so)');
  await waitFor(() => m.mdstat('server1'), (o) => normal.test(o), 300000, 'GREEN GREEN with the cluster daemons off');
  await ok('server2', ['clpmdctrl', '--active', 'md1'], '§11.8.1 (1) clpmdctrl --active md1 on server2');
  await ok('server2', ['sh', '-c', 'test -s /mnt/md1/brk && echo manual > /mnt/md1/manual.txt && sync'], '§11.8.1 (2) the mount point is usable');
  await ok('server2', ['clpmdctrl', '--deactive', 'md1'], 'clpmdctrl --deactive md1');
  await ok('server1', ['clpmdctrl', '--active', 'md1'], 'and active on server1');
  t.equal((await run('server1', 'cat', '/mnt/md1/manual.txt')).trim(), 'manual', 'what server2 wrote was mirrored to server1');
  await ok('server1', ['clpmdctrl', '--deactive', 'md1'], 'clpmdctrl --deactive md1 on server1');
  t.match(await m.mdstat('server2'), normal, 'GREEN GREEN');
});
