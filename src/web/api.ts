// What the pages and scripts read and do. Every read and every action is one of the ops the
// clp* commands call (their protocol.ts), sent on the same local control socket, so the page
// and the console cannot disagree. Actions are data: a name, the op, and how its arguments
// come from the request body.
import { call, type Op, type OpArgs, type Send } from '../control/op';
import type { ClusterConfig } from '../config/types';
import { alertOps } from '../events/protocol';
import { rcOps } from '../group/protocol';
import { mdOps } from '../mirror/protocol';
import { nmOps } from '../nm/protocol';
import { clOps, pmOps } from '../pm/protocol';

/** One action of the pages: the op, and its arguments from the request's JSON body (the
 * op's own checker then runs here and again on the serving side). */
interface Action { op: Op<object, unknown>; args(body: OpArgs): OpArgs; confirm: string }
const on = (b: OpArgs) => (typeof b.host === 'string' && b.host ? { host: b.host } : { all: true });
const pass = (...keys: string[]) => (b: OpArgs) => Object.fromEntries(keys.filter((k) => b[k] !== undefined).map((k) => [k, b[k]]));
const act = <A extends object>(op: Op<A, unknown>, args: (b: OpArgs) => OpArgs, confirm: string): Action => ({ op: op as Op<object, unknown>, args, confirm });

export const actions: Record<string, Action> = {
  'cluster-start': act(clOps.start, on, 'Start the cluster daemon'),
  'cluster-stop': act(clOps.stop, on, 'Stop the cluster daemon'),
  'cluster-suspend': act(clOps.suspend, () => ({ all: true }), 'Suspend the cluster'),
  'cluster-resume': act(clOps.resume, () => ({ all: true }), 'Resume the cluster'),
  'cluster-shutdown': act(clOps.shutdown, () => ({ reboot: false }), 'Shut down every server'),
  'cluster-reboot': act(clOps.shutdown, () => ({ reboot: true }), 'Reboot every server'),
  'server-shutdown': act(clOps.power, (b) => ({ host: b.host, reboot: false }), 'Shut down one server'),
  'server-reboot': act(clOps.power, (b) => ({ host: b.host, reboot: true }), 'Reboot one server'),
  'group-start': act(rcOps.start, pass('group', 'host'), 'Start the group'),
  'group-stop': act(rcOps.stop, pass('group'), 'Stop the group'),
  'group-move': act(rcOps.move, pass('group', 'host'), 'Move the group'),
  'md-recover': act(mdOps.recovery, pass('resource'), 'Start mirror recovery'),
  'md-stop-recovery': act(mdOps.stopRecovery, pass('resource'), 'Stop the running recovery'),
  'md-force': act(mdOps.force, pass('resource', 'server'), 'Force recovery from the chosen server'),
};

export interface ActionResult { status: number; body: { code: number; message?: string } }

/** Run an action by name with a body already parsed; never throws. */
export async function runAction(send: Send, name: string, body: unknown): Promise<ActionResult> {
  const a = Object.prototype.hasOwnProperty.call(actions, name) ? actions[name] : undefined;
  if (!a) return { status: 404, body: { code: 2, message: `unknown action '${name.slice(0, 40)}' (known: ${Object.keys(actions).join(', ')})` } };
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { status: 400, body: { code: 2, message: `${name}: the body must be a JSON object` } };
  const args = a.op.check(a.args(body as OpArgs));
  if (typeof args === 'string') return { status: 400, body: { code: 2, message: `${name}: ${args}` } };
  try {
    const r = await call(send, a.op, args);
    return { status: r.code === 0 ? 200 : 409, body: { code: r.code, message: r.message } };
  } catch (e) {
    return { status: 503, body: { code: 1, message: `${name}: ${(e as Error).message}` } };
  }
}

/** A read: the op's data, or why it is not there (the daemon stopped, ...). */
async function read<R>(send: Send, op: Op<Record<string, never>, R>): Promise<{ data?: R; error?: string }>;
async function read<A extends object, R>(send: Send, op: Op<A, R>, args: A): Promise<{ data?: R; error?: string }>;
async function read(send: Send, op: Op<object, unknown>, args: object = {}): Promise<{ data?: unknown; error?: string }> {
  try {
    const r = await call(send, op, args, 5000);
    return r.code === 0 ? { data: r.data } : { error: r.message ?? `code ${r.code}` };
  } catch (e) { return { error: (e as Error).message }; }
}

export const mdResources = (c: ClusterConfig) => c.resources.filter((r) => r.type === 'md').map((r) => r.name);

export const reads = {
  cluster: async (send: Send) => {
    const [view, groups, daemon] = await Promise.all([read(send, nmOps.view), read(send, rcOps.cluster), read(send, pmOps.status)]);
    return { view: view.data, groups: groups.data, daemon: daemon.data, errors: [view.error, groups.error, daemon.error].filter(Boolean) };
  },
  /** The cluster page: what it shows, so that it is redrawn only when that changes (the
   * daemon's event-loop lag changes at every read: /metrics has it). */
  clusterPage: async (send: Send) => {
    const { daemon, ...rest } = await reads.cluster(send);
    return { ...rest, daemon: daemon && { daemon: daemon.daemon, server: daemon.server, pid: daemon.pid } };
  },
  alerts: async (send: Send, n = 200) => {
    const r = await read(send, alertOps.read, { n });
    return { entries: r.data ?? [], error: r.error };
  },
  mirrors: async (send: Send, config: ClusterConfig) => {
    const out = [];
    for (const resource of mdResources(config)) {
      const r = await read(send, mdOps.stat, { resource });
      out.push({ resource, view: r.data, error: r.error });
    }
    return out;
  },
  stats: (send: Send) => read(send, nmOps.stats),
  groupStatus: (send: Send) => read(send, rcOps.status),
};
