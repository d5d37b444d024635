// Read-only / read-write switch of a block device (blockdev --setro/--setrw): a shared
// partition stays read-only on every server where its resource is not active. Also used
// by clproset (seed §6.2, §9.2.2.2). What is mounted where, for the disk and md resources.
import type { Platform } from '../platform/types';
import { ResourceError } from './types';

export async function setReadOnly(platform: Platform, device: string, readOnly: boolean): Promise<void> {
  const r = await platform.run('blockdev', [readOnly ? '--setro' : '--setrw', device], { timeoutMs: 10000 });
  if (r.code !== 0) throw new ResourceError(1, `Command failed. (blockdev, ret=${r.code})`);
}

/** Drop what this kernel cached of the device: another server may have written it since. */
export async function flushBuffers(platform: Platform, device: string): Promise<void> {
  const r = await platform.run('blockdev', ['--flushbufs', device], { timeoutMs: 60000 });
  if (r.code !== 0) throw new ResourceError(1, `Command failed. (blockdev, ret=${r.code})`);
}

export async function isReadOnly(platform: Platform, device: string): Promise<boolean> {
  const r = await platform.run('blockdev', ['--getro', device], { timeoutMs: 10000 });
  if (r.code !== 0) throw new ResourceError(1, `Command failed. (blockdev, ret=${r.code})`);
  return r.stdout.trim() === '1';
}

/** The device a disk or raw resource uses on a server: that server's own name for the shared
 * device if the configuration gives one, else `device`. */
export const deviceOn = (r: { device: string; devices?: Record<string, string> }, server: string): string => r.devices?.[server] ?? r.device;

/** Where a mount point is mounted from, per /proc/mounts (octal escapes decoded). */
export function mountedFrom(mounts: string, mountPoint: string): string | undefined {
  const un = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  for (const line of mounts.split('\n')) {
    const [dev, mp] = line.split(' ');
    if (mp !== undefined && un(mp) === mountPoint) return un(dev);
  }
  return undefined;
}
