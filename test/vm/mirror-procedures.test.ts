// The seed's mirror procedures, run as scripts on the virtual pair (example configuration,
// failover1 = fip1 + md1 + exec1): §11.9 manual mkfs through clpmdctrl --active -nomount;
// §11.10.1/§11.10.4 no automatic recovery without an active md, then clpmdctrl --recovery
// (FastSync); §11.10.6 one-server forced recovery, the other copied in full when it returns;
// §6.4 reuse of a disk (cluster partition reinitialised: clpmdinit --create force, full copy);
// §11.8.1 manual mount through clpmdctrl --active with clusterpro disabled by chkconfig.
// Then, on the same pair (one boot and one initial construction for both halves: CI time):
// the seed's backup, restore and replacement procedures of a mirror disk, on one virtual pair
// (example configuration, failover1 = fip1 + md1 + exec1; docs/procedures.md):
// §9.1.1 backup while the cluster runs (clptoratio, a file-level copy of the active box's mount,
// clpcfctrl --pull), §9.2.3.1 its restore through the mount (mirrored); §9.1.2/§9.1.3 backup
// with the cluster daemons stopped (clpcl -t -a, clpmdctrl --active) and §9.2.3.2 its restore;
// §6.7.2 the standby's mirror disk fails (liscal's disk-error path resets it, the group stays on
// the active), is replaced and rebuilt from the active; §11.7.1 a server replaced with a new
// mirror disk (re-flashed); §11.7.2 a server replaced, its mirror disk reused (only the system
// re-flashed: a differential recovery); §11.8.2 the data partition mounted read-only by hand
// with every service disabled and the other server shut down.
import * as fs from 'node:fs';
import t from 'tap';
import { vmSkipReason } from '../../src/host/pair/fixture';
import { HB_TIMEOUT, mirrorPair, normal, okIn, waitFor, type MirrorPair, downAfter } from '../../src/host/pair/mirror-fixture';
import { boxFiles } from '../../src/host/pair/qemu';

const skip = vmSkipReason();
if (skip) { t.skip(`MIRROR VM TESTS SKIPPED: ${skip}`, () => {}); process.exit(0); }

const CHUNKS = 4096;
/** The files of the backup procedures on md1 (exec1 rewrites www/ at each start), as `sha256sum` lines. */
const manifest = (mnt: string) => `cd ${mnt}/bk && find . -type f | sort | xargs sha256sum`;

