// The ops of configuration distribution (the seed's clpcfctrl): a push is two-phase, prepare on
// every server then commit on every server, so that both hold the new configuration or neither
// does; a server refuses a generation not newer than its own. Peers use status/get to catch up.
import { defineOp, LONG_OP_MS, noArgs, type OpArgs } from '../control/op';
import type { KeyChange, SideMethod } from '../config/reflect';
import type { Reflect } from '../config/schema';
import { isWrappedKey, type WrappedKey } from './keywrap';

/** Largest clp.conf a push carries (the peer channel's reply limit is 1 MiB). */
export const MAX_CONFIG_BYTES = 256 * 1024;

export interface CfgStatus { server: string; generation: number; daemon: 'running' | 'stopped'; suspended: boolean }
export interface CfgCopy { generation: number; text: string; /** Peers: encrypted with the cluster key. */ key?: WrappedKey; /** Local socket (root only): base64. */ keyBase64?: string }
export interface Plan { generation: number; next: number; method: Reflect; extras: SideMethod[]; changes: KeyChange[]; keyChanged: boolean; down: string[] }
export interface PushArgs { text: string; keyBase64?: string; force: boolean }
export interface PrepareArgs { text: string; generation: number; key?: WrappedKey }

const text = (a: OpArgs): string | undefined => (typeof a.text === 'string' ? a.text : undefined);
function checkText(a: OpArgs): string {
  const t = text(a);
  if (t === undefined) return 'text must be the clp.conf text';
  if (Buffer.byteLength(t) > MAX_CONFIG_BYTES) return `the configuration is ${Buffer.byteLength(t)} bytes; at most ${MAX_CONFIG_BYTES}`;
  return '';
}
const generation = (a: OpArgs) => (typeof a.generation === 'number' && Number.isInteger(a.generation) && a.generation >= 0 ? a.generation : undefined);
const keyBase64 = (a: OpArgs): string | undefined | false => (a.keyBase64 === undefined ? undefined : typeof a.keyBase64 === 'string' && /^[A-Za-z0-9+/=]{1,1400}$/.test(a.keyBase64) ? a.keyBase64 : false);

export const cfgOps = {
  status: defineOp<Record<string, never>, CfgStatus>('cfg.status', noArgs),
  get: defineOp<Record<string, never>, CfgCopy>('cfg.get', noArgs),
  /** What pushing this text would do: the generation, the reflect method, unreachable servers. */
  plan: defineOp<{ text: string }, Plan>('cfg.plan', (a) => checkText(a) || { text: text(a)! }, { from: 'local' }),
  push: defineOp<PushArgs, Plan>('cfg.push', (a) => {
    const bad = checkText(a);
    if (bad) return bad;
    const k = keyBase64(a);
    if (k === false) return 'keyBase64 must be the cluster key in base64 (at most 1 KiB)';
    return { text: text(a)!, keyBase64: k, force: a.force === true };
  }, { from: 'local', timeoutMs: LONG_OP_MS }),
  prepare: defineOp<PrepareArgs>('cfg.prepare', (a) => {
    const bad = checkText(a);
    if (bad) return bad;
    const g = generation(a);
    if (g === undefined) return 'generation must be a non-negative integer';
    if (a.key !== undefined && !isWrappedKey(a.key)) return 'key must be an encrypted key {salt, iv, data, tag}';
    return { text: text(a)!, generation: g, key: a.key as WrappedKey | undefined };
  }, { from: 'peer' }),
  commit: defineOp<{ generation: number }>('cfg.commit', (a) => {
    const g = generation(a);
    return g === undefined ? 'generation must be a non-negative integer' : { generation: g };
  }, { from: 'peer' }),
  abort: defineOp<{ generation: number }>('cfg.abort', (a) => {
    const g = generation(a);
    return g === undefined ? 'generation must be a non-negative integer' : { generation: g };
  }, { from: 'peer' }),
  /** Restart what re-reads clp.conf for a side method here: alert sync (§6.1.2) or the web manager (§6.1.3). */
  restart: defineOp<{ method: 'alertsync' | 'webmgr' }>('cfg.restart', (a) => (a.method === 'alertsync' || a.method === 'webmgr' ? { method: a.method } : "method must be 'alertsync' or 'webmgr'"), { timeoutMs: 120000 }),
};
