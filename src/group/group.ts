// One group on this server: its resources in dependency order, started and stopped with
// retries, reporting the rc events of seed §12.1 (10-42). Placement decisions are the
// manager's; this only does the work and says which resource failed.
import type { GroupConfig } from '../config/types';
import { ev } from '../events/ids';
import type { Events } from '../events/types';
import type { Logger } from '../logger';
import { asResourceError, type Resource, type Why } from '../resource';
import type { GroupState, GroupStatus, ResourceState } from './types';

export interface Failure { resource: Resource; code: number; message: string }

export class LocalGroup {
  state: GroupState = 'Offline';
  private readonly rstate = new Map<string, { state: ResourceState; detail?: string }>();
  /** Failovers this group has been through since it was last started by hand (threshold). */
  failovers = 0;

  constructor(readonly cfg: GroupConfig, readonly resources: Resource[], private readonly events: Events, private readonly log: Logger) {
    for (const r of resources) this.rstate.set(r.cfg.name, { state: 'Offline' });
  }

  get active(): boolean { return this.state === 'Online' || this.state === 'Starting' || this.state === 'Error'; }
  resource(name: string): Resource | undefined { return this.resources.find((r) => r.cfg.name === name); }
  resourceState(name: string): ResourceState { return this.rstate.get(name)?.state ?? 'Offline'; }

  status(): GroupStatus {
    return {
      name: this.cfg.name, state: this.state,
      resources: this.resources.map((r) => ({ name: r.cfg.name, type: r.cfg.type, ...this.rstate.get(r.cfg.name)! })),
    };
  }

  /** Activate one resource with its retries; rc 30/31/32. */
  async activateResource(r: Resource, why: Why): Promise<Failure | undefined> {
    this.events.emit(ev.rc.resourceStartBegan, r.cfg.name);
    this.rstate.set(r.cfg.name, { state: 'Starting' });
    let last: Failure | undefined;
    for (let attempt = 0; attempt <= r.cfg.activeRetry; attempt++) {
      try {
        await r.activate(why);
        this.rstate.set(r.cfg.name, { state: 'Online' });
        this.events.emit(ev.rc.resourceStartEnded, r.cfg.name);
        return undefined;
      } catch (e) {
        const err = asResourceError(e);
        last = { resource: r, code: err.code, message: err.message };
        this.log.warn(`${r.cfg.name}: activation attempt ${attempt + 1} failed: ${err.message}`);
        if (err.retryAfterMs && attempt < r.cfg.activeRetry) await new Promise((w) => setTimeout(w, err.retryAfterMs));
      }
    }
    this.rstate.set(r.cfg.name, { state: 'Error', detail: last!.message });
    this.events.emit(ev.rc.resourceStartFailed, r.cfg.name, last!.code, last!.message);
    return last;
  }

  /** Deactivate one resource with its retries; rc 40/41/42. */
  async deactivateResource(r: Resource, why: Why): Promise<Failure | undefined> {
    if (this.resourceState(r.cfg.name) === 'Offline') return undefined;
    this.events.emit(ev.rc.resourceStopBegan, r.cfg.name);
    this.rstate.set(r.cfg.name, { state: 'Stopping' });
    let last: Failure | undefined;
    for (let attempt = 0; attempt <= r.cfg.deactiveRetry; attempt++) {
      try {
        await r.deactivate(why);
        this.rstate.set(r.cfg.name, { state: 'Offline' });
        this.events.emit(ev.rc.resourceStopEnded, r.cfg.name);
        return undefined;
      } catch (e) {
        const err = asResourceError(e);
        last = { resource: r, code: err.code, message: err.message };
        this.log.warn(`${r.cfg.name}: deactivation attempt ${attempt + 1} failed: ${err.message}`);
      }
    }
    this.rstate.set(r.cfg.name, { state: 'Error', detail: last!.message });
    this.events.emit(ev.rc.resourceStopFailed, r.cfg.name, last!.code, last!.message);
    return last;
  }

  /** Start every resource in order; stops at the first that fails (rc 10/11/12). */
  async start(why: Why): Promise<Failure | undefined> {
    this.events.emit(ev.rc.groupStartBegan, this.cfg.name);
    this.state = 'Starting';
    for (const r of this.resources) {
      const f = await this.activateResource(r, why);
      if (f) {
        this.state = 'Error';
        this.events.emit(ev.rc.groupStartFailed, this.cfg.name);
        return f;
      }
    }
    this.state = 'Online';
    this.events.emit(ev.rc.groupStartEnded, this.cfg.name);
    return undefined;
  }

  /** Stop every resource backwards; goes on past failures, returns the first (rc 20/21/22). */
  async stop(why: Why): Promise<Failure | undefined> {
    this.events.emit(ev.rc.groupStopBegan, this.cfg.name);
    this.state = 'Stopping';
    let first: Failure | undefined;
    for (const r of [...this.resources].reverse()) {
      const f = await this.deactivateResource(r, why);
      first ??= f;
    }
    this.state = first ? 'Error' : 'Offline';
    this.events.emit(first ? ev.rc.groupStopFailed : ev.rc.groupStopEnded, this.cfg.name);
    return first;
  }
}
