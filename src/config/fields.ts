// Typed field readers: a section's values by its schema fields, every problem with its
// file:line, section and key. A value that does not read is undefined (and a problem), so
// the cross-checks skip it instead of reporting its consequences.
import type { ConfigProblem } from './errors';
import type { ScannedSection } from './scan';
import type { FieldType, Fields, KeySpec } from './schema';
import type { Values } from './types';

/**
 * A path given to a command (mount, umount -- fuser -m, dd of=, the liscal driver): absolute,
 * so it cannot read as an option ('-a' would make umount -a), and without control characters
 * (a NUL ends it early, a newline splits a driver command). Undefined when fine, else why not.
 */
export function isAbsolutePath(p: string): string | undefined {
  if (!p.startsWith('/')) return `'${p}' is not an absolute path (starts with '/')`;
  if (/[\x00-\x1f\x7f]/.test(p)) return `${JSON.stringify(p)} contains a control character`;
  return undefined;
}

export const ipv4Re = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** The values read so far: undefined where a key is invalid (or unset). */
export type Read<S extends Fields> = { [K in keyof S]: FieldType<S[K]> | undefined };

type Value = string | number | boolean | string[] | undefined;

export class Checker {
  readonly problems: ConfigProblem[] = [];
  constructor(readonly file: string) {}

  add(line: number, section: string, key: string, reason: string): void {
    this.problems.push({ file: this.file, line, section, key, reason });
  }

  /** Line of a key of a section, else of its header. */
  static line(sec: ScannedSection, key: string): number {
    return sec.keys.get(key) ?? sec.line;
  }

  /** Coerce one value by its spec; undefined (and a problem) when invalid. */
  value(spec: KeySpec, sec: ScannedSection): Value {
    let raw = sec.values.get(spec.key);
    if (raw === undefined) {
      if (spec.def === undefined) { this.add(sec.line, sec.name, spec.key, 'required key is missing'); return undefined; }
      raw = spec.def;
      if (raw === '' && spec.type !== 'string' && spec.type !== 'list') return undefined;
    }
    const s = raw.trim();
    const bad = (why: string) => { this.add(Checker.line(sec, spec.key), sec.name, spec.key, why); return undefined; };
    switch (spec.type) {
      case 'string':
        if (spec.maxBytes !== undefined && Buffer.byteLength(s) > spec.maxBytes) return bad(`${Buffer.byteLength(s)} bytes long; at most ${spec.maxBytes} bytes (UTF-8)`);
        return s || !spec.unset ? s : undefined;
      case 'path':
        if (!s) return bad('empty path');
        return s;
      case 'absolutePath': {
        const why = isAbsolutePath(s);
        return why ? bad(why) : s;
      }
      case 'list': return s ? s.split(',').map((x) => x.trim()).filter(Boolean) : [];
      case 'bool':
        if (['true', 'yes', 'on', '1'].includes(s)) return true;
        if (['false', 'no', 'off', '0'].includes(s)) return false;
        return bad(`'${s}' is not a boolean (true/false)`);
      case 'enum': {
        const values = spec.values ?? [];
        if (!values.includes(s)) return bad(`'${s}' is not one of ${values.join(', ')}`);
        return spec.numeric ? Number(s) : s;
      }
      case 'ipv4':
        if (!ipv4Re.test(s)) return bad(`'${s}' is not an IPv4 address`);
        return s;
      case 'cidr': {
        const [a, p, extra] = s.split('/');
        const n = Number(p);
        if (extra !== undefined || !ipv4Re.test(a) || !/^\d+$/.test(p ?? '') || n < 1 || n > 32) return bad(`'${s}' is not an IPv4 address with prefix (a.b.c.d/n)`);
        return s;
      }
      case 'int': case 'ms': {
        if (!/^-?\d+$/.test(s)) return bad(`'${s}' is not an integer`);
        const n = Number(s);
        if (spec.min !== undefined && n < spec.min) return bad(`${n} is below the minimum ${spec.min}`);
        if (spec.max !== undefined && n > spec.max) return bad(`${n} is above the maximum ${spec.max}`);
        return n;
      }
    }
  }

  /** The values of a section by a table of fields. */
  read<S extends Fields>(fields: S, sec: ScannedSection): Read<S> {
    const out: Record<string, Value> = {};
    for (const [name, spec] of Object.entries(fields)) out[name] = this.value(spec, sec);
    // The one place values meet their types: each was read by its own field's spec.
    return out as Read<S>;
  }

  /** Report keys that no table knows, nor `extra` (per-server keys, `type`). */
  unknownKeys(sec: ScannedSection, tables: Fields[], extra: (key: string) => boolean = () => false): void {
    const known = new Set(tables.flatMap((f) => Object.values(f).map((s) => s.key)));
    for (const key of sec.keys.keys()) {
      if (!known.has(key) && !extra(key)) this.add(Checker.line(sec, key), sec.name, key, 'unknown key');
    }
  }

  /** read + unknownKeys, for a section of one table. */
  section<S extends Fields>(fields: S, sec: ScannedSection): Read<S> {
    const v = this.read(fields, sec);
    this.unknownKeys(sec, [fields]);
    return v;
  }
}

/** All values, when every required one read; undefined after a problem. */
export function complete<S extends Fields>(fields: S, read: Read<S>): Values<S> | undefined {
  for (const [name, spec] of Object.entries(fields)) {
    const optional = spec.def === '' && (spec.type !== 'string' || spec.unset);
    if (read[name] === undefined && !optional) return undefined;
  }
  return read as Values<S>;
}
