// The message files of seed §12.3 (pm.msg.us ...): one event per line,
// `ID=13 SEND=syslog.alert.mail MSG=A problem is detected in configuration file. LVL=ERR`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Destination, EventDef, EventLevel } from './types';

const destinations: readonly Destination[] = ['syslog', 'alert', 'mail'];
const levels: readonly EventLevel[] = ['INFO', 'WARN', 'ERR'];
const lineRe = /^ID=(\d+)\s+SEND=(\S*)\s+MSG=(.*?)\s+LVL=(\S+)\s*$/;

export class CatalogError extends Error {}

/** Parse one message file; every problem names file:line. */
export function parseMessageFile(text: string, type: string, file: string): EventDef[] {
  const defs: EventDef[] = [];
  const seen = new Set<number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const where = `${file}:${i + 1}`;
    const m = lineRe.exec(line);
    if (!m) throw new CatalogError(`${where}: expected 'ID=n SEND=dest[.dest] MSG=text LVL=INFO|WARN|ERR'`);
    const id = Number(m[1]);
    if (seen.has(id)) throw new CatalogError(`${where}: event ID ${id} is defined twice`);
    seen.add(id);
    const send = m[2] ? m[2].split('.') : [];
    for (const d of send) if (!destinations.includes(d as Destination)) throw new CatalogError(`${where}: unknown SEND destination '${d}' (syslog, alert, mail)`);
    if (!levels.includes(m[4] as EventLevel)) throw new CatalogError(`${where}: unknown LVL '${m[4]}' (INFO, WARN, ERR)`);
    defs.push({ type, id, send: send as Destination[], msg: m[3], lvl: m[4] as EventLevel });
  });
  return defs;
}

export type Catalog = Map<string, EventDef>;
export const catalogKey = (type: string, id: number) => `${type}:${id}`;

/** Load every `<type>.msg.us` of a directory. */
export function loadCatalog(dir: string): Catalog {
  const cat: Catalog = new Map();
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.msg.us')).sort()) {
    const type = f.slice(0, -'.msg.us'.length);
    const file = path.join(dir, f);
    for (const d of parseMessageFile(fs.readFileSync(file, 'utf8'), type, file)) cat.set(catalogKey(type, d.id), d);
  }
  return cat;
}

/** Fill %1..%n; a missing argument stays visible as %n. */
export function formatMessage(msg: string, args: Array<string | number>): string {
  return msg.replace(/%(\d+)/g, (all, n: string) => (args[Number(n) - 1] === undefined ? all : String(args[Number(n) - 1])));
}
