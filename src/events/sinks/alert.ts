// The alert log: one JSON line per entry under paths.alert, bounded; a torn last line
// (crash while appending) is skipped on read. Entries from peers carry their origin.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EventRecord, Sink } from '../bus';

export interface AlertEntry { time: number; server: string; type: string; id: number; lvl: string; text: string }

export const alertFile = (dir: string) => path.join(dir, 'alert.log');

export class AlertLog implements Sink {
  private count: number;
  /** Called for each local entry (alert sync sends it to the peers). */
  onLocal?: (e: AlertEntry) => void;

  constructor(private readonly dir: string, private readonly maxEntries: number) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.count = readAlerts(dir).length;
  }

  deliver(rec: EventRecord): void {
    const e: AlertEntry = { time: rec.time, server: rec.server, type: rec.def.type, id: rec.def.id, lvl: rec.def.lvl, text: rec.text };
    this.append(e);
    this.onLocal?.(e);
  }

  append(e: AlertEntry): void {
    fs.appendFileSync(alertFile(this.dir), JSON.stringify(e) + '\n', { mode: 0o600 });
    if (++this.count > this.maxEntries * 1.1) this.compact();
  }

  /** Keep the newest maxEntries; write aside and rename so a crash leaves one whole file. */
  private compact(): void {
    const keep = readAlerts(this.dir).slice(-this.maxEntries);
    const tmp = alertFile(this.dir) + '.tmp';
    fs.writeFileSync(tmp, keep.map((e) => JSON.stringify(e) + '\n').join(''), { mode: 0o600 });
    fs.renameSync(tmp, alertFile(this.dir));
    this.count = keep.length;
  }
}

export function readAlerts(dir: string, last?: number): AlertEntry[] {
  let text = '';
  try { text = fs.readFileSync(alertFile(dir), 'utf8'); } catch { return []; }
  const out: AlertEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const e = JSON.parse(line) as AlertEntry;
      if (typeof e.time === 'number' && typeof e.text === 'string') out.push(e);
    } catch { /* torn line */ }
  }
  return last === undefined ? out : out.slice(-last);
}

const pad = (n: number) => String(n).padStart(2, '0');
function stamp(t: number): string {
  const d = new Date(t);
  return `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatAlerts(entries: AlertEntry[]): string {
  return entries.map((e) => `${stamp(e.time)} ${e.server} ${e.type} ${e.lvl} ${e.id} ${e.text}`).join('\n') + (entries.length ? '\n' : '');
}
