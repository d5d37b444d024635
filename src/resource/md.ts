// Mirror disk resource (md): the mirror agent does the work (src/mirror/md-resource.ts);
// this maps its failures to the seed's md return codes (§12.4.4).
import type { MdResourceConfig } from '../config/types';
import { MdError } from '../mirror/errors';
import type { MirrorPort } from '../core/mirror-port';
import { ResourceError, type Resource, type Why } from './types';

export class MdResource implements Resource {
  constructor(readonly cfg: MdResourceConfig, private readonly mirror?: MirrorPort) {}

  async activate(_why: Why): Promise<void> { await this.run((m) => m.activate(this.cfg.name, true)); }
  async deactivate(_why: Why): Promise<void> { await this.run((m) => m.deactivate(this.cfg.name)); }

  private async run(f: (m: MirrorPort) => Promise<void>): Promise<void> {
    if (!this.mirror?.running) throw new ResourceError(1, 'Need to start mirror agent at first.');
    try { await f(this.mirror); } catch (e) {
      throw e instanceof MdError ? new ResourceError(e.code, e.message) : e;
    }
  }
}
