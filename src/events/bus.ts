// The event bus: every role reports through emit(ev.<module>.<event>, args); the catalog decides
// the text and where it goes (SEND), the sinks deliver. Never throws.
import type { Logger } from '../logger';
import { catalogKey, formatMessage, loadCatalog, type Catalog } from './catalog';
import type { Destination, EventArg, EventDef, EventId, Events } from './types';

export interface EventRecord { time: number; server: string; def: EventDef; text: string }

export interface Sink { deliver(rec: EventRecord): void; close?(): Promise<void> }

export class EventBus implements Events {
  private catalog: Catalog;
  readonly dropped = { unknown: 0 };

  constructor(
    private readonly messagesDir: string,
    private readonly server: string,
    private readonly sinks: Partial<Record<Destination, Sink>>,
    private readonly log: Logger,
  ) {
    this.catalog = loadCatalog(messagesDir);
  }

  /** Re-read the message files (after an operator edited SEND, seed §12.3). */
  reload(): void {
    this.catalog = loadCatalog(this.messagesDir);
  }

  emit<A extends EventArg[]>(event: EventId<string, number, A>, ...args: NoInfer<A>): void {
    // The catalog read at run time decides, not the build's: an operator may have edited it.
    const { type, id } = event;
    const def = this.catalog.get(catalogKey(type, id));
    if (!def) {
      this.dropped.unknown++;
      this.log.error(`event ${type}:${id} is not in the message files (${args.join(', ')})`);
      return;
    }
    const rec: EventRecord = { time: Date.now(), server: this.server, def, text: formatMessage(def.msg, args) };
    this.log.info(`<type: ${type}><event: ${id}> ${rec.text}`);
    for (const d of def.send) {
      try {
        this.sinks[d]?.deliver(rec);
      } catch (e) {
        this.log.error(`sink ${d} failed: ${(e as Error).message}`);
      }
    }
  }

  async close(): Promise<void> {
    for (const s of Object.values(this.sinks)) await s?.close?.();
  }
}
