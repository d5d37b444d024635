// /proc/liscalstat: one line per NMP, `key=value` fields in a fixed order
// (kmod/liscal/README.md §1.3). A malformed line is reported, never thrown.

export type LiscalState = 'NONE' | 'SYNC' | 'BREAK' | 'STALE' | 'RECOVERING';
export type LiscalRecovery = 'none' | 'full-send' | 'diff-send' | 'recv' | 'stopped' | 'done' | 'failed';

export interface LiscalStatus {
  nmp: number;
  bound: boolean;
  port: 'open' | 'closed';
  peerPort: 'open' | 'closed' | 'unknown';
  conn: 'connected' | 'connecting' | 'disconnected';
  act: 'io' | 'idle';
  state: LiscalState;
  color: 'GREEN' | 'RED' | 'YELLOW' | '--';
  dirty: number;
  chunks: number;
  diskErr: boolean;
  recovery: LiscalRecovery;
  pct: number;
  elapsed: number;
  remaining: number;
  gen: number;
  peerGen: number;
  lastUpdate: number;
  breakTime: number;
  /** Chunks copied / to copy by the current or last recovery (later drivers; rtotal 0 on the target). */
  rDone?: number;
  rTotal?: number;
}

type FieldSpec = [key: string, prop: keyof LiscalStatus, parse: (v: string) => unknown];

const oneOf = <T extends string>(...values: T[]) => (v: string): T | undefined => (values.includes(v as T) ? v as T : undefined);
const count = (v: string): number | undefined => (/^\d{1,15}$/.test(v) ? Number(v) : undefined);
const flag = (v: string): boolean | undefined => (v === '0' ? false : v === '1' ? true : undefined);

/** The fields in the driver's order. */
const fields: FieldSpec[] = [
  ['bound', 'bound', flag],
  ['port', 'port', oneOf('open', 'closed')],
  ['peerport', 'peerPort', oneOf('open', 'closed', 'unknown')],
  ['conn', 'conn', oneOf('connected', 'connecting', 'disconnected')],
  ['act', 'act', oneOf('io', 'idle')],
  ['state', 'state', oneOf('NONE', 'SYNC', 'BREAK', 'STALE', 'RECOVERING')],
  ['color', 'color', oneOf('GREEN', 'RED', 'YELLOW', '--')],
  ['dirty', 'dirty', count],
  ['chunks', 'chunks', count],
  ['diskerr', 'diskErr', flag],
  ['recovery', 'recovery', oneOf('none', 'full-send', 'diff-send', 'recv', 'stopped', 'done', 'failed')],
  ['pct', 'pct', (v) => { const n = count(v); return n !== undefined && n <= 100 ? n : undefined; }],
  ['elapsed', 'elapsed', count],
  ['remaining', 'remaining', count],
  ['gen', 'gen', count],
  ['peergen', 'peerGen', count],
  ['lastupdate', 'lastUpdate', count],
  ['breaktime', 'breakTime', count],
];

export interface ParsedStatus {
  byNmp: Map<number, LiscalStatus>;
  /** One entry per refused line: `line N: why`. */
  problems: string[];
}

/** Fields a driver may add after the fixed ones; any other extra key=value is tolerated. */
const optional: FieldSpec[] = [['rdone', 'rDone', count], ['rtotal', 'rTotal', count]];
const MAX_EXTRA = 16;

/** Parse one line; a string says what is wrong with it. */
export function parseStatusLine(line: string): LiscalStatus | string {
  const tokens = line.trim().split(' ');
  const m = /^NMP([1-9]\d{0,2})$/.exec(tokens[0] ?? '');
  if (!m) return `expected NMPn first, found '${(tokens[0] ?? '').slice(0, 32)}'`;
  if (tokens.length < fields.length + 1 || tokens.length > fields.length + 1 + MAX_EXTRA) return `NMP${m[1]}: ${tokens.length - 1} fields, expected ${fields.length} (and up to ${MAX_EXTRA} more)`;
  const out: Record<string, unknown> = { nmp: Number(m[1]) };
  for (let i = 0; i < fields.length; i++) {
    const [key, prop, parse] = fields[i];
    const tok = tokens[i + 1];
    const eq = tok.indexOf('=');
    if (eq < 0 || tok.slice(0, eq) !== key) return `NMP${m[1]}: field ${i + 1} should be ${key}=..., found '${tok.slice(0, 32)}'`;
    const v = parse(tok.slice(eq + 1));
    if (v === undefined) return `NMP${m[1]}: bad value for ${key}: '${tok.slice(eq + 1, eq + 33)}'`;
    out[prop] = v;
  }
  for (const tok of tokens.slice(fields.length + 1)) {
    const x = /^([a-z_]{1,32})=([0-9A-Za-z_.-]{0,64})$/.exec(tok);
    if (!x) return `NMP${m[1]}: malformed extra field '${tok.slice(0, 32)}'`;
    const spec = optional.find(([key]) => key === x[1]);
    if (!spec) continue;
    const v = spec[2](x[2]);
    if (v === undefined) return `NMP${m[1]}: bad value for ${x[1]}: '${x[2].slice(0, 32)}'`;
    out[spec[1]] = v;
  }
  return out as unknown as LiscalStatus;
}

export function parseStatus(text: string): ParsedStatus {
  const byNmp = new Map<number, LiscalStatus>();
  const problems: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const r = parseStatusLine(line);
    if (typeof r === 'string') problems.push(`line ${i + 1}: ${r}`);
    else if (byNmp.has(r.nmp)) problems.push(`line ${i + 1}: NMP${r.nmp} listed twice`);
    else byNmp.set(r.nmp, r);
  });
  return { byNmp, problems };
}

/** Write a status line as the driver does (used by the stand-in /proc of the tests and the lab). */
export function formatStatusLine(s: LiscalStatus): string {
  const show = (v: unknown) => (typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  const extra = optional.filter(([, prop]) => s[prop] !== undefined);
  return `NMP${s.nmp} ${[...fields, ...extra].map(([key, prop]) => `${key}=${show(s[prop])}`).join(' ')}`;
}
