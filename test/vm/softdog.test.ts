// softdog for real (seed §10.5): on the pair booted from the image, once md1 is GREEN GREEN,
// the runtime of the active box is stopped with SIGSTOP; userw no longer writes /dev/watchdog,
// softdog resets that VM within the margin (the kernel says so on the console; a new boot id;
// the same qemu process, so no power action of the test), the peer takes failover1 over (the
// client is answered by server2), and the reset box comes back Online.
import * as fs from 'node:fs';
import t from 'tap';
import { boxFiles } from '../../src/host/pair/qemu';
import { until } from '../helpers/lab';
import { HB_TIMEOUT, clientGet, testPair, vmSkipReason } from '../../src/host/pair/fixture';
import { normal } from '../../src/host/pair/mirror-fixture';

const skip = vmSkipReason();
if (skip) { t.skip(`SOFTDOG VM TESTS SKIPPED: ${skip}`, () => {}); process.exit(0); }

// A margin below the heartbeat timeout: the stalled box is reset before its peer takes its
// group over (no moment with both active).
const MARGIN = 20000;
const REBOOT = /softdog: Initiating system reboot/;

t.test('SIGSTOP of the active runtime: softdog resets the box, the peer takes the group over', async (t) => {
  const { pair, host, dir, config, text, imageDir } = await testPair(t, 'softdog', 'w', (c) => c
    .replace(/^\[watchdog\]\n(?:[^[\n].*\n|\n)*/m, `[watchdog]\nenabled = true\nmargin = ${MARGIN}\n\n`));
  t.match(text, new RegExp(`^\\[watchdog\\]\\nenabled = true\\nmargin = ${MARGIN}$`, 'm'), 'test configuration: [watchdog] margin');

  const s = await pair.up({ config, imageDir, memoryMb: 512 });
  await pair.waitOnline(s, 300000);
  const run = async (server: string, ...argv: string[]) => (await pair.run(s, server, argv, 120000)).stdout;
  const client = () => clientGet(host, pair);
  await until(async () => (await client()) === 'pairha server1', 120000, 'the group answering the client from server1');
  t.pass('failover1 answers the client from server1');
  // Only a peer with the latest data may take md1 over (81 otherwise): the
  // initial construction must have ended before server1 stalls (on a loaded host it had not,
  // and server2 rightly refused the group).
  await until(async () => normal.test(await run('server1', 'clpmdstat', '--mirror', 'md1')), 600000, 'md1 GREEN GREEN');
  t.pass('md1 GREEN GREEN: the initial construction has ended');

  const wd = '/sys/class/watchdog/watchdog0';
  t.equal((await run('server1', 'cat', `${wd}/timeout`)).trim(), String(MARGIN / 1000), 'softdog has the margin of [watchdog]');
  t.equal((await run('server1', 'cat', `${wd}/state`)).trim(), 'active', 'the runtime (userw) holds /dev/watchdog open');
  const bootId = (await run('server1', 'cat', '/proc/sys/kernel/random/boot_id')).trim();
  const qemuPid = pair.load().boxes.find((b) => b.name === 'server1')!.pid;
  const consoleLog = boxFiles(dir, 'server1').consoleLog;
  const consoleFrom = fs.statSync(consoleLog).size;
  const consoleSince = () => fs.readFileSync(consoleLog, 'latin1').slice(consoleFrom);
  t.notMatch(consoleSince(), REBOOT, 'no softdog reset so far');

  // Stop the runtime; nothing else is done to server1 from here on.
  const stopped = Date.now();
  const r = await pair.run(s, 'server1', ['sh', '-c', 'kill -STOP "$(cat /opt/pairha/run/pairha.pid)" && grep State /proc/$(cat /opt/pairha/run/pairha.pid)/status'], 60000);
  t.match(r.stdout, /State:\s+T \(stopped\)/, 'the runtime of server1 is stopped (SIGSTOP)');

  await until(async () => REBOOT.test(consoleSince()), MARGIN + 60000, 'softdog resetting server1');
  const resetAfter = Date.now() - stopped;
  t.comment(`softdog reset server1 ${(resetAfter / 1000).toFixed(1)} s after SIGSTOP (margin ${MARGIN / 1000} s)`);
  // The last write was at most one feed interval (1 s) before the stop; the console is polled every 100 ms.
  t.ok(resetAfter >= MARGIN - 1500, `not before the margin (${resetAfter} ms)`);
  t.ok(resetAfter <= MARGIN + 15000, `within the margin, give or take a loaded machine (${resetAfter} ms)`);

  await until(async () => (await client()) === 'pairha server2', HB_TIMEOUT * 6, 'the group answering the client from server2').catch(async (e: Error) => {
    // What server2 did instead: its runtime's log and clpstat (the consoles do not say).
    const log = await run('server2', 'sh', '-c', 'tail -60 /opt/pairha/log/pairha.log; clpstat; cat /proc/liscalstat').catch((x: Error) => x.message);
    t.comment(`server2:\n${log}`);
    throw e;
  });
  t.pass('server2 took failover1 over: the client is answered by server2');
  t.comment(`the client was answered by server2 ${((Date.now() - stopped) / 1000).toFixed(1)} s after SIGSTOP (hb_timeout ${HB_TIMEOUT / 1000} s)`);
  // The service can answer a moment before the group's end is logged: wait for the line.
  const failedOver = /rc INFO 61 The failover processing of a group failover1 ended\.$/m;
  await until(async () => failedOver.test(await run('server2', 'clpalert')), 60000, 'rc 61 in server2\'s alert log').catch(() => {});
  const alerts = await run('server2', 'clpalert');
  t.match(alerts, /nm INFO 2 Server server1 down\.$/m, 'server2 reports "Server server1 down."');
  t.match(alerts, failedOver, 'server2 reports the failover of failover1');

  await pair.waitOnline(s, 300000);
  t.pass('server1 is back and both servers are Online');
  t.equal(pair.load().boxes.find((b) => b.name === 'server1')!.pid, qemuPid, 'the same qemu process: a reset inside the VM, no power action');
  const newBootId = (await run('server1', 'cat', '/proc/sys/kernel/random/boot_id')).trim();
  t.not(newBootId, bootId, `server1 booted again (boot id ${bootId.slice(0, 8)} -> ${newBootId.slice(0, 8)})`);
  const uptime = Number((await run('server1', 'cat', '/proc/uptime')).split(' ')[0]);
  t.ok(uptime * 1000 < Date.now() - stopped, `server1's uptime (${uptime.toFixed(0)} s) starts after the stop`);
  t.equal((await run('server1', 'cat', `${wd}/state`)).trim(), 'active', 'the new runtime holds the watchdog again');
  t.match(await run('server1', 'clpstat'), /failover1\s+: Online\n\s+current\s+: server2$/m, 'failover1 stays on server2 (no automatic failback)');
});
