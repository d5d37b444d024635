// The adapter to the liscal driver: commands written to /proc/liscal/ctl, one per
// write(), and the status read from /proc/liscalstat (kmod/liscal/README.md §1.2-1.3).
// Paths come from constants (paths.liscalProc), so a directory can stand in for /proc.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseStatus, type ParsedStatus } from './liscal-status';

/** What each errno of a ctl write means, in the driver's terms. */
const errnoMeaning: Record<string, string> = {
  EINVAL: 'the driver refused the command (syntax, unknown NMP or bad value)',
  ENODEV: 'the NMP is not bound',
  EBUSY: 'the mirror state forbids it',
  ENOTCONN: 'the mirror link is not connected',
  EIO: 'the cluster partition could not be read or written',
  EPERM: 'the I/O port is open on the other server',
  ENOENT: 'the liscal driver is not loaded',
};

export class LiscalError extends Error {
  constructor(readonly command: string, readonly errno: string, detail: string) {
    super(`liscal: '${command}' failed: ${errnoMeaning[errno] ?? detail}${errno ? ` (${errno})` : ''}`);
  }
}

export interface BindSpec { data: string; cp: string; peer: string; local?: string; drvPort?: number; dataPort: number }
export type RecoverMode = 'full' | 'diff';
export type ForceKind = 'green' | 'red' | 'latest';

/** Tokens go to the kernel parser unquoted: refuse anything that could split or smuggle one. */
function token(what: string, v: string | number): string {
  const s = String(v);
  if (!/^[A-Za-z0-9_./:-]{1,255}$/.test(s)) throw new LiscalError(what, '', `${what} '${s.slice(0, 40)}' is not a valid token`);
  return s;
}

export class Liscal {
  readonly ctlFile: string;
  readonly statFile: string;

  /** procDir is paths.liscalProc (/proc/liscal); the status file is its sibling liscalstat. */
  constructor(procDir: string) {
    this.ctlFile = path.join(procDir, 'ctl');
    this.statFile = path.join(path.dirname(procDir), 'liscalstat');
  }

  /** Write one command in one write(); a refused command throws LiscalError naming it. */
  command(cmd: string): void { this.write(cmd, cmd); }

  /**
   * `line` goes to the driver, `printable` into any error: they differ only for the key,
   * which must reach no message, log line, reply or event (issue 13 item 7).
   */
  private write(printable: string, line: string): void {
    let fd: number;
    try { fd = fs.openSync(this.ctlFile, fs.constants.O_WRONLY | fs.constants.O_APPEND); } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new LiscalError(printable, err.code ?? '', err.message);
    }
    try {
      fs.writeSync(fd, Buffer.from(line + '\n'));
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new LiscalError(printable, err.code ?? '', err.message);
    } finally {
      fs.closeSync(fd);
    }
  }

  key(key: Buffer): void {
    if (key.length < 1) throw new LiscalError('key', '', 'empty cluster key');
    // The driver takes 1-64 bytes; a longer key is folded to 64 by the agent's caller.
    this.write('key <redacted>', `key ${key.subarray(0, 64).toString('hex')}`);
  }

  bind(nmp: number, b: BindSpec): void {
    const parts = [`bind ${token('nmp', nmp)}`, `data=${token('data', b.data)}`, `cp=${token('cp', b.cp)}`, `peer=${token('peer', b.peer)}`];
    if (b.local) parts.push(`local=${token('local', b.local)}`);
    if (b.drvPort) parts.push(`drvport=${token('drvport', b.drvPort)}`);
    parts.push(`dataport=${token('dataport', b.dataPort)}`);
    this.command(parts.join(' '));
  }

  unbind(nmp: number): void { this.command(`unbind ${token('nmp', nmp)}`); }
  open(nmp: number, force = false): void { this.command(`open ${token('nmp', nmp)}${force ? ' force' : ''}`); }
  close(nmp: number): void { this.command(`close ${token('nmp', nmp)}`); }
  connect(nmp: number): void { this.command(`connect ${token('nmp', nmp)}`); }
  disconnect(nmp: number): void { this.command(`disconnect ${token('nmp', nmp)}`); }
  recover(nmp: number, mode: RecoverMode): void { this.command(`recover ${token('nmp', nmp)} ${mode}`); }
  stopRecover(nmp: number): void { this.command(`stoprecover ${token('nmp', nmp)}`); }
  force(nmp: number, kind: ForceKind): void { this.command(`force ${token('nmp', nmp)} ${kind}`); }
  onError(nmp: number, action: 'reboot' | 'detach'): void { this.command(`onerror ${token('nmp', nmp)} ${action}`); }
  unloadCheck(): void { this.command('unload-check'); }

  /** Whether the driver is loaded (its control file exists). */
  loaded(): boolean { return fs.existsSync(this.ctlFile); }

  /** The status of every NMP; a missing file is an empty status with one problem. */
  status(): ParsedStatus {
    let text: string;
    try { text = fs.readFileSync(this.statFile, 'utf8'); } catch (e) {
      return { byNmp: new Map(), problems: [`${this.statFile}: ${(e as Error).message}`] };
    }
    return parseStatus(text);
  }
}
