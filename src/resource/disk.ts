// Disk resource: a shared-disk partition. Activation makes it writable, checks it (fsck)
// and mounts it; deactivation unmounts it with retries (killing its users if configured)
// and makes it read-only again. Messages: seed §12.4.2.
import * as fs from 'node:fs';
import type { DiskResourceConfig } from '../config/types';
import { deviceOn, flushBuffers, mountedFrom, setReadOnly } from './blockdev';
import { ResourceError, type Resource, type ResourceDeps, type Why } from './types';

export class DiskResource implements Resource {
  /** The partition as this server names it. */
  readonly device: string;

  constructor(readonly cfg: DiskResourceConfig, private readonly d: ResourceDeps, private readonly mountsFile = '/proc/mounts') {
    this.device = deviceOn(cfg, d.local.name);
  }

  private mounted(): string | undefined {
    try { return mountedFrom(fs.readFileSync(this.mountsFile, 'utf8'), this.cfg.mountPoint); } catch { return undefined; }
  }

  private sameDevice(a: string): boolean {
    try { return fs.realpathSync(a) === fs.realpathSync(this.device); } catch { return a === this.device; }
  }

  private async cmd(file: string, args: string[], okCodes: number[] = [0]): Promise<void> {
    const r = await this.d.platform.run(file, args, { timeoutMs: 600000 });
    if (r.code === 127 && /ENOENT/.test(r.stderr)) throw new ResourceError(1, `Command path was invalid. (${file})`);
    if (r.signal) throw new ResourceError(1, `Command timeout. (${file}, timeout=600)`);
    if (!okCodes.includes(r.code)) throw new ResourceError(1, `Command failed. (${file}, ret=${r.code})`);
  }

  async activate(_why: Why): Promise<void> {
    const from = this.mounted();
    if (from !== undefined) {
      if (this.sameDevice(from)) return;
      throw new ResourceError(1, `Mount point was already mounted. (${this.cfg.mountPoint})`);
    }
    try { fs.mkdirSync(this.cfg.mountPoint, { recursive: true }); } catch { throw new ResourceError(1, `Creating of mount point was failed. (${this.cfg.mountPoint})`); }
    if (!fs.statSync(this.cfg.mountPoint).isDirectory()) throw new ResourceError(1, `Mount point was invalid. (${this.cfg.mountPoint})`);
    await setReadOnly(this.d.platform, this.device, false);
    // The other server wrote the partition while it was read-only here: nothing cached of it holds.
    await flushBuffers(this.d.platform, this.device);
    // fsck: 0 clean, 1 errors corrected; anything else leaves the partition unmounted.
    if (this.cfg.fsck === 'always') await this.cmd('fsck', ['-t', this.cfg.fsType, ...this.cfg.fsckOptions.split(/\s+/).filter(Boolean), this.device], [0, 1]);
    await this.cmd('mount', ['-t', this.cfg.fsType, '-o', this.cfg.mountOptions, this.device, this.cfg.mountPoint]);
  }

  async deactivate(_why: Why): Promise<void> {
    for (let attempt = 0; this.mounted() !== undefined; attempt++) {
      const r = await this.d.platform.run('umount', [this.cfg.mountPoint], { timeoutMs: 60000 });
      if (r.code === 0) break;
      if (attempt >= this.cfg.umountRetry) throw new ResourceError(1, `Max recover retry over. (umount, retry=${this.cfg.umountRetry})`);
      if (this.cfg.killUsers) await this.d.platform.run('fuser', ['-k', '-m', this.cfg.mountPoint], { timeoutMs: 10000 });
      await new Promise((res) => setTimeout(res, 500));
    }
    await setReadOnly(this.d.platform, this.device, true);
  }

  /** While inactive here the partition stays read-only (called at rc start). */
  async protect(): Promise<void> {
    if (this.mounted() === undefined) await setReadOnly(this.d.platform, this.device, true);
  }
}
