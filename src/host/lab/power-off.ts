// A lab server's orderly power action (shutdown, reboot, halt) is a line in its power record;
// the box is then off once its runtime has ended. A real OS ends every process at halt; the
// lab leaves it to the runtime, so a campaign must tell "still halting" from "running"
// (finding 16 of docs/reliability.md: a runtime still halting was taken for a running one).
import * as fs from 'node:fs';

/** How far the record's time must be past the process's start to count (the start is known
 * to the clock tick, boot time to the second). */
const MARGIN_MS = 2000;

/** When the process started, in ms since the epoch (Infinity when it is gone). */
export function processStartMs(pid: number, proc = '/proc'): number {
  try {
    const stat = fs.readFileSync(`${proc}/${pid}/stat`, 'utf8');
    // Fields after "(comm)" start at field 3; starttime is field 22, in clock ticks (USER_HZ 100).
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const btime = Number(/^btime (\d+)$/m.exec(fs.readFileSync(`${proc}/stat`, 'utf8'))?.[1]);
    return Number.isFinite(ticks) && Number.isFinite(btime) ? btime * 1000 + ticks * 10 : Infinity;
  } catch {
    return Infinity;
  }
}

/** The orderly power action recorded after a process started at startMs, if the record's last
 * line is one (a later reset line means the box was reset instead). */
export function pendingPowerOff(record: string, startMs: number): string | undefined {
  const last = record.trim().split('\n').at(-1) ?? '';
  const m = /^(\S+) (shutdown|reboot|halt) /.exec(last);
  if (!m) return undefined;
  const at = Date.parse(m[1]);
  return Number.isFinite(at) && at > startMs + MARGIN_MS ? last : undefined;
}