t.test('mirror procedures of the seed on one virtual pair', async (t) => {
  const m: MirrorPair = await mirrorPair('m2');
  downAfter(t, m);

  await t.test('mkfs, mirror break and recovery, reuse of a disk, manual mount', async (t) => {
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
  if (!t.passing()) return;

  await t.test('the cluster daemons enabled and started again', async (t) => {
    const ok = okIn(t, m);
    for (const x of ['server1', 'server2']) await ok(x, ['chkconfig', '--add', 'clusterpro'], `chkconfig --add clusterpro on ${x}`);
    await ok('server1', ['clpcl', '-s', '-a'], 'clpcl -s -a');
  });
  if (!t.passing()) return;

  await t.test('backup, restore, disk and server replacement, forced read-only mount', async (t) => {
    const t0 = Date.now();
    const lap = (what: string) => t.comment(`${what}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    const { pair, s, run } = m;
    const ok = okIn(t, m);
    const sh = (x: string, script: string, what: string) => ok(x, ['sh', '-c', script], what);
    const bootId = async (x: string) => (await run(x, 'cat', '/proc/sys/kernel/random/boot_id')).trim();
    const rebooted = (x: string, before: string) => waitFor(() => bootId(x), (b) => b.length > 0 && b !== before, 400000, `${x} rebooted`);
    const serving = (x: string, ms = 240000) => waitFor(() => m.client(), (o) => o === `pairha ${x}`, ms, `the group answering from ${x}`);
    const green = (x: string, what: string) => waitFor(() => m.mdstat(x), (o) => normal.test(o), 600000, what, 3000);
    /** The raw data partitions of both servers (md1 active nowhere). The driver writes below
     *  /dev/vda4's page cache: dropped first, or an earlier read is hashed again. */
    const partitions = async () => Promise.all(['server1', 'server2'].map(async (x) => (await sh(x, 'sync; echo 3 > /proc/sys/vm/drop_caches; sha256sum /dev/vda4', `sha256sum /dev/vda4 on ${x}`)).split(' ')[0]));
    /** The seed's shutdown: the box halts by itself (what it wrote on /config is kept). */
    const shutdown = async (x: string) => {
      await m.runFull(x, ['sh', '-c', '(sleep 1; poweroff) >/dev/null 2>&1 &'], 30000);
      await waitFor(async () => pair.isOn(s, x), (on) => !on, 240000, `${x} powered off`, 2000);
    };
    const move = async (to: string, what: string) => {
      const from = to === 'server1' ? 'server2' : 'server1';
      await ok(from, ['clpgrp', '-m', 'failover1', '-h', to], `${what}: clpgrp -m failover1 -h ${to}`);
      await serving(to);
    };

    await pair.waitOnline(s, 400000);
    await green('server1', 'initial construction');
    await serving('server1');
    await sh('server1', 'mkdir -p /mnt/md1/bk/d && dd if=/dev/urandom of=/mnt/md1/bk/a.bin bs=64k count=16 2>/dev/null && echo one > /mnt/md1/bk/d/one.txt && sync', 'server1 writes the data to back up');
    const data = await sh('server1', manifest('/mnt/md1'), 'the manifest of the data');
    const conf = (await sh('server1', 'sha256sum /opt/pairha/etc/clp.conf', 'clp.conf')).split(' ')[0];

    lap('booted, GREEN GREEN');

    // §9.1.1: (2) timeouts x3 for 1 h, (3) a file-level copy of the mount on the active server,
    // and the configuration (clpcfctrl --pull), (4) the timeouts back.
    await ok('server1', ['clptoratio', '-r', '3', '-t', '1h'], '§9.1.1 (2) clptoratio -r 3 -t 1h');
    await sh('server1', 'tar -C /mnt/md1 -cf /tmp/run.tar bk', '§9.1.1 (3) tar -C /mnt/md1 -cf /tmp/run.tar bk');
    await sh('server1', 'rm -rf /tmp/cfg-run && mkdir /tmp/cfg-run && clpcfctrl --pull -l -x /tmp/cfg-run', '§9.1.1 (3) clpcfctrl --pull -l -x /tmp/cfg-run');
    await ok('server1', ['clptoratio', '-i'], '§9.1.1 (4) clptoratio -i');
    t.match(await sh('server1', 'tar -tf /tmp/run.tar', 'tar -tf'), /^bk\/a\.bin$[\s\S]*^bk\/d\/one\.txt$|^bk\/d\/one\.txt$[\s\S]*^bk\/a\.bin$/m, '§9.1.1 the backup holds the files');
    t.equal((await sh('server1', 'sha256sum /tmp/cfg-run/clp.conf', 'the pulled clp.conf')).split(' ')[0], conf, "§9.1.1 the pulled configuration is the cluster's");

    // §9.2.3.1: the data damaged, restored through the active mount while the cluster runs.
    await sh('server1', 'rm -rf /mnt/md1/bk/d && dd if=/dev/zero of=/mnt/md1/bk/a.bin bs=64k count=4 conv=notrunc 2>/dev/null && sync', 'the data damaged');
    t.not(await sh('server1', manifest('/mnt/md1'), 'manifest'), data, 'the data differs from the backup');
    await ok('server1', ['clptoratio', '-r', '3', '-t', '1h'], '§9.2.3.1 (2) clptoratio -r 3 -t 1h');
    await sh('server1', 'tar -C /mnt/md1 -xf /tmp/run.tar && sync', '§9.2.3.1 (3) tar -C /mnt/md1 -xf /tmp/run.tar');
    await ok('server1', ['clptoratio', '-i'], '§9.2.3.1 (4) clptoratio -i');
    t.equal(await sh('server1', manifest('/mnt/md1'), 'manifest'), data, '§9.2.3.1 the files are back on the active server');
    t.match(await m.mdstat('server1'), normal, '§9.2.3.1 GREEN GREEN after the restore');

    lap('§9.1.1, §9.2.3.1 done');

    // §9.1.2/§9.1.3 (LE: by §11.8.1): the cluster daemons stopped, md1 activated by hand.
    await ok('server1', ['clpcl', '-t', '-a'], '§9.1.2 (2) clpcl -t -a');
    await waitFor(() => run('server1', 'cat', '/proc/mounts'), (o) => !/NMP1/.test(o), 120000, 'md1 unmounted');
    const [p1, p2] = await partitions();
    t.equal(p1, p2, '§9.2.3.1 the restore reached both servers: their data partitions are equal');
    await ok('server1', ['clpmdctrl', '--active', 'md1'], '§9.1.3 clpmdctrl --active md1 (the cluster daemons stopped)');
    await sh('server1', 'tar -C /mnt/md1 -cf /tmp/stop.tar bk', '§9.1.2 (3) tar -C /mnt/md1 -cf /tmp/stop.tar bk');
    await sh('server1', 'rm -rf /tmp/cfg-stop && mkdir /tmp/cfg-stop && clpcfctrl --pull -l -x /tmp/cfg-stop', '§9.1.2 (3) clpcfctrl --pull -l -x /tmp/cfg-stop');
    t.equal((await sh('server1', 'sha256sum /tmp/cfg-stop/clp.conf', 'the pulled clp.conf')).split(' ')[0], conf, '§9.1.2 the pulled configuration is the cluster\'s');
    t.equal(await sh('server1', `mkdir -p /tmp/x && tar -C /tmp/x -xf /tmp/stop.tar && ${manifest('/tmp/x')}`, 'the backup unpacked'), data, '§9.1.2 the backup holds the data');

    // §9.2.3.2: still stopped, the data lost, restored through /mnt/md1 (clpmdctrl --active).
    await sh('server1', 'rm -rf /mnt/md1/bk && sync', 'the data lost');
    await sh('server1', 'tar -C /mnt/md1 -xf /tmp/stop.tar && sync', '§9.2.3.2 tar -C /mnt/md1 -xf /tmp/stop.tar');
    t.equal(await sh('server1', manifest('/mnt/md1'), 'manifest'), data, '§9.2.3.2 the files are back');
    await ok('server1', ['clpmdctrl', '--deactive', 'md1'], '§9.2.3.2 clpmdctrl --deactive md1');
    t.match(await m.mdstat('server1'), normal, '§9.2.3.2 GREEN GREEN');
    const [q1, q2] = await partitions();
    t.equal(q1, q2, '§9.2.3.2 the restore reached both servers: their data partitions are equal');
    t.not(q1, p1, '(the restore wrote the partition anew)');
    await ok('server1', ['clpcl', '-s', '-a'], '§9.1.2 (4) clpcl -s -a');
    await pair.waitOnline(s, 300000);
    await serving('server1');

    lap('§9.1.2, §9.2.3.2 done');

    // §6.7.2: (1)-(2) the standby's disk fails: its driver resets it; the group stays on server1.
    const up2 = await bootId('server2');
    await m.runFull('server2', ['sh', '-c', '(sleep 1; echo inject 1 ioerror > /proc/liscal/ctl) >/dev/null 2>&1 &'], 30000);
    await waitFor(async () => fs.readFileSync(boxFiles(m.dir, 'server2').consoleLog, 'latin1'), (c) => /liscal: warning!! NMP1 disk I\/O error,system will reboot\./.test(c), 60000, 'the driver message on server2\'s console');
    await rebooted('server2', up2);
    t.pass('§6.7.2 (2) server2 was reset by its driver');
    t.equal(await m.client(), 'pairha server1', '§6.7.2 (2) the group still answers from server1');
    // (3) services off on server2, (4) shut down, the disk replaced, (5) started, (6) a blank disk.
    await ok('server2', ['chkconfig', '--del', 'clusterpro'], '§6.7.2 (3) chkconfig --del clusterpro');
    await ok('server2', ['chkconfig', '--del', 'clusterpro_md'], '§6.7.2 (3) chkconfig --del clusterpro_md');
    await shutdown('server2');
    t.pass('§6.7.2 (4) server2 shut down (poweroff)');
    await pair.powerOn(s, 'server2');
    await waitFor(() => m.runFull('server2', ['clpmdstat', '--mirror', 'md1']), (r) => r.code === 0, 400000, 'server2 up (§6.7.2 (5))');
    t.notMatch(await run('server2', 'lsmod'), /^liscal\s/m, 'clusterpro_md disabled: liscal is not loaded');
    await sh('server2', 'dd if=/dev/zero of=/dev/vda3 bs=1M count=32 2>/dev/null; dd if=/dev/zero of=/dev/vda4 bs=1M count=64 2>/dev/null; sync', '§6.7.2 (5)-(6) a blank disk in place of the failed one');
    await ok('server2', ['clpmdchng', '--execute', '/dev/vda'], '§6.7.2 (7) clpmdchng --execute /dev/vda');
    await ok('server2', ['chkconfig', '--add', 'clusterpro_md'], '§6.7.2 (8) chkconfig --add clusterpro_md');
    await ok('server2', ['chkconfig', '--add', 'clusterpro'], '§6.7.2 (8) chkconfig --add clusterpro');
    const up2b = await bootId('server2');
    await m.runFull('server2', ['sh', '-c', '(sleep 1; reboot) >/dev/null 2>&1 &'], 30000);
    await rebooted('server2', up2b);
    await pair.waitOnline(s, 400000);
    await green('server1', '§6.7.2 (10)-(11) GREEN GREEN after the recovery');
    t.equal(Number((await m.liscal('server1')).rtotal), CHUNKS, '§6.7.2 (10)-(11) the new disk was copied in full from server1, GREEN GREEN');
    t.equal(await m.client(), 'pairha server1', '§6.7.2 the group stayed on server1 throughout');
    await move('server2', '§6.7.2');
    t.equal(await sh('server2', manifest('/mnt/md1'), 'manifest on server2'), data, '§6.7.2 the rebuilt disk of server2 holds the data');

    lap('§6.7.2 done');

    // §11.7.1: server1 (now the standby) replaced with a new disk: the image flashed; the stick
    // gives it the configuration; its fresh mirror disk is initialised and copied in full.
    await pair.powerOff(s, 'server1');
    await pair.reflash(s, 'server1');
    await pair.powerOn(s, 'server1');
    await pair.waitOnline(s, 600000);
    t.pass('§11.7.1 (1)-(7) the new server1 is Online');
    t.equal((await sh('server1', 'sha256sum /opt/pairha/etc/clp.conf', 'clp.conf')).split(' ')[0], conf, "§11.7.1 (5) the new server1 runs the cluster's configuration");
    await green('server2', '§11.7.1 (8) GREEN GREEN after the recovery');
    t.equal(Number((await m.liscal('server2')).rtotal), CHUNKS, '§11.7.1 (8) the new disk was copied in full (GREEN GREEN)');
    await move('server1', '§11.7.1');
    t.equal(await sh('server1', manifest('/mnt/md1'), 'manifest on server1'), data, '§11.7.1 the new server1 serves the data');

    lap('§11.7.1 done');

    // §11.7.2: server2 replaced, its mirror disk reused (the system re-flashed, the cluster and
    // data partitions kept); what server1 wrote meanwhile comes by a differential recovery.
    await pair.powerOff(s, 'server2');
    await waitFor(() => run('server1', 'clpstat'), (o) => /^\s+server2\s+: Offline$/m.test(o), HB_TIMEOUT * 4, 'server2 Offline');
    await sh('server1', 'echo while-replaced > /mnt/md1/bk/d/two.txt && sync', 'server1 writes while server2 is being replaced');
    const data2 = await sh('server1', manifest('/mnt/md1'), 'the manifest of the data');
    await pair.reflashSystem(s, 'server2');
    await pair.powerOn(s, 'server2');
    await pair.waitOnline(s, 600000);
    t.pass('§11.7.2 (1)-(5) the new server2 with the old mirror disk is Online');
    t.equal((await sh('server2', 'sha256sum /opt/pairha/etc/clp.conf', 'clp.conf')).split(' ')[0], conf, "§11.7.2 (4) the new server2 runs the cluster's configuration");
    await green('server1', '§11.7.2 (6) GREEN GREEN after the recovery');
    const diff = Number((await m.liscal('server1')).rtotal);
    t.ok(diff > 0 && diff < CHUNKS / 4, `§11.7.2 (6) the reused disk was recovered by difference (FastSync: ${diff} of ${CHUNKS} chunks)`);
    await move('server2', '§11.7.2');
    t.equal(await sh('server2', manifest('/mnt/md1'), 'manifest on server2'), data2, '§11.7.2 server2 serves the data, with what was written while it was replaced');

    lap('§11.7.2 done');

    // §11.8.2: server2 (the latest data, the last active) with every service disabled (1) is
    // rebooted, server1 shut down (2); (3) mount -r of the data partition, (4) copied, (5) umount.
    const services = ['clusterpro_alertsync', 'clusterpro_webmgr', 'clusterpro', 'clusterpro_md', 'clusterpro_trn', 'clusterpro_evt'];
    for (const x of services) await ok('server2', ['chkconfig', '--del', x], `§11.8.2 (1) chkconfig --del ${x}`);
    await shutdown('server1');
    const up2c = await bootId('server2');
    await m.runFull('server2', ['sh', '-c', '(sleep 1; reboot) >/dev/null 2>&1 &'], 30000);
    await rebooted('server2', up2c);
    t.pass('§11.8.2 (2) server2 rebooted, server1 shut down');
    t.notMatch(await run('server2', 'lsmod'), /^liscal\s/m, 'no mirror driver on server2');
    await ok('server2', ['mount', '-r', '-t', 'ext4', '/dev/vda4', '/mnt'], '§11.8.2 (3) mount -r -t ext4 /dev/vda4 /mnt');
    t.match(await run('server2', 'cat', '/proc/mounts'), /^\/dev\/vda4 \/mnt ext4 ro[,\s]/m, '§11.8.2 (3) the data partition is mounted read-only');
    t.not((await m.runFull('server2', ['touch', '/mnt/bk/written'])).code, 0, '§11.8.2 (3) it cannot be written');
    t.equal(await sh('server2', manifest('/mnt'), 'manifest of the read-only mount'), data2, '§11.8.2 (3) the data partition holds the latest data');
    await sh('server2', 'tar -C /mnt -cf /tmp/emergency.tar bk && tar -tf /tmp/emergency.tar | grep -qx bk/d/two.txt', '§11.8.2 (4) tar -C /mnt -cf /tmp/emergency.tar bk');
    await ok('server2', ['umount', '/mnt'], '§11.8.2 (5) umount /mnt');
    t.notMatch(await run('server2', 'cat', '/proc/mounts'), /^\/dev\/vda4 /m, '§11.8.2 (5) unmounted');
    lap('§11.8.2 done');
  });
});
