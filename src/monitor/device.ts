// Reading a block device for diskw and raww, off the event loop (a dd through the platform),
// so a hung device times out instead of stalling the runtime.
import type { Platform } from '../platform/types';

export type DeviceProbe = { ok: true } | { ok: false; stage: 'open' | 'read'; err: string };

/** Read one 512-byte sector with O_DIRECT (real device I/O), or only open it (dummy). */
export async function probeDevice(platform: Platform, device: string, read: boolean, timeoutMs: number): Promise<DeviceProbe> {
  const args = read ? [`if=${device}`, 'of=/dev/null', 'bs=512', 'count=1', 'iflag=direct'] : [`if=${device}`, 'of=/dev/null', 'count=0'];
  // The monitor's own timeout decides; dd's is a backstop so no probe outlives it for long.
  const r = await platform.run('dd', args, { timeoutMs: timeoutMs + 1000 });
  // A device without media (a detached loop device, a vanished disk) reads nothing, successfully.
  if (r.code === 0 && read && /^0\+0 records in/m.test(r.stderr)) return { ok: false, stage: 'read', err: '0 bytes read' };
  if (r.code === 0) return { ok: true };
  // dd: failed to open '/dev/x': No such file or directory -> the reason after the last colon
  const err = /: ([^:\n]*)$/m.exec(r.stderr.trim())?.[1] ?? `exit ${r.code}`;
  return { ok: false, stage: /open|No such|Permission/i.test(r.stderr) ? 'open' : 'read', err };
}
