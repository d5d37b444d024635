// Floating IP resource: the address goes on the interface holding an address of the same
// subnet, only if nobody else answers for it (return 15), then gratuitous ARP tells the
// neighbours where it lives now. Return codes: seed §12.4.1.
// The lookup, the duplicate check, the change and the first announcement go through the
// platform's netlink/packet-socket adapter (no process each: a failover waits for them).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FipResourceConfig } from '../config/types';
import type { Claim, LocalAddress, ProbeWindow } from '../platform/netif';
import { ResourceError, type Resource, type ResourceDeps, type Why } from './types';

export type { LocalAddress } from '../platform/netif';

/** Parse `ip -o -4 addr show` (the lab's softdog reads a namespace's addresses this way). */
export function parseAddresses(out: string): LocalAddress[] {
  const list: LocalAddress[] = [];
  for (const line of out.split('\n')) {
    const m = /^\d+:\s+(\S+?)(?:@\S+)?\s+inet\s+(\d+\.\d+\.\d+\.\d+)\/(\d+)/.exec(line);
    if (m) list.push({ iface: m[1], address: m[2], prefix: Number(m[3]) });
  }
  return list;
}

/** The duplicate check listens 20 ms: two probes 10 ms apart (one lost frame is not a miss),
 * 10 ms after the second. A host that holds the address answers from its kernel's receive
 * path, no process scheduled: on a LAN that takes microseconds to a millisecond (the lab's
 * bridge, host at load 8-10: median 8 µs, worst of 2000 1.2 ms; docs/performance.md), so a
 * reply to the first probe has 16 times the worst seen. The old `arping -w 0.5` waited 25
 * times longer than this on every failover, since a dead holder never answers. */
export const probeWindow: ProbeWindow = { probes: 2, gapMs: 10, waitMs: 10 };

/** After a refusal (return 15) the group waits this long before its next attempt. The
 * holder's answer takes a millisecond: without the pause all active_retry attempts would meet
 * a former holder within milliseconds, before its watchdog resets it (the lab's 6 retries
 * are counted to outlast a 1 s watchdog margin, as they did when each check took 0.5 s). */
export const refusalRetryMs = 500;

/** Announcements after the first: request (-U) and reply (-A) forms, some devices heed only
 * one; three of each, 0.5 s apart, so a lost one or a neighbour that ignores ARP updates for
 * locktime (1 s) after its last one still learns the new holder. */
const repeats: string[][] = [['-U', '-c', '3', '-W', '0.5'], ['-A', '-c', '3', '-W', '0.5']];

const internal = (e: unknown) => {
  const err = e as Error & { errno?: number };
  return new ResourceError(1, `Internal error. (status=${err.errno ?? 1}: ${err.message})`);
};

export class FipResource implements Resource {
  /** Background announcers of the last activation; stopped before the address goes. */
  private announcers: number[] = [];
  private spawning?: NodeJS.Timeout;

  constructor(readonly cfg: FipResourceConfig, private readonly d: ResourceDeps) {}

  private async addresses(): Promise<LocalAddress[]> {
    try { return await this.d.platform.net.addresses(); } catch (e) {
      this.d.log.warn(`${this.cfg.name}: address list: ${(e as Error).message}`);
      throw new ResourceError(14, 'IP address did not exist.');
    }
  }

  /** Does another host answer ping for the address (an interface without ARP)? */
  private async pinged(): Promise<boolean> {
    const p = await this.d.platform.run('ping', ['-n', '-q', '-c', '1', '-W', '1', this.cfg.address], { timeoutMs: 5000 });
    return p.code === 0;
  }

  private async change(add: boolean, iface: string): Promise<void> {
    const net = this.d.platform.net;
    try { await (add ? net.add(iface, this.cfg.address, this.cfg.prefix) : net.remove(iface, this.cfg.address, this.cfg.prefix)); } catch (e) { throw internal(e); }
  }

  async activate(_why: Why): Promise<void> {
    const used = () => new ResourceError(15, `This ip address was already used. IP=${this.cfg.address}`, refusalRetryMs);
    const net = this.d.platform.net;
    // In one call, no event-loop round trip between the steps: is the address here already,
    // the interface (the configured one, else the one on the address's subnet), ARP probes
    // from 0.0.0.0 (no neighbour's cache is touched), the address, the first gratuitous ARP
    // (neighbours that cached the previous holder's MAC switch at once).
    let claimed: Claim;
    try { claimed = await net.claim(this.cfg.interface || '', this.cfg.address, this.cfg.prefix, probeWindow); } catch (e) {
      const err = e as Error & { stage?: string; iface?: string };
      if (err.stage === 'list') {
        this.d.log.warn(`${this.cfg.name}: address list: ${err.message}`);
        throw new ResourceError(14, 'IP address did not exist.');
      }
      if (err.stage === 'pick') throw new ResourceError(17, 'Fip interface was not found.');
      if (err.stage !== 'probe' || !err.iface) throw internal(e);
      this.d.log.info(`${this.cfg.name}: ARP probe on ${err.iface}: ${err.message}; asking with ping`);
      if (await this.pinged()) throw used();
      await this.change(true, err.iface);
      claimed = await net.announce(err.iface, this.cfg.address).then(() => ({ iface: err.iface!, already: false }), (x: Error) => ({ iface: err.iface!, already: false, warning: x.message }));
    }
    if (claimed.already) return;
    const iface = claimed.iface;
    if (claimed.answeredBy) {
      this.d.log.warn(`${this.cfg.name}: ${this.cfg.address} is answered by ${claimed.answeredBy} on ${iface}`);
      throw used();
    }
    if (claimed.warning) this.d.log.warn(`${this.cfg.name}: announcement: ${claimed.warning}`);
    // The repeats go on in the background.
    this.stopAnnouncing();
    // Spawning a repeater blocks the event loop 10-30 ms on a loaded box: a timer lets the
    // group's next resources (the service) start first, they run after this call's promises.
    this.spawning = setTimeout(() => {
      this.spawning = undefined;
      const log = path.join(this.d.paths.log, `fip-${this.cfg.name}.log`);
      fs.mkdirSync(this.d.paths.log, { recursive: true, mode: 0o700 });
      const target = ['-i', iface, '-S', this.cfg.address, this.cfg.address];
      for (const r of repeats) {
        try { this.announcers.push(this.d.platform.daemon('arping', ['-q', ...r, ...target], { logFile: log })); } catch (e) { this.d.log.warn(`${this.cfg.name}: ${(e as Error).message}`); }
      }
    }, 0);
  }

  /** A holder that gave the address up must not go on claiming it. */
  private stopAnnouncing(): void {
    clearTimeout(this.spawning);
    this.spawning = undefined;
    for (const pid of this.announcers) this.d.platform.signal(pid, 'SIGKILL', true);
    this.announcers = [];
  }

  async deactivate(_why: Why): Promise<void> {
    this.stopAnnouncing();
    const here = (await this.addresses()).find((a) => a.address === this.cfg.address);
    if (!here) return;
    await this.change(false, here.iface);
  }
}
