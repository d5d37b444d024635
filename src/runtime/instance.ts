// One runtime per box (pm event 10 for a second one). The lock is an abstract unix socket named
// after the run directory: binding it is atomic, so two runtimes started at the same instant
// cannot both win (a pid file's check-then-write can), and the kernel releases it when the
// process dies, even by SIGKILL, so a crash leaves nothing stale. The pid file only tells
// tools which process holds it.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export const PID_FILE = 'pairha.pid';

/** The lock's name for a run directory (abstract: the leading NUL; scoped to the network namespace). */
export function instanceLockName(run: string): string {
  return `\0pairha-instance:${createHash('sha256').update(fs.realpathSync(run)).digest('hex').slice(0, 32)}`;
}

/** Claims the run directory; undefined when another live runtime holds it. Keep the returned
 * server for the process' life (it is unref'ed: it never keeps the process alive). */
export async function claimInstance(run: string): Promise<net.Server | undefined> {
  fs.mkdirSync(run, { recursive: true, mode: 0o700 });
  const server = net.createServer((c) => c.destroy());
  const won = await new Promise<boolean>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' ? resolve(false) : reject(e)));
    server.listen({ path: instanceLockName(run), exclusive: true }, () => resolve(true));
  });
  if (!won) return undefined;
  server.unref();
  fs.writeFileSync(path.join(run, PID_FILE), String(process.pid), { mode: 0o600 });
  return server;
}
