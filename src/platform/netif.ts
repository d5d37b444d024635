// IPv4 addresses and ARP without a process per step, from the native addon native/netif
// (built into dist/native by scripts/build-native.sh): the floating IP's lookup, duplicate
// check, change and announcement each cost a spawn of `ip` or `arping` (10-100 ms on a loaded
// box) before; through netlink and a packet socket they cost well under a millisecond.
import * as path from 'node:path';

export interface LocalAddress { iface: string; address: string; prefix: number }

/** When the duplicate-address probe sends and how long it listens. */
export interface ProbeWindow { probes: number; gapMs: number; waitMs: number }

export interface NetIf {
  addresses(): Promise<LocalAddress[]>;
  add(iface: string, address: string, prefix: number): Promise<void>;
  remove(iface: string, address: string, prefix: number): Promise<void>;
  /** The MAC of a host that answers for (or is probing) `address`, or undefined. */
  probe(iface: string, address: string, w: ProbeWindow): Promise<string | undefined>;
  /** One gratuitous ARP request for `address` from `iface`. */
  announce(iface: string, address: string): Promise<void>;
  /** The address list, probe() and, if nobody answered, add() and announce(), on one thread:
   * the address is up as soon as the window ends, however busy the event loop. iface '':
   * the interface holding an address of the same subnet. A failure's error has `stage`
   * ('list', 'pick', 'probe', 'add') and `iface`; a failed announcement is a warning. */
  claim(iface: string, address: string, prefix: number, w: ProbeWindow): Promise<Claim>;
}

export interface Claim { iface: string; already: boolean; answeredBy?: string; warning?: string }

type Op = 'list' | 'add' | 'del' | 'probe' | 'announce' | 'claim';
interface Addon {
  call(op: Op, netns: string, iface: string, address: string, prefix: number, probes: number, gapMs: number, waitMs: number,
    cb: (e: (Error & { errno?: number; stage?: string }) | null, r: unknown) => void): void;
}

export const netifAddonPath = path.resolve(__dirname, '..', '..', 'dist', 'native', 'netif.node');

/** The addon's calls in this process's network namespace, or (netns: a name under
 * /run/netns, tests) in another one. If the addon cannot load, every call says why. */
export function loadNetIf(netns = '', file = netifAddonPath): NetIf {
  let a: Addon | undefined, why = '';
  try { a = require(file) as Addon; } catch (e) { why = `netif addon ${file}: ${(e as Error).message}`; }
  const ns = netns && !netns.includes('/') ? `/run/netns/${netns}` : netns;
  const call = <R>(op: Op, iface = '', address = '', prefix = 0, w: ProbeWindow = { probes: 0, gapMs: 0, waitMs: 0 }) =>
    new Promise<R>((res, rej) => {
      if (!a) { rej(new Error(why)); return; }
      a.call(op, ns, iface, address, prefix, w.probes, w.gapMs, w.waitMs, (e, r) => (e ? rej(e) : res(r as R)));
    });
  return {
    addresses: () => call<LocalAddress[]>('list'),
    add: (iface, address, prefix) => call<void>('add', iface, address, prefix),
    remove: (iface, address, prefix) => call<void>('del', iface, address, prefix),
    probe: async (iface, address, w) => (await call<string | null>('probe', iface, address, 0, w)) ?? undefined,
    announce: (iface, address) => call<void>('announce', iface, address),
    claim: (iface, address, prefix, w) => call<Claim>('claim', iface, address, prefix, w),
  };
}
