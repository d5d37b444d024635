// RAW resource: a raw block device, writable only while the resource is active here.
// Messages: seed §12.4.5.
import * as fs from 'node:fs';
import type { RawResourceConfig } from '../config/types';
import { deviceOn, setReadOnly } from './blockdev';
import { ResourceError, type Resource, type ResourceDeps, type Why } from './types';

export class RawResource implements Resource {
  private readonly device: string;

  constructor(readonly cfg: RawResourceConfig, private readonly d: ResourceDeps) { this.device = deviceOn(cfg, d.local.name); }

  private check(): void {
    let st: fs.Stats;
    try { st = fs.statSync(this.device); } catch (e) { throw new ResourceError(1, `Command failed. (stat(${this.device}), errno=${(e as NodeJS.ErrnoException).code})`); }
    if (!st.isBlockDevice()) throw new ResourceError(1, `Device was invalid. (${this.device})`);
  }

  async activate(_why: Why): Promise<void> { this.check(); await setReadOnly(this.d.platform, this.device, false); }
  async deactivate(_why: Why): Promise<void> { this.check(); await setReadOnly(this.d.platform, this.device, true); }
  async protect(): Promise<void> { this.check(); await setReadOnly(this.d.platform, this.device, true); }
}
