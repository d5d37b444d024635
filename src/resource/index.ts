// One table from resource type to implementation.
import type { ResourceConfig } from '../config/types';
import { DiskResource } from './disk';
import { ExecResource } from './exec';
import { FipResource } from './fip';
import { MdResource } from './md';
import { RawResource } from './raw';
import { ResourceError, type Resource, type ResourceDeps } from './types';

/** A type without an implementation: its activation fails with a clear error. */
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
    case 'md': return new MdResource(cfg, d.mirror);
    default: return new Unsupported(cfg);
  }
}

export { ResourceError, asResourceError, type Resource, type ResourceDeps, type Why } from './types';
