// The seed's procedures that change the disks, on one virtual pair (example configuration,
// failover1 = fip1 + md1 + exec1; docs/procedures.md):
// §6.6.2 a mirror disk resource added on a newly added disk (md2: the configuration pulled,
// edited, pushed; the services disabled; cluster shutdown; a blank disk added to each box; the
// disks partitioned with fdisk; the services enabled; reboot; initial construction), with a
// disk resource (disk1) and a spare pair of partitions laid out on the same disk for later;
// §6.5 md2's data partition made bigger (backup on the active server, the services disabled,
// cluster shutdown and reboot, fdisk and mkfs on both servers, clpmdinit --create force, the
// services enabled, reboot, initial construction, restore); in the same maintenance window
// (the services disabled, one push, one reboot), §6.6.1 a mirror disk resource added on the
// spare existing partitions (md3) and §6.2 disk1's file system changed from ext4 to ext3
// (clproset -w, mkfs, clproset -o, fs_type).
import t from 'tap';
import { vmSkipReason } from '../../src/host/pair/fixture';
import { mirrorPair, normal, okIn, waitFor, downAfter, sleep, type MirrorPair } from '../../src/host/pair/mirror-fixture';

const skip = vmSkipReason();
if (skip) { t.skip(`DISK PROCEDURES VM TESTS SKIPPED: ${skip}`, () => {}); process.exit(0); }

const SERVERS = ['server1', 'server2'];
/** The added disk (256 MiB, /dev/vdc in the box), a DOS label laid out with busybox fdisk:
 *  1 md2's cluster partition, 2 md2's data partition (32 MiB, room after it to grow to 120 MiB),
 *  3 extended: 5 md3's cluster partition, 6 md3's data partition (the spare pair of §6.6.1),
 *  7 disk1's partition. Sectors of 512 bytes, starts given (busybox proposes sector 63). */
const DISK_MB = 256;
const fdiskScript = (lines: string[]) => `${lines.join('\n')}\n`;
const LAYOUT = fdiskScript([
  'o',
  'n', 'p', '1', '2048', '+4M',
  'n', 'p', '2', '16384', '+32M',
  'n', 'e', '3', '262144', '',
  'n', 'l', '264192', '+4M',
  'n', 'l', '274432', '+16M',
  'n', 'l', '309248', '+16M',
  'w',
]);
/** §6.5 (4): md2's data partition deleted and made again at the same start, 64 MiB. */
const GROW = fdiskScript(['d', '2', 'n', 'p', '2', '16384', '+64M', 'w']);
const CHUNK = 65536;

/** A mirror disk resource of failover1 on the added disk (/dev/vdc), in clp.conf's words. */
const mdSection = (name: string, nmp: number, data: string, cluster: string, port: number) => `
[resource ${name}]
type = md
group = failover1
nmp = ${nmp}
data_partition = ${data}
cluster_partition = ${cluster}
mount_point = /mnt/${name}
fs_type = ext4
mount_options = noatime
data_port = ${port}
server1 = 192.168.100.1
server2 = 192.168.100.2
`;
const md2 = `${mdSection('md2', 2, '/dev/vdc2', '/dev/vdc1', 29052)}
[resource disk1]
type = disk
group = failover1
device = /dev/vdc7
mount_point = /mnt/disk1
fs_type = ext4
`;
const md3 = mdSection('md3', 3, '/dev/vdc6', '/dev/vdc5', 29053);

/** The files of this test on md2, as `sha256sum` lines. */
const manifest = (mnt: string) => `cd ${mnt}/t && find . -type f | sort | xargs sha256sum`;
const b64 = (s: string) => Buffer.from(s).toString('base64');

