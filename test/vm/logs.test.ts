// Logs that survive and can be collected (issue 14 point 4), on the pair booted from the image:
// syslog is on the config partition; a kernel panic of server1 (sysrq c) resets it, and after
// the reboot its reason is read from the persistent log (the ramoops record copied to
// /config/log/pstore and the line of /config/log/resets), and a syslog line written before the
// panic is still there. clplogcc then collects both servers into one archive, to a directory
// and to a USB stick, with no trace of the cluster key.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import t from 'tap';
import { keyForms } from '../../src/logs/collect';
import { testPair, vmSkipReason } from '../../src/host/pair/fixture';
import { until } from '../helpers/lab';

const skip = vmSkipReason();
if (skip) { t.skip(`LOG VM TESTS SKIPPED: ${skip}`, () => {}); process.exit(0); }

/** The keeper's sync period (rootfs/opt/pairha/lib/sh/logkeep.sh) and a margin for a loaded TCG box. */
const FLUSH_MS = 2000 + 4000;

t.test('a panic\'s reason survives the reset; clplogcc collects both servers', async (t) => {
  const { pair, dir, config, imageDir } = await testPair(t, 'logs', 'g');
  const s = await pair.up({ config, imageDir, memoryMb: 512 });
  await pair.waitOnline(s, 300000);
  const sh = async (server: string, script: string, timeoutMs = 300000) => pair.run(s, server, ['sh', '-c', script], timeoutMs);
  const out = async (server: string, script: string) => (await sh(server, script)).stdout;

  t.match(await out('server1', 'grep " /var/log " /proc/mounts'), /^\/dev\/vda2 \/var\/log ext4 /m, '/var/log is the config partition\'s log directory');
  t.match(await out('server1', 'cat /sys/module/ramoops/parameters/max_reason'), /^3$/m, 'ramoops keeps the kernel\'s last messages, emergency restarts included');
  t.match(await out('server1', 'cat /config/log/resets'), /boot: the last run is none: the config partition's first boot$/m, 'the first boot is recorded');

  const marker = `logs-test-marker-${process.pid}-${Date.now()}`;
  t.equal((await sh('server1', `logger -t logs-test ${marker}`)).code, 0, 'a syslog line before the panic');
  await new Promise((r) => setTimeout(r, FLUSH_MS));
  const bootId = (await out('server1', 'cat /proc/sys/kernel/random/boot_id')).trim();
  const qemuPid = pair.load().boxes.find((b) => b.name === 'server1')!.pid;
  // The agent never answers: the box panics (panic=1 reboots it a second later).
  await sh('server1', 'echo c > /proc/sysrq-trigger', 5000).catch(() => undefined);
  await until(async () => {
    try { return (await out('server1', 'cat /proc/sys/kernel/random/boot_id')).trim() !== bootId; } catch { return false; }
  }, 600000, 'server1 booted again after its panic');
  t.equal(pair.load().boxes.find((b) => b.name === 'server1')!.pid, qemuPid, 'the same qemu process: a warm reset, RAM kept');
  await pair.waitOnline(s, 600000);
  t.pass('both servers Online again');

  const resets = await out('server1', 'cat /config/log/resets');
  t.match(resets.trim().split('\n').pop(), /boot: the last run did not end with a shutdown: Kernel panic - not syncing: sysrq triggered crash \(pstore\/\d{8}-\d{6}\)$/, `the reason of the reset, from /config/log/resets:\n${resets}`);
  const record = await out('server1', 'cat /config/log/pstore/*/dmesg-ramoops-*');
  t.match(record, /sysrq: Trigger a crash/, 'the ramoops record holds the kernel\'s last messages');
  t.match(await out('server1', 'grep -h logs-test /var/log/messages*'), marker, 'the syslog line written before the panic survived it');
  t.match(await out('server1', 'cat /var/log/messages'), /boot: the last run did not end with a shutdown: Kernel panic/, 'and the reason is in syslog after the boot');

  // clplogcc to a directory, from server1: both servers' parts, no trace of the key.
  const cc = await sh('server1', 'rm -rf /tmp/cc && mkdir /tmp/cc && clplogcc -o /tmp/cc');
  t.equal(cc.code, 0, `clplogcc -o /tmp/cc: ${cc.stdout}${cc.stderr}`);
  t.match(cc.stdout, /^Collect Log server1 : success\nCollect Log server2 : success$/m, 'one line per server');
  const local = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-logs-vm-'));
  t.teardown(() => fs.rmSync(local, { recursive: true, force: true }));
  const tgz = path.join(local, 'logs.tar.gz');
  fs.writeFileSync(tgz, Buffer.from(await out('server1', 'base64 /tmp/cc/pairha-logs-*.tar.gz'), 'base64'));
  const list = execFileSync('tar', ['-tzf', tgz], { encoding: 'utf8' });
  for (const f of ['server1/log/messages', 'server2/log/messages', 'server1/log/resets', 'server1/alert/', 'server2/alert/',
    'server1/etc/clp.conf', 'server2/etc/clp.conf', 'server1/dmesg.txt', 'server2/dmesg.txt', 'server1/clpstat.txt',
    'server2/clpmdstat-md1.txt', 'server1/liscalstat.txt', 'server2/liscalstat.txt', 'server1/MANIFEST.txt', 'MANIFEST.txt']) {
    t.match(list, new RegExp(`^pairha-logs-cluster-\\d{8}-\\d{6}/${f.replace(/\./g, '\\.')}`, 'm'), `${f} in the archive`);
  }
  t.match(list, /^pairha-logs-cluster-[^/]+\/server1\/log\/pstore\/\d{8}-\d{6}\/dmesg-ramoops-\d+$/m, 'server1\'s panic record in the archive');
  execFileSync('tar', ['-xzf', tgz, '-C', local]);
  const all = execFileSync('sh', ['-c', 'find . -type f -exec cat {} +'], { cwd: local, maxBuffer: 256 << 20 });
  const key = fs.readFileSync(path.join(dir, 'server1.stick', 'cluster.key'));
  t.ok(keyForms(key).every((f) => all.indexOf(f) < 0), 'no form of the cluster key anywhere in the archive');
  t.notOk(/cluster\.key$/m.test(list), 'the key file is not in it');
  const liscal = execFileSync('sh', ['-c', 'cat */server2/liscalstat.txt'], { cwd: local, encoding: 'utf8' });
  t.match(liscal, /^NMP1 /m, 'server2\'s liscalstat, collected there');

  // To a USB stick (a loop device here), from server2, logs only.
  const stick = await sh('server2', 'dd if=/dev/zero of=/tmp/usb.img bs=1M count=16 2>/dev/null && mke2fs -q -F /tmp/usb.img >/dev/null 2>&1 && d=$(losetup -f) && losetup "$d" /tmp/usb.img && echo "$d"');
  const dev = stick.stdout.trim();
  t.match(dev, /^\/dev\/loop\d+$/, `a stick: ${stick.stderr}`);
  const usb = await sh('server2', `clplogcc -t type3 -d ${dev}`);
  t.equal(usb.code, 0, `clplogcc -t type3 -d ${dev}: ${usb.stdout}${usb.stderr}`);
  const onStick = await out('server2', `mount ${dev} /mnt/usb && tar -tzf /mnt/usb/pairha-logs-*.tar.gz; umount /mnt/usb`);
  t.match(onStick, /^pairha-logs-cluster-[^/]+\/server1\/log\/messages$/m, 'the stick holds server1\'s syslog');
  t.match(onStick, /^pairha-logs-cluster-[^/]+\/server2\/log\/messages$/m, 'and server2\'s');
  t.notMatch(onStick, /etc\/clp\.conf|dmesg\.txt/, 'type3: logs and alert logs only');
  t.notMatch(await out('server2', 'grep " /mnt/usb " /proc/mounts || true'), /mnt\/usb/, 'the stick is unmounted afterwards');
});
