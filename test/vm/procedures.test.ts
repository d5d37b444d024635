// Procedures of the guide that end in a reboot, on the virtual pair booted from the image
// (docs/procedures.md): §4 a trial licence replaced by a product licence (clplcncs on each box,
// clpstdn -r), §6.1.6 a change applied by cluster shutdown and reboot (clpcfctrl --push:
// "please shutdown system after push"), both by the same clpstdn -r; then §5.2 the daemons
// disabled with chkconfig --del (server2 rebooted: its cluster daemon does not start) and enabled
// again; §3.1.2 server2 re-flashed, taking the cluster's configuration back at its daemon's start.
import * as path from 'node:path';
import t from 'tap';
import { devImageKey, issue, readPrivateKey } from '../../src/host/licence';
import { testPair, vmSkipReason } from '../../src/host/pair/fixture';

const skip = vmSkipReason();
if (skip) { t.skip(`PROCEDURES VM TESTS SKIPPED: ${skip}`, () => {}); process.exit(0); }

const day = (n: number) => new Date(Date.now() + n * 86400_000).toISOString().slice(0, 10);
const slash = (d: string) => d.replaceAll('-', '/');
const services = ['clusterpro_alertsync', 'clusterpro_webmgr', 'clusterpro', 'clusterpro_md'];

