// Serving configuration distribution: this server's part of a push (prepare, commit, abort),
// its copy for a pull or a peer catching up, and the local push that runs the two phases
// across the pair. A push is refused unless the servers are in the state its reflect method
// needs (suspended, or stopped), so that the next resume or start takes the change: clpcfctrl
// never reports success for a change that could silently stay without effect.
import { loadKey, parseConfig } from '../config';
import { generationOf, withGeneration } from '../config/generation';
import { describeChange, diffConfigs } from '../config/reflect';
import { call, toServer, type ControlRegistry } from '../control/op';
import type { ControlReply, PeerControl } from '../control/types';
import { unwrapKey, wrapKey } from './keywrap';
import { cfgOps, type CfgCopy, type CfgStatus, type Plan } from './protocol';
import type { ConfigStore } from './store';

/** How long a server may take to answer cfg.status before it counts as down. */
const STATUS_MS = 5000;

export interface CfgDeps {
  store: ConfigStore;
  /** The cluster key in use (the peer channel's). */
  key: () => Buffer;
  /** The clp.conf text in effect here (what a reflect method last applied). */
  applied: () => string;
  /** A committed change that needs no more than an upload is in effect at once. */
  setApplied: (text: string) => void;
  peer: PeerControl;
  local: string;
  servers: string[];
  daemon: () => { running: boolean; suspended: boolean };
  restart: (method: 'alertsync' | 'webmgr') => Promise<ControlReply>;
}

const fail = (code: number, message: string): ControlReply => ({ code, message });

function keyOnDisk(d: CfgDeps): Buffer {
  return loadKey(parseConfig(d.store.text(), d.store.configFile));
}

