// Seed 10.8 and §6.7.1 on the virtual pair: a mirror disk I/O error on the active box (liscal's
// `inject 1 ioerror`, the driver's own error path) resets it and the group continues on the
// other with the acknowledged data; then the "failed" disk is replaced by the seed's procedure
// (services disabled with chkconfig, reboot, the partitions zeroed as a new disk would be,
// clpmdchng --execute, services enabled, reboot), recovered in full, and the group moved back.
import t from 'tap';
import { vmSkipReason } from '../../src/host/pair/fixture';
import { HB_TIMEOUT, mirrorPair, normal, okIn, waitFor, type MirrorPair, downAfter } from '../../src/host/pair/mirror-fixture';
import * as fs from 'node:fs';
import { boxFiles } from '../../src/host/pair/qemu';

const skip = vmSkipReason();
if (skip) { t.skip(`MIRROR VM TESTS SKIPPED: ${skip}`, () => {}); process.exit(0); }

const CHUNKS = 4096;

t.test('10.8 disk error resets the active box; 6.7.1 the disk replaced', async (t) => {
  const m: MirrorPair = await mirrorPair('m3');
  downAfter(t, m);
  const { pair, s, run } = m;
  const ok = okIn(t, m);
  // (the kernel's boot_id changes at every boot)
  const uptime = async (x: string) => (await run(x, 'cat', '/proc/sys/kernel/random/boot_id')).trim();
  const rebooted = async (x: string, before: string) => {
    await waitFor(() => uptime(x), (b) => b.length > 0 && b !== before, 400000, `${x} rebooted`);
  };
  await pair.waitOnline(s, 400000);
  await waitFor(() => m.mdstat('server1'), (o) => normal.test(o), 600000, 'initial construction', 5000);
  await waitFor(() => m.client(), (o) => o === 'pairha server1', 240000, 'the group answering from server1');

  const sum = (await ok('server1', ['sh', '-c', 'dd if=/dev/urandom of=/mnt/md1/www/blob bs=64k count=32 conv=fsync 2>/dev/null && sha256sum /mnt/md1/www/blob'], 'server1 writes 2 MiB (fsync)')).split(' ')[0];

  // 10.8: the disk error; the write of the command never returns (emergency restart).
  const up1 = await uptime('server1');
  await m.runFull('server1', ['sh', '-c', '(sleep 1; echo inject 1 ioerror > /proc/liscal/ctl) >/dev/null 2>&1 &'], 30000);
  await waitFor(async () => fs.readFileSync(boxFiles(m.dir, 'server1').consoleLog, 'latin1'), (c) => /liscal: warning!! NMP1 disk I\/O error,system will reboot\./.test(c), 60000, 'the driver message on the console');
  t.pass('server1 console: "liscal: warning!! NMP1 disk I/O error,system will reboot."');
  await waitFor(() => m.client(), (o) => o === 'pairha server2', HB_TIMEOUT * 8, 'the group answering from server2', 1000);
  t.pass('the group continues on server2');
  t.equal((await run('server2', 'sha256sum', '/mnt/md1/www/blob')).split(' ')[0], sum, 'with the data acknowledged on server1');
  await rebooted('server1', up1);
  t.pass('server1 was reset by the driver (a new boot)');
  t.match(fs.readFileSync(boxFiles(m.dir, 'server1').consoleLog, 'latin1'), /boot: the last run did not end with a shutdown: cluster services wait \d+ s for the peer to take over/,
    'server1 held its services back after the reset (boot.d/95-unclean.sh)');
  await pair.waitOnline(s, 400000);
  await waitFor(() => m.mdstat('server2'), (o) => normal.test(o), 600000, 'GREEN GREEN after server1 returned');
  t.pass('server1 back, automatic recovery: GREEN GREEN');

  // §6.7.1 (3)-(4): services off on the failed server, which goes down for the new disk.
  await ok('server1', ['chkconfig', '--del', 'clusterpro'], '§6.7.1 (3) chkconfig --del clusterpro');
  await ok('server1', ['chkconfig', '--del', 'clusterpro_md'], '§6.7.1 (3) chkconfig --del clusterpro_md');
  let before = await uptime('server1');
  await m.runFull('server1', ['sh', '-c', '(sleep 1; reboot) >/dev/null 2>&1 &'], 30000);
  await rebooted('server1', before);
  await waitFor(() => m.runFull('server1', ['clpmdstat', '--mirror', 'md1']), (r) => r.code === 0, 300000, 'the runtime answers on server1');
  t.notMatch(await run('server1', 'lsmod'), /^liscal\s/m, 'clusterpro_md disabled: liscal is not loaded');
  // (4)-(6) the new disk: both mirror partitions blank.
  await ok('server1', ['sh', '-c', 'dd if=/dev/zero of=/dev/vda3 bs=1M count=32 2>/dev/null; dd if=/dev/zero of=/dev/vda4 bs=1M count=64 2>/dev/null; sync'], '§6.7.1 (4)-(6) a blank disk in place of the failed one');
  await ok('server1', ['clpmdchng', '--execute', '/dev/vda'], '§6.7.1 (7) clpmdchng --execute /dev/vda');
  await ok('server1', ['chkconfig', '--add', 'clusterpro_md'], '§6.7.1 (8) chkconfig --add clusterpro_md');
  await ok('server1', ['chkconfig', '--add', 'clusterpro'], '§6.7.1 (8) chkconfig --add clusterpro');
  before = await uptime('server1');
  await m.runFull('server1', ['sh', '-c', '(sleep 1; reboot) >/dev/null 2>&1 &'], 30000);
  await rebooted('server1', before);
  await pair.waitOnline(s, 400000);
  t.pass('§6.7.1 (9) server1 rebooted and Online');
  // (10)-(11) automatic recovery (on by default): a full copy server2 -> server1.
  await waitFor(() => m.mdstat('server1'), (o) => normal.test(o), 600000, 'GREEN GREEN after the full recovery', 3000);
  t.equal(Number((await m.liscal('server2')).rtotal), CHUNKS, '§6.7.1 (10)-(11) the new disk was copied in full, GREEN GREEN');
  // (12) the group back to server1.
  await ok('server2', ['clpgrp', '-m', 'failover1', '-h', 'server1'], '§6.7.1 (12) clpgrp -m failover1 -h server1');
  await waitFor(() => m.client(), (o) => o === 'pairha server1', 240000, 'the group answering from server1');
  t.equal((await run('server1', 'sha256sum', '/mnt/md1/www/blob')).split(' ')[0], sum, 'the group serves the data from the new disk on server1');
});
