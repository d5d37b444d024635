// The virtual pair for real: two boxes of the appliance image in qemu (TCG). Both reach
// Online over LAN and COM; softdog has the configured margin; the console login and menu
// run clp* commands; pulling the COM cable shows in clpstat -n; the example group answers
// the client; the shipped md1 mirrors (GREEN GREEN); powering the standby off is reported,
// powering the active off, once the mirror is back to GREEN GREEN, fails the group over;
// pair down leaves nothing behind.
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { until } from '../helpers/lab';
import { boxFiles } from '../../src/host/pair/qemu';
import { ConsoleSession } from '../../src/host/vm/console-session';
import { HB_TIMEOUT, clientGet, testPair, testPairNs, vmSkipReason } from '../../src/host/pair/fixture';
import { normal } from '../../src/host/pair/mirror-fixture';

const skip = vmSkipReason();
if (skip) { t.skip(`PAIR TESTS SKIPPED: ${skip}`, () => {}); process.exit(0); }

t.test('pair up, Online, console, COM cable pulled, standby and active powered off, pair down', async (t) => {
  const { pair, host, dir, config, imageDir } = await testPair(t, 'pair', 't');

  const started = Date.now();
  const s = await pair.up({ config, imageDir, memoryMb: 512 });
  await pair.waitOnline(s, 300000);
  t.comment(`power-on to Online: ${((Date.now() - started) / 1000).toFixed(1)} s under TCG`);
  const run = async (server: string, ...argv: string[]) => {
    const r = await pair.run(s, server, argv, 120000);
    return r.stdout;
  };
  for (const server of ['server1', 'server2']) {
    const out = await run(server, 'clpstat');
    t.match(out, /^\s+\*?server1\s+: Online$/m, `clpstat on ${server}: server1 Online`);
    t.match(out, /^\s+\*?server2\s+: Online$/m, `clpstat on ${server}: server2 Online`);
  }
  // ipw1 pings the client with the box's BusyBox ping: an Error here fails the group over every interval.
  await until(async () => /ipw1@server1\s+: Normal[\s\S]*ipw1@server2\s+: Normal/.test(await run('server1', 'clpstat')), 120000, 'ipw1 Normal on both servers');
  t.pass('ipw1 (ping of the client) is Normal on both servers');
  t.equal(await run('server1', 'chkconfig', '--list', 'clusterpro'), 'clusterpro      0:off  1:off  2:off  3:on   4:off  5:on  6:off\n', 'the services are enabled by default (§11.1 (4))');
  const messages = await run('server1', 'cat', '/var/log/messages');
  for (const [svc, what] of [['clusterpro_evt', 'clusterpro event'], ['clusterpro_trn', 'clusterpro trnsv'], ['clusterpro', 'clusterpro daemon']]) {
    t.match(messages, new RegExp(`${svc}: Starting ${what}:[\\s\\S]*rc: Starting ${svc}: succeeded`), `syslog: ${svc} started as §11.1 (8) shows`);
  }
  t.equal((await run('server1', 'cat', '/sys/class/watchdog/watchdog0/timeout')).trim(), '20', 'softdog loaded with the margin of [watchdog] (20000 ms)');
  t.match(await run('server1', 'cat', '/sys/class/watchdog/watchdog0/identity'), /Software Watchdog/, 'the watchdog is softdog');
  if (fs.existsSync(path.join(__dirname, '..', '..', 'kmod', 'liscal', 'Kbuild'))) {
    t.match(await run('server1', 'lsmod'), /^liscal\s/m, 'clusterpro_md loaded the liscal driver');
  }

  // Measurements for docs/image.md: the runtime's RSS and clpstat's latency inside the box.
  const rss = await run('server1', 'sh', '-c', 'grep VmRSS /proc/$(cat /opt/pairha/run/pairha.pid)/status');
  const lat = (await pair.run(s, 'server1', ['sh', '-c', 'time clpstat >/dev/null'], 120000)).stderr.replace(/\s+/g, ' ').trim();
  t.comment(`runtime ${rss.trim()}; clpstat inside the box (TCG): ${lat}`);

  // The serial console: root logs in, clp* commands work, the menu runs them.
  const prompt = /# (\x1b\[6n)?$/m; // ash asks the terminal for the cursor position
  const con = await ConsoleSession.open(boxFiles(dir, 'server1').console);
  con.send('');
  await con.expect(/login: $/m, 60000);
  con.send('root');
  await con.expect(prompt, 30000);
  con.send('clpstat');
  t.match(await con.expect(prompt, 60000), /===== CLUSTER STATUS =====[\s\S]*server2\s+: Online/, 'console login: clpstat works');
  con.send('menu');
  await con.expect(/choice: $/m, 30000);
  con.send('2');
  t.match(await con.expect(/choice: $/m, 60000), /HEARTBEAT RESOURCE STATUS/, 'the console menu runs clpstat -n');
  con.send('q');
  await con.expect(prompt, 30000);
  con.send('exit');
  con.close();

  await pair.link(s, 'comhb1', false);
  const comCut = /^\s+server\d : o {2}o {2}x$/m; // a row with lanhb1, lanhb2 up and comhb1 down
  await until(async () => comCut.test(await run('server1', 'clpstat', '-n')), HB_TIMEOUT * 3, 'comhb1 x in clpstat -n on server1');
  t.pass('clpstat -n on server1 shows the COM cable pulled');
  t.match(await run('server1', 'clpstat'), /^\s+server2\s+: Online$/m, 'server2 stays Online without the COM cable');
  await pair.link(s, 'comhb1', true);
  await until(async () => !/x/.test((await run('server1', 'clpstat', '-n')).split('HB2 : comhb1')[1] ?? 'x'), HB_TIMEOUT * 3, 'comhb1 back');
  t.pass('plugging the cable back brings comhb1 back');

  // The example group (floating IP + exec resource) answers the client on the public LAN.
  const client = () => clientGet(host, pair);
  await until(async () => (await client()) === 'pairha server1', 60000, 'the group answering the client from server1');
  t.pass('failover1 (fip1 + md1 + exec1) answers the client from server1');
  // The shipped configuration mirrors md1: the initial construction copies server1's data partition to server2.
  const mirrorNormal = async (on: string) => normal.test(await run(on, 'clpmdstat', '--mirror', 'md1'));
  await until(() => mirrorNormal('server1'), 600000, 'md1 GREEN GREEN on server1');
  t.pass('md1 of the shipped configuration is Normal, GREEN GREEN');

  await pair.powerOff(s, 'server2');
  t.notOk(pair.isOn(s, 'server2'), 'server2 is off');
  await until(async () => /^\s+server2\s+: Offline$/m.test(await run('server1', 'clpstat')), HB_TIMEOUT * 3, 'server2 Offline on server1');
  t.match(await run('server1', 'clpalert'), /nm INFO 2 Server server2 down\.$/m, 'server1 reports "Server server2 down." in its alert log');
  t.match(await run('server1', 'cat', '/var/log/messages'), /CLUSTERPRO: <type: nm><event: 2> Server server2 down\./, 'and in syslog');
  // (a single fetch may time out while the machine is loaded: retry a little)
  await until(async () => (await client()) === 'pairha server1', 30000, 'the group answering from server1 with server2 off');
  t.pass('the group stays on server1');

  await pair.powerOn(s, 'server2');
  await pair.waitOnline(s, 300000);
  t.pass('server2 powered on again and both are Online');
  // server2 may take md1 over only once the automatic recovery brought it up to date (else md 81).
  await until(() => mirrorNormal('server1'), 600000, 'md1 GREEN GREEN again after server2 came back');
  t.pass('the automatic mirror recovery brought md1 back to GREEN GREEN');

  // Powering the active box off fails the group over.
  await pair.powerOff(s, 'server1');
  try {
    await until(async () => (await client()) === 'pairha server2', HB_TIMEOUT * 6, 'the group answering the client from server2');
    t.pass('after server1 is powered off the client is answered by server2');
  } catch (e) {
    const log = await run('server2', 'sh', '-c', 'tail -25 /opt/pairha/log/pairha.log; ip addr').catch((x: Error) => x.message);
    t.fail(`${(e as Error).message}; client sees '${await client()}'; server2:\n${log}`);
  }
  // The service can answer a moment before the group's end is logged: wait for the line.
  const failedOver = /rc INFO 61 The failover processing of a group failover1 ended\.$/m;
  await until(async () => failedOver.test(await run('server2', 'clpalert')), 60000, 'rc 61 in server2\'s alert log').catch(() => {});
  const alerts = await run('server2', 'clpalert');
  t.match(alerts, /nm INFO 2 Server server1 down\.$/m, 'server2 reports "Server server1 down."');
  t.match(alerts, failedOver, 'server2 reports the failover of failover1');

  await pair.down();
  t.notOk(fs.existsSync(dir), 'pair down removed its directory');
  const ns = (await host.run('ip', ['netns', 'list'])).stdout;
  t.notMatch(ns, new RegExp(`^${testPairNs('t')}-`, 'm'), 'pair down removed its namespaces');
});
