// The lab and the pair wait alike for every server to see every server Online; only how a
// server's membership view is asked differs (the local socket, or clpstat --json in a box).
import type { MembershipView } from '../nm/types';

/** A server's answer: its view, or why there is none. */
export interface ViewAnswer { code: number; message?: string; data?: MembershipView }

/** Ask every server (ask gets the time left) until each sees all Online; otherwise a line
 * saying, per server, what it answered last. */
export async function waitAllOnline(names: string[], ask: (name: string, leftMs: number) => Promise<ViewAnswer>,
  timeoutMs: number, intervalMs: number): Promise<{ online: true } | { online: false; last: string }> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const views = await Promise.all(names.map((n) => ask(n, deadline - Date.now()).catch((e: Error): ViewAnswer => ({ code: 1, message: e.message }))));
    if (views.every((v) => v.code === 0 && v.data?.servers.every((x) => x.status === 'Online'))) return { online: true };
    last = views.map((v, i) => `${names[i]}: ${v.code ? v.message : 'not all Online'}`).join('; ');
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return { online: false, last };
}
