// Failover driven by a monitor (ipw losing its ping target) and a disk resource on a shared
// disk: two loop devices on one image file stand for the same disk as each server's kernel
// sees it (the read-only flag is per device, as it is per server on real shared disks).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t, { type Test } from 'tap';
import { rcOps } from '../../src/group/protocol';
import { rmOps } from '../../src/monitor/protocol';
import type { ClusterGroups } from '../../src/group/types';
import { clientNs, defaultLabConfig } from '../../src/host/lab/lab';
import { HostPlatform } from '../../src/platform/host';
import { isRoot, sleep, startLab, until } from '../helpers/lab';

if (!isRoot) { t.skip('LAB TESTS SKIPPED: network namespaces need root', () => {}); process.exit(0); }
t.setTimeout(240000);

const FIP = '10.77.1.50';
const TARGET = '10.77.1.253'; // an extra address of the client namespace: ipw's ping target
const platform = new HostPlatform({ powerRecord: '' });
/** The default lab configuration plus `extra`, in a directory removed after the test. */
const template = (t: Test, extra: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-conf-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'lab.conf');
  fs.writeFileSync(file, `${fs.readFileSync(defaultLabConfig, 'utf8')}\n${extra}`);
  return file;
};
const sh = async (file: string, ...args: string[]) => {
  const r = await platform.run(file, args, { timeoutMs: 30000 });
  if (r.code !== 0) throw new Error(`${file} ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
};

t.test('ipw: the ping target disappears, the group fails over; back to normal when it returns', async (t) => {
  const L = await startLab(t, template(t, `
[monitor ipw1]
type = ipw
targets = ${TARGET}
interval = 300
timeout = 2000
retry = 1
when = active
target_group = failover1
recovery_target = failover1
recovery_action = failover
`));
  const { lab, s, clp } = L;
  await sh('ip', '-n', clientNs(), 'addr', 'add', `${TARGET}/24`, 'dev', 'lan0');
  const answer = async () => (await lab.client('socat', ['-T2', '-', `TCP:${FIP}:8080`], 5000)).stdout.trim();
  const monitor = async (server: string) => ((await lab.call(s, server, rmOps.status)).data as Array<{ name: string; state: string }>).find((m) => m.name === 'ipw1')!.state;
  await until(async () => (await answer()) === 'server1' && (await monitor('server1')) === 'Normal', 15000, 'the service on server1, ipw1 Normal');
  await sh('ip', '-n', clientNs(), 'addr', 'del', `${TARGET}/24`, 'dev', 'lan0');
  const t0 = Date.now();
  await until(async () => (await answer()) === 'server2', 20000, 'the service answering from server2');
  t.pass(`served by server2 ${Date.now() - t0} ms after the target went`);
  const a1 = (await clp('server1', 'clpalert', '-n', '200')).out;
  t.match(a1, /server1 rm ERR 9 Monitor ipw1 failed\. \(1 : Ping cannot reach\. \(ret=1\) IP=10\.77\.1\.253\.\.\.\)/);
  t.match(a1, /server1 rm INFO 14 failover1 was failover for failure in ipw1\./);
  // server2 cannot reach the target either; the failover threshold keeps the group there.
  await until(async () => (await clp('server2', 'clpalert', '-n', '200')).out.includes('server2 rm ERR 9 Monitor ipw1 failed.'), 10000, 'ipw1 failing on server2 too');
  await sleep(1000);
  const g = ((await lab.call(s, 'server2', rcOps.cluster)).data as ClusterGroups).groups[0];
  t.same(g.current, ['server2'], 'the group stays on server2 (failover threshold used up)');
  await sh('ip', '-n', clientNs(), 'addr', 'add', `${TARGET}/24`, 'dev', 'lan0');
  await until(async () => (await monitor('server2')) === 'Normal', 10000, 'ipw1 Normal again on server2');
  t.match((await clp('server2', 'clpalert', '-n', '200')).out, /server2 rm INFO 26 Status of ipw1 changed normally\./);
  t.equal(await monitor('server1'), 'Offline', 'ipw1 idles where the group is not active');
});

t.test('disk: mounted on one server only, read-only on the other, fsck run; a move moves the mount', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-shared-'));
  const img = path.join(dir, 'shared.img');
  fs.writeFileSync(img, Buffer.alloc(32 << 20));
  const devA = (await sh('losetup', '-f', '--show', img)).trim();
  const devB = (await sh('losetup', '-f', '--show', img)).trim();
  await sh('mkfs.ext4', '-q', '-F', devA);
  const L = await startLab(t, template(t, `
[resource disk1]
type = disk
group = failover1
device = ${devA}
server2 = ${devB}
mount_point = @LAB@/disk1
fs_type = ext4
; -f: a full check each time, which dates the superblock's "Last checked"
fsck_options = -y -f
`));
  t.teardown(async () => {
    await L.lab.down();
    for (const d of [devA, devB]) { await platform.run('blockdev', ['--setrw', d]); await platform.run('losetup', ['-d', d]); }
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const { lab, s, clp } = L;
  const mnt = path.join(s.dir, 'disk1');
  const [pid1, pid2] = s.servers.map((x) => x.pid!);
  const mounts = (pid: number) => fs.readFileSync(`/proc/${pid}/mounts`, 'utf8').split('\n').filter((l) => l.split(' ')[1] === mnt);
  const ro = async (dev: string) => (await sh('blockdev', '--getro', dev)).trim();
  const lastChecked = async (dev: string) => {
    await sh('blockdev', '--flushbufs', dev);
    return Date.parse(/^Last checked:\s+(.*)$/m.exec(await sh('dumpe2fs', '-h', dev))![1]);
  };
  const state = async (server: string) => ((await lab.call(s, server, rcOps.status)).data as Array<{ state: string }>)[0].state;
  await until(async () => (await state('server1')) === 'Online', 20000, 'the group on server1');
  t.match(mounts(pid1), [new RegExp(`^${devA} ${mnt} ext4 rw`)], 'server1 has it mounted');
  t.same(mounts(pid2), [], 'server2 has not');
  t.same([await ro(devA), await ro(devB)], ['0', '1'], 'writable on server1, read-only on server2');
  const c1 = await lastChecked(devA);
  t.ok(Date.now() - c1 < 60000, `fsck checked it before the mount (${new Date(c1).toISOString()})`);
  await sh('nsenter', '-t', String(pid1), '-m', 'sh', '-c', `echo kept > ${mnt}/data`);
  await sleep(1100); // the next check gets a later timestamp

  const m = await clp('server1', 'clpgrp', '-m', 'failover1', '-h', 'server2');
  t.equal(m.code, 0, `clpgrp -m: ${m.err}`);
  t.same(mounts(pid1), [], 'server1 unmounted it');
  t.match(mounts(pid2), [new RegExp(`^${devB} ${mnt} ext4 rw`)], 'server2 mounted it');
  t.same([await ro(devA), await ro(devB)], ['1', '0'], 'read-only on server1 now, writable on server2');
  t.ok((await lastChecked(devB)) > c1, 'fsck ran again on server2');
  t.equal((await sh('nsenter', '-t', String(pid2), '-m', 'cat', `${mnt}/data`)).trim(), 'kept', 'the data moved with it');
});

t.test('activation failure: failed over within the threshold, then the final action shuts down (10.1)', async (t) => {
  // The client's own address as a floating IP: someone already answers for it (return 15).
  const { s } = await startLab(t, template(t, `
[resource fip2]
type = fip
group = failover1
address = 10.77.1.254/24
active_final_action = shutdown
`), { online: false });   // (the whole story may be over before a poll sees both Online)
  const read = (f: string) => { try { return fs.readFileSync(f, 'utf8'); } catch { return ''; } };
  const power = (srv: string) => read(path.join(s.dir, srv, 'power.log'));
  await until(async () => /shutdown activation of fip2 failed/.test(power('server2')), 20000, 'server2 running the final action');
  const a1 = read(path.join(s.dir, 'server1', 'alert', 'alert.log'));
  t.match(a1, 'The start processing of a resource fip2 failed. (15 : This ip address was already used. IP=10.77.1.254)');
  t.match(a1, 'The failover processing of a group failover1 started.', 'server1 failed it over first (threshold 1)');
  t.match(read(path.join(s.dir, 'server2', 'alert', 'alert.log')), 'The start processing of a resource fip2 failed. (15 : This ip address was already used. IP=10.77.1.254)');
  t.notMatch(power('server1'), /activation of fip2 failed/, 'server1 used its failover, not its final action');
  // server2 handed the group over as it went: server1 tries again, has nowhere left, shuts down too.
  await until(async () => /shutdown activation of fip2 failed/.test(power('server1')), 20000, 'server1 running the final action once alone');
  const at = (srv: string) => Date.parse(power(srv).split(' ')[0]);
  t.ok(at('server1') > at('server2'), 'server1 only after server2 went down');
});
