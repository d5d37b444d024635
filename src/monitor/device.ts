// Reading a block device for diskw and raww, off the event loop (a dd through the platform),
// so a hung device times out instead of stalling the runtime.
import type { Platform } from '../platform/types';

export type DeviceProbe = { ok: true } | { ok: false; stage: 'open' | 'read'; err: string };

/** Read one 512-byte sector with O_DIRECT (real device I/O), or only open it (dummy). */
export async function probeDevice(platform: Platform, device: string, read: boolean, timeoutMs: number): Promise<DeviceProbe> {
  const args = read ? [`if=${device}`, 'of=/dev/null', 'bs=512', 'count=1', 'iflag=direct'] : [`if=${device}`, 'of=/dev/null', 'count=0'];
  const r = await platform.run('dd', args, { timeoutMs });
  if (r.code === 0) return { ok: true };
  const err = /: (.*)$/m.exec(r.stderr.trim())?.[1] ?? `exit ${r.code}`;
  return { ok: false, stage: /open|No such|Permission/i.test(r.stderr) ? 'open' : 'read', err };
}
