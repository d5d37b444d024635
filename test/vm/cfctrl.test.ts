// clpcfctrl on the virtual pair booted from the image (seed §1, §6.1, §12.3): a push from the
// config stick (label PAIRHA-CFG), a pull to a directory, a push from the directory applied by
// a cluster daemon stop/start (§6.1.5) with edited message files re-read, a push from a
// USB-stick image labelled PAIRHA-CFG (-d DEV -m MNT); then the reflect methods that keep the
// cluster running: a web manager restart (§6.1.3), an alert sync restart (§6.1.2) and a
// suspend/resume (§6.1.4); both boxes checked after each.
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

  /** Whether the box has a socket bound to `port` (TCP: listening) in its /proc/net tables. */
  const bound = async (b: string, proto: 'tcp' | 'udp', port: number) => {
    const hex = port.toString(16).toUpperCase().padStart(4, '0');
    const state = proto === 'tcp' ? '0A' : '07';
    const out = await ok(b, `cat /proc/net/${proto} /proc/net/${proto}6 2>/dev/null | awk '$4 == "${state}" { print $2 }'`, `${proto} sockets of ${b}`);
    return out.split('\n').some((l) => l.toUpperCase().endsWith(`:${hex}`));
  };
  /** Pull from server1 to /tmp/w, edit clp.conf with a sed expression. */
  const pullEdit = (sed: string, what: string) => ok('server1', `rm -rf /tmp/w && mkdir /tmp/w && clpcfctrl --pull -x /tmp/w >/dev/null && sed -i '${sed}' /tmp/w/clp.conf && grep -c . /tmp/w/clp.conf`, what);

  // §6.1.3: the web manager's port, applied by restarting it alone; the cluster keeps running.
  for (const b of servers) t.ok(await bound(b, 'tcp', 29003), `${b}: the web manager listens on 29003`);
  await pullEdit('s/^manager = 29003$/manager = 29010/', 'manager = 29010');
  out = await ok('server1', 'clpcfctrl --push -x /tmp/w </dev/null', '§6.1.3 clpcfctrl --push of a new manager port');
  t.match(out, /generation 3 -> 4; reflect method: upload \(\+ webmgr restart\)\n[\s\S]*the web manager restarted with the new configuration\n[\s\S]*success\.\(code:0\)\n$/, 'upload and a web manager restart, no question');
  for (const b of servers) {
    t.ok(await bound(b, 'tcp', 29010), `${b}: the restarted web manager listens on 29010`);
    t.notOk(await bound(b, 'tcp', 29003), `${b}: and no longer on 29003`);
  }

  // §6.1.2: the alert sync port, applied by restarting the alert synchronisation alone.
  await pullEdit('s/^alert_sync = 29003$/alert_sync = 29013/', 'alert_sync = 29013');
  out = await ok('server1', 'clpcfctrl --push -x /tmp/w </dev/null', '§6.1.2 clpcfctrl --push of a new alert sync port');
  t.match(out, /generation 4 -> 5; reflect method: upload \(\+ alertsync restart\)\n[\s\S]*alert synchronisation restarted[\s\S]*success\.\(code:0\)\n$/, 'upload and an alert sync restart');
  for (const b of servers) {
    t.ok(await bound(b, 'udp', 29013), `${b}: alert sync bound to 29013/UDP`);
    t.notOk(await bound(b, 'udp', 29003), `${b}: and no longer to 29003/UDP`);
  }
  const fromServer2 = async () => ((await ok('server1', 'clpalert -n 100000', 'clpalert')).match(/ server2 pm /g) ?? []).length;
  const seen = await fromServer2();
  await ok('server1', 'clpcl -t -h server2 && clpcl -s -h server2', "server2's cluster daemon stopped and started");
  await pair.waitOnline(s, 300000);
  t.ok(await fromServer2() > seen, "server2's pm events reach server1's alert log over the new port");

  // §6.1.4: a heartbeat timeout needs a suspend/resume; in effect only at the resume.
  const timeoutOf = async (b: string) => (JSON.parse(await ok(b, 'clpstat --json', `clpstat --json on ${b}`)) as { timeoutMs: number }).timeoutMs;
  await pullEdit('s/^hb_timeout = 30000$/hb_timeout = 40000/', 'hb_timeout = 40000');
  const running = await sh('server1', 'echo y | clpcfctrl --push -x /tmp/w');
  t.equal(running.code, 1, 'answered y while the daemons run: refused');
  t.match(running.stdout, /Need to suspend cluster and resume\nAlready suspended\? \(y\/n\) : /, "the seed's prompt");
  t.match(running.stderr, /the cluster daemon is not suspended, and the change needs a suspend\/resume/);
  await ok('server1', 'clpcl --suspend', '§6.1.4 clpcl --suspend');
  out = await ok('server1', 'echo y | clpcfctrl --push -x /tmp/w', '§6.1.4 clpcfctrl --push while suspended');
  t.match(out, /generation 5 -> 6; reflect method: suspend\n  \[timeouts\] hb_timeout: 30000 -> 40000 \(suspend\)\n[\s\S]*run clpcl --resume to apply it\nsuccess\.\(code:0\)\n$/);
  for (const b of servers) t.equal(await timeoutOf(b), 30000, `${b}: not in effect before the resume`);
  await ok('server2', 'clpcl --resume', '§6.1.4 clpcl --resume');
  for (const b of servers) t.equal(await timeoutOf(b), 40000, `${b}: the new timeout is in effect after the resume`);
  await pair.waitOnline(s, 300000);
  for (const b of servers) t.match(await held(b), /^generation = 6$/m, `${b} holds generation 6`);
});
