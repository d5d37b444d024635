// clpcfctrl on the virtual pair booted from the image (seed §1, §6.1, §12.3): a push from the
// config stick (label PAIRHA-CFG), a pull to a directory, a push from the directory applied by
// a cluster daemon stop/start (§6.1.5) with edited message files re-read, a push from a
// USB-stick image labelled PAIRHA-CFG (-d DEV -m MNT); both boxes checked after each.
import t from 'tap';
import { testPair, vmSkipReason } from '../../src/host/pair/fixture';

const skip = vmSkipReason();
if (skip) { t.skip(`CFCTRL VM TESTS SKIPPED: ${skip}`, () => {}); process.exit(0); }

t.test('clpcfctrl push and pull on the pair', async (t) => {
  const { pair, config, imageDir } = await testPair(t, 'cfctrl', 'cf');
  const s = await pair.up({ config, imageDir, memoryMb: 512 });
  await pair.waitOnline(s, 400000);
  const sh = async (server: string, script: string) => pair.run(s, server, ['sh', '-c', script], 180000);
  const ok = async (server: string, script: string, what: string) => {
    const r = await sh(server, script);
    t.equal(r.code, 0, `${what}${r.code ? `: ${r.stdout}${r.stderr}` : ''}`);
    return r.stdout;
  };
  const held = (server: string) => ok(server, 'cat /opt/pairha/etc/clp.conf', `clp.conf of ${server}`);
  const servers = ['server1', 'server2'];

  // §6.1.1 from the stick as the pair was delivered: the same configuration, upload only.
  let out = await ok('server1', 'clpcfctrl --push -l </dev/null', 'clpcfctrl --push -l (the stick labelled PAIRHA-CFG)');
  t.match(out, /generation 0 -> 1; reflect method: upload\n[\s\S]*success\.\(code:0\)\n$/);
  for (const b of servers) t.match(await held(b), /^generation = 1$/m, `${b} holds generation 1`);
  t.notMatch(await ok('server1', 'cat /proc/mounts', 'mounts'), /\/mnt\/usb/, 'the stick is unmounted again');

  // §12.3: the message files are on the config partition; pm 1 no longer goes to the alert log.
  for (const b of servers) {
    await ok(b, "sed -i 's/^ID=1 SEND=syslog.alert /ID=1 SEND=syslog /' /opt/pairha/messages/pm.msg.us && readlink -f /opt/pairha/messages/pm.msg.us", `edit pm.msg.us on ${b}`);
  }
  t.match(await ok('server1', 'readlink -f /opt/pairha/messages', 'where the messages are'), /^\/config\/messages$/m, 'on the config partition');

  // §1.2.2 backup to a directory, §6.1.5 push from it with the daemons stopped, then started.
  await ok('server2', 'mkdir -p /tmp/cfg && clpcfctrl --pull -l -x /tmp/cfg', 'clpcfctrl --pull -l -x /tmp/cfg on server2');
  await ok('server2', "printf '\\n[group g2]\\nservers = server2,server1\\n' >> /tmp/cfg/clp.conf", 'add group g2');
  out = (await sh('server2', 'echo y | clpcfctrl --push -l -x /tmp/cfg')).stderr;
  t.match(out, /server\d: the cluster daemon is running, and the change needs a cluster daemon stop\/start/, 'refused while the daemons run');
  await ok('server1', 'clpcl -t -a', 'clpcl -t -a');
  const alerts = async () => ((await ok('server1', 'clpalert -n 100000', 'clpalert')).match(/ pm INFO 1 /g) ?? []).length;
  const before = await alerts();
  const syslogBefore = ((await ok('server1', 'cat /var/log/messages', 'syslog')).match(/Cluster daemon has started properly/g) ?? []).length;
  out = await ok('server2', 'echo y | clpcfctrl --push -l -x /tmp/cfg', 'clpcfctrl --push -l -x /tmp/cfg');
  t.match(out, /Need to stop cluster and restart\nAlready stopped\? \(y\/n\) : [\s\S]*run clpcl -s -a to apply it\nsuccess\.\(code:0\)\n$/, 'the seed\'s prompt and success');
  await ok('server1', 'clpcl -s -a', 'clpcl -s -a');
  await pair.waitOnline(s, 300000);
  for (const b of servers) {
    t.match(await held(b), /^generation = 2$/m, `${b} holds generation 2`);
    t.match(await ok(b, 'clpstat', 'clpstat'), /g2/, `${b}: the daemon started with group g2`);
  }
  t.equal(await alerts(), before, 'pm 1 no longer in the alert log: the edited message file was re-read');
  const syslogAfter = ((await ok('server1', 'cat /var/log/messages', 'syslog')).match(/Cluster daemon has started properly/g) ?? []).length;
  t.ok(syslogAfter > syslogBefore, 'but still in syslog');

  // A USB-stick image labelled PAIRHA-CFG (-d DEV -m MNT), a change applied by a stop/start.
  const dev = (await ok('server1', [
    'rm -rf /tmp/stick && mkdir -p /tmp/stick && clpcfctrl --pull -x /tmp/stick >/dev/null',
    "printf '\\n[group g3]\\nservers = server1,server2\\n' >> /tmp/stick/clp.conf",
    // (the path: busybox's shell would run its own mke2fs applet, which has no -t or -d)
    '/sbin/mke2fs -q -F -t ext2 -L PAIRHA-CFG -d /tmp/stick /tmp/stick.img 4M >/dev/null',
    'dev=$(losetup -f) && losetup "$dev" /tmp/stick.img && echo "$dev"',
  ].join(' && '), 'a stick image labelled PAIRHA-CFG on a loop device')).trim();
  t.match(dev, /^\/dev\/loop\d+$/);
  await ok('server1', 'clpcl -t -a', 'clpcl -t -a');
  out = await ok('server1', `echo y | clpcfctrl --push -l -d ${dev} -m /mnt/stick`, `clpcfctrl --push -l -d ${dev} -m /mnt/stick`);
  t.match(out, /generation 2 -> 3; reflect method: daemon[\s\S]*success\.\(code:0\)\n$/);
  await ok('server1', `losetup -d ${dev}`, 'losetup -d');
  await ok('server1', 'clpcl -s -a', 'clpcl -s -a');
  await pair.waitOnline(s, 300000);
  const texts = await Promise.all(servers.map(held));
  t.equal(texts[0], texts[1], 'both boxes hold the same file');
  for (const b of servers) {
    t.match(await held(b), /^generation = 3$/m, `${b} holds generation 3`);
    t.match(await ok(b, 'clpstat', 'clpstat'), /g3/, `${b}: the daemon started with group g3`);
  }
  // The stick of the delivery is generation 0: older than the pair's, refused.
  const old = await sh('server2', 'clpcfctrl --push </dev/null');
  t.equal(old.code, 1);
  t.match(old.stderr, /generation 0, older than the cluster's 3/);
});
