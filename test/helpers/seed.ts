// Reads the seed (the maintenance guide) so tests compare against its text, not a copy.
import * as fs from 'node:fs';
import * as path from 'node:path';

// A copy of the seed (../shared/seed/) travels with the tests, so CI needs nothing outside the checkout.
export const seedFile = process.env.PAIRHA_SEED || path.resolve(__dirname, '..', 'fixtures', 'seed', '000_ee5158df66a084d2.txt');
export const seedText = (): string => fs.readFileSync(seedFile, 'utf8');

/** The fenced blocks that follow a `# clpstat -n` line, in order, without the command line. */
export function clpstatSamples(): string[] {
  const blocks = seedText().split('```').filter((_, i) => i % 2 === 1);
  return blocks.map((b) => b.replace(/^\n/, '')).filter((b) => b.startsWith('# clpstat -n')).map((b) => b.replace(/^# clpstat -n\n/, ''));
}

/** Rows of the §12.1 event table: [type, level, id, message]. */
export function seedEvents(): Array<{ type: string; lvl: string; id: number; msg: string; send: string[] }> {
  const lv: Record<string, string> = { '情報': 'INFO', '警告': 'WARN', 'エラー': 'ERR' };
  const out = [];
  for (const line of seedText().split('\n')) {
    const c = line.split('\t');
    if (c.length < 9 || !lv[c[1]?.trim()] || !/^\d+$/.test(c[2])) continue;
    const send = (['syslog', 'alert', 'mail'] as const).filter((_, i) => c[[7, 6, 8][i]].trim() === '●');
    out.push({ type: c[0] === 'mdadmn' ? 'mdadm' : c[0], lvl: lv[c[1].trim()], id: Number(c[2]), msg: c[3].trim(), send: [...send] });
  }
  return out;
}

/**
 * The clpmdstat --mirror samples of §11.10.2 and §11.10.3, in order: normal, needs
 * recovery, needs forced recovery, recovering, normal after recovery. Each is the fenced
 * header, a blank line, and the table rows that follow it (up to the next prose line).
 */
export function mdstatSamples(): string[] {
  const lines = seedText().split('\n');
  const start = lines.findIndex((l, i) => l.startsWith('11.10.2 ') && i > 200);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('11.10.4 '));
  const out: string[] = [];
  for (let i = start; i < end; i++) {
    if (lines[i] !== '```' || !lines[i + 1]?.startsWith('Mirror Status:')) continue;
    const block: string[] = [];
    let j = i + 1;
    while (lines[j] !== '```') block.push(lines[j++]);
    const table: string[] = [];
    for (j++; j < end && (lines[j] === '' || lines[j].includes('\t')); j++) table.push(lines[j]);
    while (table.length && table[0] === '') table.shift();
    while (table.length && table[table.length - 1] === '') table.pop();
    out.push([...block, '', ...table].join('\n') + '\n');
    i = j - 1;
  }
  return out;
}