t.test('§6.6.2, §6.5, §6.6.1 and §6.2 on one pair', async (t) => {
  const t0 = Date.now();
  const m: MirrorPair = await mirrorPair('pd');
  const lap = (what: string) => t.comment(`${what}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  downAfter(t, m);
  const { pair, s, run } = m;
  const ok = okIn(t, m);
  const sh = (x: string, script: string, what: string) => ok(x, ['sh', '-c', script], what);
  /** The same command on both servers, at once (each box has its own disk). */
  const both = async (script: string, what: string) => { await Promise.all(SERVERS.map((x) => sh(x, script, `${what} on ${x}`))); };
  const mdstat = async (x: string, md: string) => (await m.runFull(x, ['clpmdstat', '--mirror', md])).stdout;
  const green = (md: string, what: string) => waitFor(() => mdstat('server1', md), (o) => normal.test(o), 600000, what, 3000);
  const serving = (x: string, ms = 300000) => waitFor(() => m.client(), (o) => o === `pairha ${x}`, ms, `the group answering from ${x}`);
  const mounts = (x: string) => run(x, 'cat', '/proc/mounts');
  const nmp = async (x: string, n: number) => {
    const line = (await run(x, 'cat', '/proc/liscalstat')).split('\n').find((l) => l.startsWith(`NMP${n} `)) ?? '';
    return Object.fromEntries(line.split(' ').slice(1).map((kv) => kv.split('=') as [string, string]));
  };
  const bootId = async (x: string) => (await run(x, 'cat', '/proc/sys/kernel/random/boot_id')).trim();
  /** Both boxes answer with another boot id (services may be disabled: no cluster to wait for). */
  const rebooted = async (before: string[]) => {
    for (const [i, x] of SERVERS.entries()) await waitFor(() => bootId(x), (b) => b.length > 0 && b !== before[i], 600000, `${x} rebooted`);
  };
  const rebootBoth = async (what: string) => {
    const before = await Promise.all(SERVERS.map(bootId));
    for (const x of SERVERS) await m.runFull(x, ['sh', '-c', '(sleep 1; reboot) >/dev/null 2>&1 &'], 30000);
    await rebooted(before);
    t.pass(what);
  };
  /** The seed's clpcfctrl on server1 with a directory for the floppy: pull, edit, push. */
  const pull = () => sh('server1', 'rm -rf /tmp/cfg && mkdir /tmp/cfg && clpcfctrl --pull -l -x /tmp/cfg', 'clpcfctrl --pull -l -x /tmp/cfg');
  const push = async (what: string) => {
    const out = await sh('server1', 'echo | clpcfctrl --push -l -x /tmp/cfg', `${what} clpcfctrl --push -l -x /tmp/cfg`);
    t.match(out, /reflect method: reboot\n[\s\S]*please shutdown system after push\. \(hit return\) : [\s\S]*success\.\(code:0\)\n$/, `${what} pushed; the change needs a cluster shutdown and reboot`);
  };
  const fdisk = (script: string, what: string) => both(`echo ${b64(script)} | base64 -d | fdisk /dev/vdc >/tmp/fdisk.out 2>&1 || { cat /tmp/fdisk.out; exit 1; }`, what);
  const size = async (x: string, part: string) => Number((await run(x, 'cat', `/sys/class/block/${part}/size`)).trim()) * 512;
  const dfKiB = async (x: string, mnt: string) => Number((await sh(x, `df -k ${mnt} | tail -n 1`, `df -k ${mnt}`)).trim().split(/\s+/)[1]);

  await pair.waitOnline(s, 600000);
  await green('md1', 'md1 GREEN GREEN');
  await serving('server1');
  lap('booted, md1 GREEN GREEN');

  // §6.6.2 (2)-(4): the configuration pulled, md2 added (and disk1, for §6.2), pushed. An md
  // added is applied by a cluster shutdown and reboot, which clpcfctrl pushes only with the
  // cluster daemons stopped (§6.1.6 (1)): clpcl -t -a first.
  await pull();
  await sh('server1', `echo ${b64(md2)} | base64 -d >> /tmp/cfg/clp.conf`, '§6.6.2 (3) md2 and disk1 added to the pulled clp.conf');
  const refused = await m.runFull('server1', ['sh', '-c', 'echo | clpcfctrl --push -l -x /tmp/cfg']);
  t.not(refused.code, 0, 'clpcfctrl --push refused while the cluster daemons run');
  t.match(refused.stdout + refused.stderr, /the cluster daemon is running, and the change needs a cluster shutdown and reboot: stop it first \(clpcl -t -a\)/, 'not pushed while the cluster daemons run');
  await ok('server1', ['clpcl', '-t', '-a'], '§6.1.6 (1) clpcl -t -a');
  await push('§6.6.2 (4)');
  // (5) the services disabled in the seed's order, (6) cluster shutdown.
  await both('chkconfig --del clusterpro && chkconfig --del clusterpro_md', '§6.6.2 (5) chkconfig --del clusterpro, clusterpro_md');
  await ok('server1', ['clpstdn'], '§6.6.2 (6) clpstdn');
  for (const x of SERVERS) await waitFor(async () => pair.isOn(s, x), (on) => !on, 300000, `${x} powered off`, 2000);
  // (7) a disk added to each box, (8) both started, the new disks partitioned.
  for (const x of SERVERS) await pair.addDisk(s, x, DISK_MB);
  for (const x of SERVERS) await pair.powerOn(s, x);
  await Promise.all(SERVERS.map((x) => waitFor(() => m.runFull(x, ['true'], 10000), (r) => r.code === 0, 400000, `${x} up`)));
  t.pass('§6.6.2 (7)-(8) both servers started with the added disk');
  for (const x of SERVERS) {
    t.equal(await size(x, 'vdc'), DISK_MB * 1048576, `${x}: the added disk is /dev/vdc`);
    t.notMatch(await run(x, 'lsmod'), /^liscal\s/m, `${x}: clusterpro_md disabled, no mirror driver`);
  }
  await fdisk(LAYOUT, '§6.6.2 (8) fdisk /dev/vdc');
  // The data partitions get a file system as the image's md1 has (shipped formatted); the
  // initial construction then copies server1's to server2.
  await both('for p in 2 6 7; do mkfs -t ext4 -q /dev/vdc$p || exit 1; done', 'mkfs -t ext4 of vdc2, vdc6, vdc7');
  for (const x of SERVERS) t.equal(await size(x, 'vdc2'), 32 * 1048576, `${x}: md2's data partition is 32 MiB`);
  // (9) the services enabled in the seed's order, (10) both rebooted, (11) initial construction.
  await both('chkconfig --add clusterpro_md && chkconfig --add clusterpro', '§6.6.2 (9) chkconfig --add clusterpro_md, clusterpro');
  await rebootBoth('§6.6.2 (10) both servers rebooted');
  await pair.waitOnline(s, 600000);
  await green('md2', '§6.6.2 (11) clpmdstat --mirror md2: Normal, GREEN GREEN');
  t.pass('§6.6.2 (11) md2 GREEN GREEN after the initial construction');
  await serving('server1');
  let mt = await mounts('server1');
  t.match(mt, /^\/dev\/NMP2 \/mnt\/md2 ext4 /m, '§6.6.2 the group is active with md2 mounted');
  t.match(mt, /^\/dev\/vdc7 \/mnt\/disk1 ext4 /m, 'disk1 mounted (ext4)');
  t.match(mt, /^\/dev\/NMP1 \/mnt\/md1 ext4 /m, 'md1 still mounted');
  for (const x of SERVERS) t.equal(Number((await nmp(x, 2)).chunks), 32 * 1048576 / CHUNK, `${x}: NMP2 is bound to the 32 MiB partition`);
  // Data written through md2 on server1 is on server2 after a move.
  await sh('server1', 'mkdir -p /mnt/md2/t/d && dd if=/dev/urandom of=/mnt/md2/t/a.bin bs=64k count=64 2>/dev/null && echo two > /mnt/md2/t/d/two.txt && sync', 'data written on md2 (server1)');
  const data = await sh('server1', manifest('/mnt/md2'), 'the manifest of md2');
  await green('md2', 'md2 GREEN GREEN after the writes');
  await ok('server1', ['clpgrp', '-m', 'failover1', '-h', 'server2'], 'clpgrp -m failover1 -h server2');
  await serving('server2');
  t.equal(await sh('server2', manifest('/mnt/md2'), 'the manifest of md2 on server2'), data, '§6.6.2 what server1 wrote on md2 is on server2');
  lap('§6.6.2 done');

  // §6.5 (1) md2's files backed up on the active server (server2), on its config partition
  // (kept across the reboots: the seed's tape).
  const kib0 = await dfKiB('server2', '/mnt/md2');
  await sh('server2', 'mkdir -p /config/backup && tar -C /mnt/md2 -cf /config/backup/md2.tar t && sync', '§6.5 (1) tar -C /mnt/md2 -cf /config/backup/md2.tar t');
  // (2) the services disabled, (3) cluster shutdown and reboot.
  await both('chkconfig --del clusterpro && chkconfig --del clusterpro_md', '§6.5 (2) chkconfig --del clusterpro, clusterpro_md');
  const before = await Promise.all(SERVERS.map(bootId));
  await ok('server1', ['clpstdn', '-r'], '§6.5 (3) clpstdn -r');
  await rebooted(before);
  t.pass('§6.5 (3) both servers rebooted');
  await Promise.all(SERVERS.map((x) => waitFor(() => m.runFull(x, ['clpmdstat', '--mirror', 'md2'], 30000), (r) => r.code === 0, 300000, `${x}: the mirror agent answers`)));
  // (4) md2's data partition made bigger on both servers; a file system of the new size
  // (the restore of (9) fills it); (5) clpmdinit --create force md2 on both.
  await fdisk(GROW, '§6.5 (4) fdisk /dev/vdc: partition 2 deleted and made again, 64 MiB');
  for (const x of SERVERS) t.equal(await size(x, 'vdc2'), 64 * 1048576, `§6.5 (4) ${x}: md2's data partition is 64 MiB`);
  await both('mkfs -t ext4 -q /dev/vdc2', '§6.5 (4) mkfs -t ext4 /dev/vdc2');
  await Promise.all(SERVERS.map((x) => ok(x, ['clpmdinit', '--create', 'force', 'md2'], `§6.5 (5) clpmdinit --create force md2 on ${x}`)));

  // In the same window, the cluster daemons stopped (disabled): §6.6.1 (2)-(4) md3 on the
  // spare partitions laid out with the disk, and §6.2 disk1 made ext3, in one push.
  for (const x of SERVERS) {
    const r = await m.runFull(x, ['clpstat']);
    t.not(r.code, 0, `§6.2 (1) ${x}: the cluster daemon is stopped (clpstat: ${r.stderr.trim()})`);
  }
  await pull();
  await both('clproset -w -d /dev/vdc7', '§6.2 (3) clproset -w -d /dev/vdc7');
  await both('mkfs -t ext3 -q /dev/vdc7', '§6.2 (4) mkfs -t ext3 /dev/vdc7');
  await both('clproset -o -d /dev/vdc7', '§6.2 (5) clproset -o -d /dev/vdc7');
  for (const x of SERVERS) t.equal((await run(x, 'blockdev', '--getro', '/dev/vdc7')).trim(), '1', `§6.2 (5) ${x}: /dev/vdc7 read-only`);
  await sh('server1', "sed -i '/^\\[resource disk1\\]$/,/^\\[/ s/^fs_type = ext4$/fs_type = ext3/' /tmp/cfg/clp.conf", '§6.2 (6) fs_type = ext3 in [resource disk1]');
  t.match(await run('server1', 'cat', '/tmp/cfg/clp.conf'), /^\[resource disk1\]\n(?:(?!\[)[^\n]*\n)*fs_type = ext3$/m, '§6.2 (6) disk1 says ext3');
  await sh('server1', `echo ${b64(md3)} | base64 -d >> /tmp/cfg/clp.conf`, '§6.6.1 (3) md3 added to the pulled clp.conf');
  await push('§6.6.1 (4), §6.2 (7)');
  // §6.5 (6) the services enabled, (7) both rebooted: also §6.6.1 (5) and §6.2's daemon start.
  await both('chkconfig --add clusterpro_md && chkconfig --add clusterpro', '§6.5 (6) chkconfig --add clusterpro_md, clusterpro');
  await rebootBoth('§6.5 (7), §6.6.1 (5) both servers rebooted');
  await pair.waitOnline(s, 600000);
  await green('md2', '§6.5 (8) clpmdstat --mirror md2: Normal');
  t.pass('§6.5 (8) md2 GREEN GREEN after the initial construction');
  await green('md3', '§6.6.1 (6) clpmdstat --mirror md3: Normal');
  t.pass('§6.6.1 (6) md3 GREEN GREEN after the initial construction');
  await serving('server1');
  for (const x of SERVERS) t.equal(Number((await nmp(x, 2)).chunks), 64 * 1048576 / CHUNK, `§6.5 ${x}: NMP2 is bound to the 64 MiB partition`);
  t.equal(Number((await nmp('server1', 2)).rtotal), 64 * 1048576 / CHUNK, '§6.5 (8) the resized md2 was copied in full');
  mt = await mounts('server1');
  t.match(mt, /^\/dev\/NMP2 \/mnt\/md2 ext4 /m, '§6.5 md2 mounted on the active server');
  t.match(mt, /^\/dev\/NMP3 \/mnt\/md3 ext4 /m, '§6.6.1 the group is active with md3 mounted');
  t.match(mt, /^\/dev\/vdc7 \/mnt\/disk1 ext3 /m, '§6.2 disk1 mounted as ext3');
  t.equal((await run('server2', 'blockdev', '--getro', '/dev/vdc7')).trim(), '1', '§6.2 disk1 read-only on the standby');
  // §6.5 (9) the files restored on the active server: the backup is on server2's config
  // partition (the tape is where it was written), so the group goes there first; disk1 is
  // then mounted from server2's own partition, made ext3 too.
  await ok('server1', ['clpgrp', '-m', 'failover1', '-h', 'server2'], 'clpgrp -m failover1 -h server2');
  await serving('server2');
  mt = await mounts('server2');
  t.match(mt, /^\/dev\/NMP2 \/mnt\/md2 ext4 /m, '§6.5 md2 mounted on server2');
  t.match(mt, /^\/dev\/NMP3 \/mnt\/md3 ext4 /m, '§6.6.1 md3 mounted on server2');
  t.match(mt, /^\/dev\/vdc7 \/mnt\/disk1 ext3 /m, '§6.2 disk1 mounted as ext3 on server2');
  const kib1 = await dfKiB('server2', '/mnt/md2');
  t.ok(kib1 - kib0 > 24 * 1024, `§6.5 df: /mnt/md2 grew from ${kib0} to ${kib1} KiB (32 MiB more, less the file system's own)`);
  await sh('server2', 'tar -C /mnt/md2 -xf /config/backup/md2.tar && sync', '§6.5 (9) tar -C /mnt/md2 -xf /config/backup/md2.tar');
  t.equal(await sh('server2', manifest('/mnt/md2'), 'the manifest of md2'), data, '§6.5 (9) the files are back on the resized md2');
  await sh('server2', 'echo three > /mnt/md3/three.txt && echo ext3 > /mnt/disk1/fs.txt && sync', 'md3 and disk1 written');
  await sleep(1000);
  t.match(await mdstat('server2', 'md3'), normal, '§6.6.1 md3 GREEN GREEN after a write');
  lap('§6.5, §6.6.1, §6.2 done');
});
