// The generation of a configuration: `[cluster] generation`, read and written on the text so
// that the file the operator edits is the file every server holds, comments and all.
import { scanIni } from './scan';

/** The generation written in a clp.conf text (0 when absent or unreadable: the loader reports why). */
export function generationOf(text: string): number {
  const cluster = scanIni(text, 'clp.conf').sections.find((s) => s.name.trim() === 'cluster');
  const v = cluster?.values.get('generation');
  return v !== undefined && /^\d{1,10}$/.test(v.trim()) ? Number(v.trim()) : 0;
}

/** The text with `[cluster] generation = g` (replacing the line, or added after the header). */
export function withGeneration(text: string, g: number): string {
  const lines = text.split('\n');
  const cluster = scanIni(text, 'clp.conf').sections.find((s) => s.name.trim() === 'cluster');
  if (!cluster) return `[cluster]\ngeneration = ${g}\n` + text;
  const at = cluster.keys.get('generation');
  if (at !== undefined) lines[at - 1] = `generation = ${g}`;
  else lines.splice(cluster.line, 0, `generation = ${g}`);
  return lines.join('\n');
}
