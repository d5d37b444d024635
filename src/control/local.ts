// The local control socket: a unix stream socket in a root-only directory (0700, socket
// 0600). One JSON request line, one JSON reply line per connection.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { Registry } from './registry';
import type { ControlReply, ControlRequest } from './types';

const MAX_LINE = 1 << 20;

export class LocalControl {
  private server?: net.Server;
  constructor(private readonly socketPath: string, private readonly registry: Registry) {}

  async start(): Promise<void> {
    const dir = path.dirname(this.socketPath);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.statSync(dir);
    if (st.mode & 0o022) throw new Error(`${dir}: control directory is writable by group or others (mode ${(st.mode & 0o777).toString(8)})`);
    if (process.getuid && st.uid !== process.getuid()) throw new Error(`${dir}: control directory is not owned by this user`);
    fs.chmodSync(dir, 0o700);
    try { fs.unlinkSync(this.socketPath); } catch { /* none left over */ }
    const server = net.createServer((conn) => serveLine(conn, (req) => this.registry.dispatch(req, { local: true })));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.socketPath, () => resolve());
    });
    fs.chmodSync(this.socketPath, 0o600);
    this.server = server;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    try { fs.unlinkSync(this.socketPath); } catch { /* already gone */ }
  }
}

function serveLine(conn: net.Socket, handle: (req: unknown) => Promise<ControlReply>): void {
  let buf = '';
  conn.setEncoding('utf8');
  conn.on('error', () => conn.destroy());
  conn.on('data', async (chunk: string) => {
    buf += chunk;
    if (buf.length > MAX_LINE) { conn.destroy(); return; }
    const nl = buf.indexOf('\n');
    if (nl < 0) return;
    conn.removeAllListeners('data');
    let reply: ControlReply;
    try { reply = await handle(JSON.parse(buf.slice(0, nl))); } catch { reply = { code: 2, message: 'malformed request' }; }
    conn.end(JSON.stringify(reply) + '\n');
  });
}

/** Client side, used by every clp* command. */
export function request(socketPath: string, req: ControlRequest, timeoutMs = 30000): Promise<ControlReply> {
  return new Promise((resolve, reject) => {
    const conn = net.createConnection(socketPath);
    let buf = '';
    const timer = setTimeout(() => { conn.destroy(); reject(new Error(`no answer from the cluster daemon within ${timeoutMs} ms`)); }, timeoutMs);
    conn.setEncoding('utf8');
    conn.on('connect', () => conn.write(JSON.stringify(req) + '\n'));
    conn.on('data', (c: string) => { buf += c; });
    conn.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(e.code === 'ENOENT' || e.code === 'ECONNREFUSED' ? 'the cluster daemon is not running' : e.code === 'EACCES' ? 'permission denied: run as root' : e.message));
    });
    conn.on('end', () => {
      clearTimeout(timer);
      try { resolve(JSON.parse(buf) as ControlReply); } catch { reject(new Error('malformed reply from the cluster daemon')); }
    });
  });
}
