// The one logger: debug output of the runtime's roles (not the seed's events, which go
// through events/). One line per record: time, level, module type, text.
import * as fs from 'node:fs';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogWriter { write(line: string): void }

export class Logger {
  constructor(
    private readonly writer: LogWriter = process.stderr,
    private readonly level: LogLevel = (process.env.PAIRHA_LOG_LEVEL as LogLevel) || 'info',
    private readonly module = 'pm',
  ) {}

  child(module: string): Logger {
    return new Logger(this.writer, this.level, module);
  }

  debug(msg: string): void { this.log('debug', msg); }
  info(msg: string): void { this.log('info', msg); }
  warn(msg: string): void { this.log('warn', msg); }
  error(msg: string): void { this.log('error', msg); }

  private log(level: LogLevel, msg: string): void {
    if (order[level] < order[this.level]) return;
    this.writer.write(`${new Date().toISOString()} ${level.toUpperCase()} <${this.module}> ${msg}\n`);
  }
}

/** A writer appending to a file; used for the runtime's module log under paths.log. */
export function fileWriter(file: string): LogWriter {
  const fd = fs.openSync(file, 'a', 0o600);
  return { write: (line) => { fs.writeSync(fd, line); } };
}

/** Silent logger for tests that do not care. */
export const nullLogger = new Logger({ write: () => {} }, 'error');
