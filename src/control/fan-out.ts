// An op run here and on the other servers (clpcl -a), or on one named server (-h): each
// server's failure is one line of the reply. From another server, the request is that server's
// fan-out reaching this one: it runs here only, whatever target it names, so a peer cannot
// make this server act on a third one.
import { call, toServer, type Op, type Target } from './op';
import type { ControlReply, Origin, PeerControl } from './types';

export interface FanOut { peer: PeerControl; local: string; servers: string[] }

export async function fanOut<A extends object>(d: FanOut, op: Op<A, unknown>, args: A, target: Target, origin: Origin, here: () => Promise<ControlReply>): Promise<ControlReply> {
  if (!origin.local) return here();
  const others = d.servers.filter((n) => n !== d.local);
  const names = target.host ? [target.host] : target.all ? [d.local, ...others] : [d.local];
  const lines: string[] = [];
  let code = 0;
  for (const name of names) {
    if (!d.servers.includes(name)) return { code: 2, message: `unknown server '${name}'` };
    let r: ControlReply;
    try {
      r = name === d.local ? await here() : await call(toServer(d.peer, name), op, args);
    } catch (e) {
      r = { code: 1, message: (e as Error).message };
    }
    if (r.code) { code = r.code; lines.push(`${name}: ${r.message ?? 'failed'}`); }
  }
  return { code, message: lines.join('\n') || undefined };
}
