// Line-level scan of the INI text: the `ini` package parses the values but keeps no
// line numbers and silently merges duplicate sections and keys, so this pass records
// where every section and key stands and reports what ini would hide.
import type { ConfigProblem } from './errors';

export interface ScannedSection { name: string; line: number; keys: Map<string, number> }

export interface Scan { sections: ScannedSection[]; problems: ConfigProblem[] }

const sectionRe = /^\[([^\]]*)\]\s*(?:[;#].*)?$/;
const keyRe = /^([^=\s][^=]*?)\s*(=|$)/;

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
      current = { name, line, keys: new Map() };
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
  });
  return { sections, problems };
}
