// One table from resource type to implementation.
import type { ResourceConfig } from '../config/types';
import { DiskResource } from './disk';
import { ExecResource } from './exec';
import { FipResource } from './fip';
import { RawResource } from './raw';
import { ResourceError, type Resource, type ResourceDeps } from './types';

/** md belongs to the mirror work; until it lands its activation fails with a clear error. */
class Unsupported implements Resource {
  constructor(readonly cfg: ResourceConfig) {}
  async activate(): Promise<void> { throw new ResourceError(1, `Internal error. (status=resource type ${this.cfg.type} is not available)`); }
  async deactivate(): Promise<void> { /* nothing was activated */ }
}

export function createResource(cfg: ResourceConfig, d: ResourceDeps): Resource {
  switch (cfg.type) {
    case 'fip': return new FipResource(cfg, d);
    case 'exec': return new ExecResource(cfg, d);
    case 'disk': return new DiskResource(cfg, d);
    case 'raw': return new RawResource(cfg, d);
    default: return new Unsupported(cfg);
  }
}

export { ResourceError, asResourceError, type Resource, type ResourceDeps, type Why } from './types';
