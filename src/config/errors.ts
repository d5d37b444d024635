// Configuration errors: every problem names the file, line, section, key and reason.
// The pm event tells the runtime what to report (seed §12.1): 13 invalid, 14 missing,
// 15 local server not in the file.

export interface ConfigProblem { file: string; line: number; section: string; key: string; reason: string }

export function formatProblem(p: ConfigProblem): string {
  const where = p.section ? ` [${p.section}]` : '';
  const key = p.key ? ` ${p.key}:` : (where ? ':' : '');
  return `${p.file}:${p.line}:${where}${key} ${p.reason}`;
}

export class ConfigError extends Error {
  constructor(readonly event: 13 | 14 | 15, readonly errors: ConfigProblem[]) {
    super(errors.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
  }
}
