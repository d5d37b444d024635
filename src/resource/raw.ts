// RAW resource: a raw block device, writable only while the resource is active here.
// Messages: seed §12.4.5.
import * as fs from 'node:fs';
import type { RawResourceConfig } from '../config/types';
import { setReadOnly } from './blockdev';
import { ResourceError, type Resource, type ResourceDeps, type Why } from './types';

export class RawResource implements Resource {
  constructor(readonly cfg: RawResourceConfig, private readonly d: ResourceDeps) {}

  private check(): void {
    let st: fs.Stats;
    try { st = fs.statSync(this.cfg.device); } catch (e) { throw new ResourceError(1, `Command failed. (stat(${this.cfg.device}), errno=${(e as NodeJS.ErrnoException).code})`); }
    if (!st.isBlockDevice()) throw new ResourceError(1, `Device was invalid. (${this.cfg.device})`);
  }

  async activate(_why: Why): Promise<void> { this.check(); await setReadOnly(this.d.platform, this.cfg.device, false); }
  async deactivate(_why: Why): Promise<void> { this.check(); await setReadOnly(this.d.platform, this.cfg.device, true); }
  async protect(): Promise<void> { this.check(); await setReadOnly(this.d.platform, this.cfg.device, true); }
}
