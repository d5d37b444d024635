// The lab's view of a server going off (finding 16): a process's start time from /proc, and
// whether the power record's last line is an orderly action taken after that start.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { pendingPowerOff, processStartMs } from '../../../src/host/lab/power-off';

t.test('processStartMs: this process started before now, within its uptime; a missing one is Infinity', async (t) => {
  const start = processStartMs(process.pid);
  const now = Date.now();
  t.ok(start <= now + 1000, `started ${now - start} ms ago, not in the future`);
  t.ok(now - start <= process.uptime() * 1000 + 5000, `and not before node's own uptime (${process.uptime().toFixed(1)} s)`);
  t.equal(processStartMs(0x7ffffffe), Infinity);
  // A /proc of its own: comm with spaces and parentheses, btime 1000 s, starttime 250 ticks.
  const proc = fs.mkdtempSync(path.join(os.tmpdir(), 'proc-'));
  t.teardown(() => fs.rmSync(proc, { recursive: true, force: true }));
  fs.mkdirSync(path.join(proc, '42'));
  const after = Array.from({ length: 50 }, (_, i) => (i === 19 ? '250' : String(i)));
  fs.writeFileSync(path.join(proc, '42', 'stat'), `42 (node (x) y) ${after.join(' ')}\n`);
  fs.writeFileSync(path.join(proc, 'stat'), 'cpu  1 2 3\nbtime 1000\nprocesses 9\n');
  t.equal(processStartMs(42, proc), 1000 * 1000 + 250 * 10);
});

t.test('pendingPowerOff: the last line, an orderly action, past the start', async (t) => {
  const start = Date.parse('2026-12-07T03:48:00.000Z');
  const halt = '2026-12-07T03:48:35.589Z shutdown group failover1 is started on more than one server';
  t.equal(pendingPowerOff(`${halt}\n`, start), halt, 'a shutdown recorded 35 s after the start: going off');
  t.equal(pendingPowerOff(`2026-12-07T03:48:10.000Z reboot clpstdn -r\n`, start), '2026-12-07T03:48:10.000Z reboot clpstdn -r');
  t.equal(pendingPowerOff(`${halt}\n2026-12-07T03:48:36.000Z reset softdog: no write for 1000 ms\n`, start), undefined, 'reset after it: not an orderly power-off');
  t.equal(pendingPowerOff('2026-12-07T03:47:59.000Z halt x\n', start), undefined, 'recorded before this process started: an earlier life');
  t.equal(pendingPowerOff('2026-12-07T03:48:01.500Z halt x\n', start), undefined, 'within the margin of the start: not taken');
  t.equal(pendingPowerOff('', start), undefined);
  t.equal(pendingPowerOff('garbage\n', start), undefined);
});
