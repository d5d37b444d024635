// Client of the guest agent (rootfs/opt/pairha/lib/sh/agent.sh, in the appliance image and in
// the test initramfs alike): runs shell scripts inside a VM over its virtio serial port.
// Request, one line: "<id> <base64 of the script>". Reply: "@@OUT <id>", base64 of stdout,
// "@@ERR <id>", base64 of stderr, "@@END <id> <exit code>". The guest runs one script at a
// time, so requests on one connection are answered in order.
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';

export interface AgentResult { code: number; stdout: string; stderr: string }

/** Quote argv for the guest's sh. */
export const shellQuote = (argv: string[]) => argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(' ');

export class GuestAgent {
  private buf = '';
  private closed?: Error;
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly c: net.Socket, private readonly socketPath: string) {
    c.on('data', (d) => { this.buf += d.toString('latin1'); this.wake(); });
    c.on('error', (e) => { this.closed = new Error(`${socketPath}: ${e.message}`); });
    c.on('close', () => { this.closed ??= new Error(`${socketPath}: closed`); this.wake(); });
  }

  static connect(socketPath: string): Promise<GuestAgent> {
    return new Promise((resolve, reject) => {
      const c = net.connect(socketPath);
      c.once('connect', () => { c.off('error', reject); resolve(new GuestAgent(c, socketPath)); });
      c.once('error', (e) => reject(new Error(`${socketPath}: ${e.message}`)));
    });
  }

  /** Runs a script; rejects when no answer comes within timeoutMs or the connection ends. */
  run(script: string, timeoutMs: number): Promise<AgentResult> {
    const id = this.send(script);
    return new Promise((resolve, reject) => {
      const check = () => {
        const r = this.take(id);
        if (r) finish(undefined, r);
        else if (this.closed) finish(this.closed);
      };
      const timer = setTimeout(() => finish(new Error(`no answer from the box within ${timeoutMs} ms`)), timeoutMs);
      const finish = (e?: Error, r?: AgentResult) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (e) reject(e); else resolve(r!);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Sends a script without waiting for its answer (poweroff); returns its id. */
  send(script: string): string {
    const id = randomBytes(6).toString('hex');
    if (!this.closed) this.c.write(`${id} ${Buffer.from(script).toString('base64')}\n`);
    return id;
  }

  close(): void { this.c.destroy(); }

  private wake(): void { for (const w of [...this.waiters]) w(); }

  /** The answer to id once complete, consumed with whatever came before it. */
  private take(id: string): AgentResult | undefined {
    const end = new RegExp(`^@@END ${id} (\\d+)$`, 'm').exec(this.buf);
    if (!end) return undefined;
    const buf = this.buf.slice(0, end.index + end[0].length);
    this.buf = this.buf.slice(end.index + end[0].length);
    const section = (from: string, to: string) => {
      const a = buf.indexOf(`${from}\n`); const b = buf.indexOf(to, a);
      return a < 0 || b < 0 ? '' : Buffer.from(buf.slice(a + from.length + 1, b).replace(/\s+/g, ''), 'base64').toString('utf8');
    };
    return { code: Number(end[1]), stdout: section(`@@OUT ${id}`, `@@ERR ${id}`), stderr: section(`@@ERR ${id}`, `@@END ${id}`) };
  }
}

/** One script over a connection of its own (`pairha pair run`: each call is a new process). */
export async function agentRun(socketPath: string, script: string, timeoutMs: number): Promise<AgentResult> {
  const a = await GuestAgent.connect(socketPath);
  try { return await a.run(script, timeoutMs); } finally { a.close(); }
}
