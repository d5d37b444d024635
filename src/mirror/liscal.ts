// The adapter to the liscal driver: commands written to /proc/liscal/ctl, one per
// write(), and the status read from /proc/liscalstat (kmod/liscal/README.md §1.2-1.3).
// Paths come from constants (paths.liscalProc), so a directory can stand in for /proc.
//
// A ctl write returns when the driver has carried the command out: `connect` dials the peer
// and can take seconds. The writes run on libuv's threadpool, one at a time in order (key
// before bind), so the runtime keeps serving meanwhile; a write that has not returned within
// the timeout is reported as such (the thread stays with it until the kernel returns).
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
  ETIMEDOUT: 'the driver did not return in time (the command may still take effect)',
};

/** How long a ctl write may take: above the driver's own dial timeout (about 9 s). */
export const CTL_TIMEOUT_MS = 30000;

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

  /** The last write queued: the next one starts when it has returned. */
  private queue: Promise<void> = Promise.resolve();
  /** Settles when the last write queued returned or was reported late: the next one's clock starts then. */
  private turn: Promise<void> = Promise.resolve();

  /** procDir is paths.liscalProc (/proc/liscal); the status file is its sibling liscalstat. */
  constructor(procDir: string, private readonly timeoutMs = CTL_TIMEOUT_MS) {
    this.ctlFile = path.join(procDir, 'ctl');
    this.statFile = path.join(path.dirname(procDir), 'liscalstat');
  }

  /** Write one command in one write(); a refused command rejects with a LiscalError naming it. */
  async command(cmd: string): Promise<void> { return this.write(cmd, cmd); }

  /**
   * `line` goes to the driver, `printable` into any error: they differ only for the key,
   * which must reach no message, log line, reply or event (issue 13 item 7).
   * A command's time counts from its turn, not from its queueing: a key queued behind a
   * connect that dials for 9 s still has the whole timeout (finding 24).
   */
  private write(printable: string, line: string): Promise<void> {
    const run = this.queue.then(() => this.writeNow(printable, line));
    this.queue = run.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const late = new Promise<never>((_, reject) => {
      void this.turn.then(() => {
        if (!settled) timer = setTimeout(() => reject(new LiscalError(printable, 'ETIMEDOUT', '')), this.timeoutMs);
      });
    });
    const result = Promise.race([run, late]).finally(() => { settled = true; clearTimeout(timer); });
    this.turn = result.then(() => undefined, () => undefined);
    return result;
  }

  private async writeNow(printable: string, line: string): Promise<void> {
    const failed = (e: unknown) => { const err = e as NodeJS.ErrnoException; return new LiscalError(printable, err.code ?? '', err.message); };
    const fh = await fs.promises.open(this.ctlFile, fs.constants.O_WRONLY | fs.constants.O_APPEND).catch((e) => { throw failed(e); });
    try {
      await fh.write(Buffer.from(line + '\n'));
    } catch (e) {
      throw failed(e);
    } finally {
      await fh.close();
    }
  }

  async key(key: Buffer): Promise<void> {
    if (key.length < 1) throw new LiscalError('key', '', 'empty cluster key');
    // The driver takes 1-64 bytes; a longer key is folded to 64 by the agent's caller.
    return this.write('key <redacted>', `key ${key.subarray(0, 64).toString('hex')}`);
  }

  async bind(nmp: number, b: BindSpec): Promise<void> {
    const parts = [`bind ${token('nmp', nmp)}`, `data=${token('data', b.data)}`, `cp=${token('cp', b.cp)}`, `peer=${token('peer', b.peer)}`];
    if (b.local) parts.push(`local=${token('local', b.local)}`);
    if (b.drvPort) parts.push(`drvport=${token('drvport', b.drvPort)}`);
    parts.push(`dataport=${token('dataport', b.dataPort)}`);
    return this.command(parts.join(' '));
  }

  async unbind(nmp: number): Promise<void> { return this.command(`unbind ${token('nmp', nmp)}`); }
  async open(nmp: number, force = false): Promise<void> { return this.command(`open ${token('nmp', nmp)}${force ? ' force' : ''}`); }
  async close(nmp: number): Promise<void> { return this.command(`close ${token('nmp', nmp)}`); }
  async connect(nmp: number): Promise<void> { return this.command(`connect ${token('nmp', nmp)}`); }
  async disconnect(nmp: number): Promise<void> { return this.command(`disconnect ${token('nmp', nmp)}`); }
  async recover(nmp: number, mode: RecoverMode): Promise<void> { return this.command(`recover ${token('nmp', nmp)} ${mode}`); }
  async stopRecover(nmp: number): Promise<void> { return this.command(`stoprecover ${token('nmp', nmp)}`); }
  async force(nmp: number, kind: ForceKind): Promise<void> { return this.command(`force ${token('nmp', nmp)} ${kind}`); }
  async onError(nmp: number, action: 'reboot' | 'detach'): Promise<void> { return this.command(`onerror ${token('nmp', nmp)} ${action}`); }
  async unloadCheck(): Promise<void> { return this.command('unload-check'); }

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