export function serveCfgOps(reg: ControlRegistry, d: CfgDeps): void {
  const status = (): CfgStatus => ({ server: d.local, generation: d.store.generation(), daemon: d.daemon().running ? 'running' : 'stopped', suspended: d.daemon().suspended });
  reg.serve(cfgOps.status, async () => ({ code: 0, data: status() }));
  reg.serve(cfgOps.get, async (_a, origin) => {
    const text = d.store.text();
    const key = keyOnDisk(d);
    const copy: CfgCopy = origin.local ? { generation: generationOf(text), text, keyBase64: key.toString('base64') } : { generation: generationOf(text), text, key: wrapKey(d.key(), key) };
    return { code: 0, data: copy };
  });
  reg.serve(cfgOps.prepare, async (a) => {
    let key: Buffer | undefined;
    if (a.key) {
      const k = unwrapKey(d.key(), a.key);
      if (typeof k === 'string') return fail(1, k);
      key = k;
    }
    const why = d.store.prepare(a.text, a.generation, key);
    return why ? fail(1, why) : { code: 0 };
  });
  const commit = (generation: number): ControlReply => {
    const why = d.store.commit(generation);
    if (why) return fail(1, why);
    // The side restarts (alert sync, web manager) follow from the push itself.
    const text = d.store.text();
    if (diffConfigs(d.applied(), text).method === 'upload') d.setApplied(text);
    return { code: 0 };
  };
  reg.serve(cfgOps.commit, async (a) => commit(a.generation));
  reg.serve(cfgOps.abort, async (a) => { d.store.abort(a.generation); return { code: 0 }; });
  reg.serve(cfgOps.restart, async (a) => d.restart(a.method));

  const others = () => d.servers.filter((s) => s !== d.local);
  /** Every other server's status, or undefined for those that do not answer. */
  const statuses = async () => Promise.all(others().map(async (s) => {
    try {
      const r = await call(toServer(d.peer, s), cfgOps.status, {}, STATUS_MS);
      return r.code === 0 && r.data ? r.data : undefined;
    } catch { return undefined; }
  }));
  async function plan(text: string, keyBase64?: string): Promise<Plan | string> {
    try { parseConfig(text, d.store.configFile); } catch (e) { return (e as Error).message; }
    const st = await statuses();
    const down = others().filter((_, i) => !st[i]);
    const generation = Math.max(d.store.generation(), ...st.map((s) => s?.generation ?? 0));
    const given = generationOf(text);
    if (given < generation) return `the configuration is of generation ${given}, older than the cluster's ${generation}: pull the current one (clpcfctrl --pull) and change that`;
    const next = given > generation ? given : generation + 1;
    const diff = diffConfigs(d.applied(), text);
    const keyChanged = keyBase64 !== undefined && !Buffer.from(keyBase64, 'base64').equals(keyOnDisk(d));
    // A new key is read with the process: the peer channel and the heartbeats.
    const method = keyChanged ? 'reboot' : diff.method;
    return { generation, next, method, extras: method === 'reboot' ? [] : diff.extras, changes: diff.changes.filter((c) => c.key !== 'generation'), keyChanged, down };
  }
  reg.serve(cfgOps.plan, async (a) => {
    const p = await plan(a.text);
    return typeof p === 'string' ? fail(1, p) : { code: 0, data: p };
  });

  reg.serve(cfgOps.push, async (a) => {
    const p = await plan(a.text, a.keyBase64);
    if (typeof p === 'string') return fail(1, p);
    if (p.down.length && p.keyChanged) return fail(1, `${p.down.join(', ')} cannot be reached: a new cluster key needs every server up (it could not talk to the others after it)`);
    if (p.down.length && !a.force) return fail(1, `${p.down.join(', ')} cannot be reached; push with --force to give the others the new configuration (${p.down.join(', ')} takes it when it starts again)`);
    const up = [d.local, ...others().filter((s) => !p.down.includes(s))];
    // The state the method needs on every server reached, so that its next step applies the change.
    const st = [status(), ...(await statuses()).filter((s): s is CfgStatus => !!s)];
    for (const s of st) {
      if ((p.method === 'daemon' || p.method === 'reboot') && s.daemon === 'running') return fail(1, `${s.server}: the cluster daemon is running, and the change needs ${p.method === 'daemon' ? 'a cluster daemon stop/start' : 'a cluster shutdown and reboot'}: stop it first (clpcl -t -a)\n${p.changes.filter((c) => c.method === p.method).map(describeChange).join('\n')}`);
      if (p.method === 'suspend' && s.daemon === 'running' && !s.suspended) return fail(1, `${s.server}: the cluster daemon is not suspended, and the change needs a suspend/resume: suspend it first (clpcl --suspend)`);
    }
    const text = withGeneration(a.text, p.next);
    const newKey = p.keyChanged ? Buffer.from(a.keyBase64!, 'base64') : undefined;
    const prepared: string[] = [];
    const errors: string[] = [];
    for (const s of up) {
      let r: ControlReply;
      try {
        r = s === d.local
          ? (() => { const why = d.store.prepare(text, p.next, newKey); return why ? fail(1, why) : { code: 0 }; })()
          : await call(toServer(d.peer, s), cfgOps.prepare, { text, generation: p.next, key: newKey && wrapKey(d.key(), newKey) });
      } catch (e) { r = fail(1, (e as Error).message); }
      if (r.code) errors.push(`${s}: ${r.message}`); else prepared.push(s);
    }
    if (errors.length) {
      for (const s of prepared) {
        if (s === d.local) d.store.abort(p.next);
        else await call(toServer(d.peer, s), cfgOps.abort, { generation: p.next }).catch(() => undefined);
      }
      return fail(1, `no server took the configuration:\n${errors.join('\n')}`);
    }
    for (const s of up) {
      let r: ControlReply;
      try {
        r = s === d.local ? commit(p.next) : await call(toServer(d.peer, s), cfgOps.commit, { generation: p.next });
      } catch (e) { r = fail(1, (e as Error).message); }
      // Prepared everywhere: a server that missed the commit takes it from the others at its next start.
      if (r.code) errors.push(`${s}: commit: ${r.message}`);
    }
    for (const method of p.extras) {
      for (const s of up) {
        let r: ControlReply;
        try { r = s === d.local ? await d.restart(method) : await call(toServer(d.peer, s), cfgOps.restart, { method }); } catch (e) { r = fail(1, (e as Error).message); }
        if (r.code) errors.push(`${s}: ${method} restart: ${r.message}`);
      }
    }
    return errors.length ? fail(1, `the configuration of generation ${p.next} is pushed, but not in effect:\n${errors.join('\n')}`) : { code: 0, data: p };
  });
}

/** At a start of the cluster daemon: take a newer configuration from another server (this one
 * was down during a push). Returns what was done, for the log. */
export async function catchUp(d: Pick<CfgDeps, 'store' | 'key' | 'peer' | 'local' | 'servers'>): Promise<string | undefined> {
  let best: { server: string; generation: number } | undefined;
  for (const s of d.servers.filter((x) => x !== d.local)) {
    try {
      const r = await call(toServer(d.peer, s), cfgOps.status, {}, STATUS_MS);
      if (r.code === 0 && r.data && r.data.generation > (best?.generation ?? d.store.generation())) best = { server: s, generation: r.data.generation };
    } catch { /* down: nothing to take from it */ }
  }
  if (!best) return undefined;
  const r = await call(toServer(d.peer, best.server), cfgOps.get, {});
  if (r.code || !r.data?.key) return `${best.server} has generation ${best.generation} but did not give it: ${r.message ?? 'no key'}`;
  const key = unwrapKey(d.key(), r.data.key);
  if (typeof key === 'string') return `generation ${best.generation} from ${best.server}: ${key}`;
  const current = (() => { try { return loadKey(parseConfig(d.store.text(), d.store.configFile)); } catch { return undefined; } })();
  const why = d.store.prepare(r.data.text, r.data.generation, current?.equals(key) ? undefined : key) ?? d.store.commit(r.data.generation);
  return why ? `generation ${r.data.generation} from ${best.server} refused: ${why}` : `took the configuration of generation ${r.data.generation} from ${best.server}`;
}
