// A scripted terminal on a box's serial console socket, for tests: send lines, wait for text.
import * as net from 'node:net';

export class ConsoleSession {
  private buf = '';
  private constructor(private readonly c: net.Socket) { c.on('data', (d) => { this.buf += d.toString('latin1'); }); }

  static open(socketPath: string): Promise<ConsoleSession> {
    return new Promise((resolve, reject) => {
      const c = net.connect(socketPath);
      c.once('connect', () => resolve(new ConsoleSession(c)));
      c.once('error', reject);
    });
  }

  send(line: string): void { this.c.write(`${line}\r`); }

  /** Wait until re appears in what the console printed since the last match; returns it all. */
  async expect(re: RegExp, timeoutMs: number): Promise<string> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const m = re.exec(this.buf);
      if (m) { const seen = this.buf.slice(0, m.index + m[0].length); this.buf = this.buf.slice(m.index + m[0].length); return seen; }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`console: no ${re} within ${timeoutMs} ms; last output: ${JSON.stringify(this.buf.slice(-400))}`);
  }

  close(): void { this.c.destroy(); }
}