t.test('§4, §6.1.6, §5.2 and §3.1.2 on the pair', async (t) => {
  const { pair, config, imageDir } = await testPair(t, 'procedures', 'pr');
  const s = await pair.up({ config, imageDir, memoryMb: 512 });
  await pair.waitOnline(s, 400000);
  const sh = (server: string, script: string) => pair.run(s, server, ['sh', '-c', script], 180000);
  const ok = async (server: string, script: string, what: string) => {
    const r = await sh(server, script);
    t.equal(r.code, 0, `${what}${r.code ? `: ${r.stdout}${r.stderr}` : ''}`);
    return r.stdout;
  };
  const servers = ['server1', 'server2'];
  const bootId = (b: string) => ok(b, 'cat /proc/sys/kernel/random/boot_id', `boot id of ${b}`);
  /** Wait until the box answers with another boot id than `old` (it is gone for a while). */
  const rebooted = async (b: string, old: string) => {
    let now = old;
    for (const end = Date.now() + 400000; now === old && Date.now() < end;) {
      await new Promise((r) => setTimeout(r, 5000));
      now = (await pair.run(s, b, ['cat', '/proc/sys/kernel/random/boot_id'], 10000).catch(() => ({ stdout: old }))).stdout;
    }
    t.not(now, old, `${b} rebooted`);
    return now;
  };
  // The vendor's key stands in for the image's development key (the one the image trusts).
  const key = readPrivateKey(devImageKey(path.resolve(__dirname, '..', '..', 'build')).privateFile);
  const put = (b: string, file: string, text: string) => ok(b, `echo ${Buffer.from(text).toString('base64')} | base64 -d > ${file}`, `${file} on ${b}`);

  // §4 as delivered with a trial: the product licence of the stick removed, a trial registered.
  const trial = issue(key, { product: 'LE30', kind: 'trial', count: 2, validFrom: day(-1), validUntil: day(30), issuedTo: 'pair customer' });
  await ok('server1', 'clpcl -t -a', 'clpcl -t -a');
  for (const b of servers) {
    await ok(b, 'clplcncs -d -p LE30', `clplcncs -d -p LE30 on ${b}`);
    await put(b, '/tmp/trial.lic', trial);
    await ok(b, 'clplcncs -i /tmp/trial.lic -p LE30', `clplcncs -i /tmp/trial.lic -p LE30 on ${b}`);
  }
  await ok('server1', 'clpcl -s -a', 'clpcl -s -a (with the trial)');
  await pair.waitOnline(s, 300000);
  t.match(await ok('server2', 'clpalert -n 300', 'clpalert'), `server2 rm INFO 51 Period of trial is till ${slash(day(30))}. (LE30)`, 'the trial is in effect: rm 51');

  // §4 (1): the product licence registered on each box.
  const product = issue(key, { product: 'LE30', kind: 'product', count: 4, issuedTo: 'pair customer' });
  for (const b of servers) {
    await put(b, '/tmp/LE30.lic', product);
    await ok(b, 'clplcncs -i /tmp/LE30.lic -p LE30', `§4 (1) clplcncs -i /tmp/LE30.lic -p LE30 on ${b}`);
  }

  // §6.1.6: a change whose reflect method is a reboot (the cluster's name), pushed with the
  // cluster daemons stopped; the prompt asks for the shutdown after the push.
  await ok('server1', 'rm -rf /tmp/cfg && mkdir -p /tmp/cfg && clpcfctrl --pull -l -x /tmp/cfg', 'clpcfctrl --pull -l -x /tmp/cfg');
  await ok('server1', "sed -i 's/^name = cluster$/name = renamed/' /tmp/cfg/clp.conf && [ $(grep -c '^name = renamed$' /tmp/cfg/clp.conf) = 1 ]", 'the cluster renamed in the pulled file');
  await ok('server1', 'clpcl -t -a', 'clpcl -t -a');
  const pushed = await ok('server1', 'echo | clpcfctrl --push -l -x /tmp/cfg', '§6.1.6 clpcfctrl --push -l -x /tmp/cfg');
  t.match(pushed, /reflect method: reboot\n[\s\S]*Need to shutdown system and reboot\nplease shutdown system after push\. \(hit return\) : [\s\S]*clpstdn -r[\s\S]*success\.\(code:0\)\n$/, "the seed's prompt, then success");
  for (const b of servers) t.match(await ok(b, 'cat /opt/pairha/etc/clp.conf', `clp.conf of ${b}`), /^name = renamed$/m, `${b} holds the pushed file`);

  // §4 (2) and §6.1.6: cluster shutdown and reboot, once for both.
  const before = await Promise.all(servers.map(bootId));
  await ok('server1', 'clpstdn -r', '§4 (2), §6.1.6 clpstdn -r');
  for (const [i, b] of servers.entries()) await rebooted(b, before[i]);
  await pair.waitOnline(s, 400000);
  t.pass('both servers Online after the reboot');
  for (const b of servers) {
    t.match(await ok(b, 'clpstat', 'clpstat'), /^Cluster : renamed$/m, `§6.1.6 ${b} runs the pushed configuration (Cluster : renamed)`);
    const listed = await ok(b, 'clplcncs -l -p LE30', `§4 (3) clplcncs -l -p LE30 on ${b}`);
    t.match(listed, '  in effect: product, 4 CPU', `§4 (3) ${b}: the product licence is in effect`);
    t.notMatch(listed, 'issued to pairha development', `${b}: the stick's licence removed with clplcncs -d stays removed (the stick is still in)`);
    t.match(await ok(b, 'clpalert -n 300', 'clpalert'), new RegExp(`${b} rm INFO 50 The number of license is 4\\. \\(LE30\\)\\n(?![\\s\\S]*rm INFO 51)`), `§4 (3) ${b}: rm 50 since the reboot, no rm 51`);
  }

  // §5.2: the daemons disabled on server2 (the seed's order), then its reboot: nothing starts.
  await ok('server2', services.map((x) => `chkconfig --del ${x}`).join(' && '), '§5.2 chkconfig --del of the four services on server2');
  t.notMatch(await ok('server2', 'chkconfig --list', 'chkconfig --list'), /^clusterpro\s.*3:on/m, 'clusterpro is off in every runlevel');
  let id = await bootId('server2');
  await ok('server2', 'reboot', 'reboot server2');
  id = await rebooted('server2', id);
  // Given the time a start takes on this box, then checked. clusterpro_evt and clusterpro_trn
  // (not in the seed's list) still start the runtime process, with its cluster daemon stopped.
  await new Promise((r) => setTimeout(r, 30000));
  t.notMatch(await ok('server2', 'ps -o pid,args', 'ps on server2'), /dist\/web\/main\.js/, 'no web manager on server2 after the reboot');
  t.match(await ok('server1', 'clpstat', 'clpstat on server1'), /server2\s*:\s*Offline/, "server1 sees server2 Offline: server2's cluster daemon did not start");

  // Enabled again (the reverse order), rebooted: Online again.
  await ok('server2', [...services].reverse().map((x) => `chkconfig --add ${x}`).join(' && '), '§5.2 chkconfig --add in the reverse order');
  await ok('server2', 'reboot', 'reboot server2');
  await rebooted('server2', id);
  await pair.waitOnline(s, 400000);
  t.pass('§5.2 both servers Online after server2 started with the daemons enabled');

  // §3.1.2: server2 re-flashed. At boot it imports its stick, the configuration as delivered
  // (generation 0, the old name); its cluster daemon takes the cluster's newer one at start.
  await pair.powerOff(s, 'server2');
  await pair.reflash(s, 'server2');
  await pair.powerOn(s, 'server2');
  await pair.waitOnline(s, 600000);
  t.pass('§3.1.2 the re-flashed server2 is Online again');
  t.match(await ok('server2', 'cat /opt/pairha/etc/clp.conf', 'clp.conf of server2'), /^generation = 1$/m, '§3.1.2 server2 holds the cluster\'s generation');
  t.match(await ok('server2', 'clpstat', 'clpstat'), /^Cluster : renamed$/m, '§3.1.2 server2 runs the cluster\'s configuration');
});
