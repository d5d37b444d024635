// What the virtual pair must wire, read from the cluster configuration: one LAN per LAN
// heartbeat (NIC i of each box, in configuration order, as the image's boot step assigns
// eth<i>), the public one (where the floating IPs live, shared with a client), the mirror
// link, and the COM cable between the second serial ports.
import type { ClusterConfig } from '../../config/types';

export class PairError extends Error {}

export interface Lan { name: string; index: number; subnet: string; public: boolean; mirror: boolean }
export interface Topology {
  servers: string[];
  lans: Lan[];
  com?: string;
  /** The client's address on the public LAN (the ipw target there, else .254). */
  client?: { lan: string; address: string };
}

const subnet24 = (addr: string) => addr.split('/')[0].split('.').slice(0, 3).join('.');

export function topology(c: ClusterConfig): Topology {
  const servers = c.servers.map((s) => s.name);
  if (servers.length !== 2) throw new PairError(`the pair has two servers; the configuration has ${servers.length}`);
  const lanHbs = c.heartbeats.filter((h) => h.type === 'lanhb');
  if (!lanHbs.length) throw new PairError('the configuration has no LAN heartbeat');
  const fips = c.resources.filter((r) => r.type === 'fip').map((r) => subnet24((r as { address: string }).address));
  const mds = c.resources.flatMap((r) => (r.type === 'md' ? Object.values(r.addresses).map(subnet24) : []));
  const lans: Lan[] = lanHbs.map((h, index) => {
    if (h.type !== 'lanhb') throw new PairError('unreachable');
    const subnets = [...new Set(servers.map((s) => h.addresses[s]).filter(Boolean).map(subnet24))];
    if (subnets.length !== 1) throw new PairError(`${h.name}: both servers need an address in one /24 (${subnets.join(', ') || 'none'})`);
    return { name: h.name, index, subnet: subnets[0], public: false, mirror: false };
  });
  (lans.find((l) => fips.includes(l.subnet)) ?? lans[0]).public = true;
  const mirror = lans.find((l) => mds.includes(l.subnet)) ?? lans.find((l) => !l.public);
  if (mirror) mirror.mirror = true;
  const coms = c.heartbeats.filter((h) => h.type === 'comhb');
  if (coms.length > 1) throw new PairError(`one COM cable joins the boxes; the configuration has ${coms.length} COM heartbeats`);
  for (const h of coms) {
    if (h.type !== 'comhb') continue;
    for (const s of servers) if (h.devices[s] !== '/dev/ttyS1') throw new PairError(`${h.name}: the cable is on /dev/ttyS1 of each box, not ${h.devices[s]}`);
  }
  const pub = lans.find((l) => l.public)!;
  const targets = c.monitors.filter((m) => m.type === 'ipw').flatMap((m) => (m.params.targets ?? '').split(',').map((t) => t.trim()).filter(Boolean));
  const address = targets.find((t) => subnet24(t) === pub.subnet) ?? `${pub.subnet}.254`;
  return { servers, lans, com: coms[0]?.name, client: { lan: pub.name, address } };
}

/** The LANs and/or COM cable a `cut`/`plug` argument names: a heartbeat, mirror, or all. */
export function linksOf(t: Topology, name: string): { lans: Lan[]; com: boolean } {
  if (name === 'all') return { lans: t.lans, com: !!t.com };
  if (name === 'mirror') {
    const m = t.lans.filter((l) => l.mirror);
    if (!m.length) throw new PairError('the configuration has no mirror link');
    return { lans: m, com: false };
  }
  const lans = t.lans.filter((l) => l.name === name);
  if (lans.length || name === t.com) return { lans, com: name === t.com };
  throw new PairError(`unknown link '${name}' (${[...t.lans.map((l) => l.name), ...(t.com ? [t.com] : []), 'mirror', 'all'].join(', ')})`);
}
