// The one INI reader of the product (the runtime, the CLI and, through `pairha config
// export-sh`, the boot scripts): it keeps the line of every section and key, so errors can
// name them, and refuses what a lenient reader would silently merge (duplicate sections
// and keys, keys outside a section).
import type { ConfigProblem } from './errors';

export interface ScannedSection {
  name: string;
  line: number;
  /** Line of each key. */
  keys: Map<string, number>;
  /** Value of each key, unquoted and without its trailing comment. */
  values: Map<string, string>;
}

export interface Scan { sections: ScannedSection[]; problems: ConfigProblem[] }

const sectionRe = /^\[([^\]]*)\]\s*(?:[;#].*)?$/;
const keyRe = /^([^=\s][^=]*?)\s*(=|$)/;

/** A value as written: "quoted" (JSON escapes) or 'quoted' verbatim; else up to an unescaped ; or #. */
export function iniValue(text: string): string {
  const s = text.trim();
  if (s.length > 1 && s[0] === s[s.length - 1] && (s[0] === '"' || s[0] === "'")) {
    if (s[0] === "'") return s.slice(1, -1);
    try { return String(JSON.parse(s)); } catch { return s; }
  }
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\' && i + 1 < s.length) {
      const next = s[i + 1];
      out += ';#\\'.includes(next) ? next : ch + next;
      i++;
    } else if (ch === ';' || ch === '#') {
      break;
    } else {
      out += ch;
    }
  }
  return out.trim();
}

export function scanIni(text: string, file: string): Scan {
  const sections: ScannedSection[] = [];
  const problems: ConfigProblem[] = [];
  const seen = new Map<string, number>();
  let current: ScannedSection | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const s = raw.trim();
    if (!s || s.startsWith(';') || s.startsWith('#')) return;
    if (s.startsWith('[')) {
      const m = sectionRe.exec(s);
      if (!m) { problems.push({ file, line, section: '', key: '', reason: `malformed section header '${s}'` }); current = undefined; return; }
      const name = m[1].trim().replace(/\s+/g, ' ');
      if (!name) { problems.push({ file, line, section: '', key: '', reason: 'empty section name' }); current = undefined; return; }
      if (name.includes('.')) { problems.push({ file, line, section: name, key: '', reason: "section names may not contain '.'" }); current = undefined; return; }
      const prev = seen.get(name);
      if (prev !== undefined) { problems.push({ file, line, section: name, key: '', reason: `duplicate section (first at line ${prev})` }); current = undefined; return; }
      seen.set(name, line);
      current = { name, line, keys: new Map(), values: new Map() };
      sections.push(current);
      return;
    }
    const m = keyRe.exec(s);
    if (!m || m[2] !== '=') { problems.push({ file, line, section: current?.name ?? '', key: '', reason: `expected 'key = value', got '${s}'` }); return; }
    const key = m[1].trim();
    if (!current) { problems.push({ file, line, section: '', key, reason: 'key outside of any section' }); return; }
    const prev = current.keys.get(key);
    if (prev !== undefined) { problems.push({ file, line, section: current.name, key, reason: `duplicate key (first at line ${prev})` }); return; }
    current.keys.set(key, line);
    current.values.set(key, iniValue(s.slice(m[0].length)));
  });
  return { sections, problems };
}
