// Contract of the event catalog (seed §12.1, §12.3): every role reports through Events.
export type Destination = 'syslog' | 'alert' | 'mail';
export type EventLevel = 'INFO' | 'WARN' | 'ERR';

/** One line of a message file, e.g. `ID=13 SEND=syslog.alert.mail MSG=... LVL=ERR`. */
export interface EventDef {
  type: string;        // module type: pm, nm, rc, rm, diskhb, comhb, monp, mdagent, mdadm ...
  id: number;
  send: Destination[];
  msg: string;         // with %1..%n
  lvl: EventLevel;
}

/** What fills a message's %n. */
export type EventArg = string | number;

declare const eventArgs: unique symbol;

/** One event of the catalog: its module, its ID and (in the type only) the arguments its
 * message's %1..%n take. The constants are generated into ./ids.ts (docs/events.md). */
export interface EventId<T extends string = string, N extends number = number, A extends EventArg[] = EventArg[]> {
  readonly type: T;
  readonly id: N;
  readonly [eventArgs]: A; // in the type only: an EventId comes from ids.ts, not an object literal
}

export interface Events {
  /** Report an event of ./ids.ts (`ev.rc.groupFailoverBegan`), filling its message's
   * %1..%n from exactly the arguments its type names. Never throws. */
  emit<A extends EventArg[]>(event: EventId<string, number, A>, ...args: NoInfer<A>): void;
}
