// Client of the box's command port (rootfs/opt/pairha/lib/sh/agent.sh): runs a shell
// command inside the box and returns its exit code and output.
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';

export interface AgentResult { code: number; stdout: string; stderr: string }

/** Quote argv for the box's sh. */
export const shellQuote = (argv: string[]) => argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(' ');

export function agentRun(socketPath: string, script: string, timeoutMs: number): Promise<AgentResult> {
  const id = randomBytes(6).toString('hex');
  return new Promise((resolve, reject) => {
    const c = net.connect(socketPath);
    let buf = '';
    const timer = setTimeout(() => { c.destroy(); reject(new Error(`no answer from the box within ${timeoutMs} ms`)); }, timeoutMs);
    c.on('error', (e) => { clearTimeout(timer); reject(new Error(`${socketPath}: ${e.message}`)); });
    c.on('connect', () => c.write(`${id} ${Buffer.from(script).toString('base64')}\n`));
    c.on('data', (d) => {
      buf += d.toString('latin1');
      const end = new RegExp(`^@@END ${id} (\\d+)$`, 'm').exec(buf);
      if (!end) return;
      clearTimeout(timer);
      c.destroy();
      const section = (from: string, to: string) => {
        const a = buf.indexOf(`${from}\n`); const b = buf.indexOf(to, a);
        return a < 0 || b < 0 ? '' : Buffer.from(buf.slice(a + from.length + 1, b).replace(/\s+/g, ''), 'base64').toString('utf8');
      };
      resolve({ code: Number(end[1]), stdout: section(`@@OUT ${id}`, `@@ERR ${id}`), stderr: section(`@@ERR ${id}`, `@@END ${id}`) });
    });
  });
}
