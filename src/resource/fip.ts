// Floating IP resource: the address goes on the interface holding an address of the same
// subnet, only if nobody else answers for it (return 15), then gratuitous ARP tells the
// neighbours where it lives now. Return codes: seed §12.4.1.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FipResourceConfig } from '../config/types';
import { ResourceError, type Resource, type ResourceDeps, type Why } from './types';

const toInt = (a: string) => a.split('.').reduce((n, o) => (n * 256) + Number(o), 0);
const sameSubnet = (a: string, b: string, prefix: number) => {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return ((toInt(a) & mask) >>> 0) === ((toInt(b) & mask) >>> 0);
};

export interface LocalAddress { iface: string; address: string; prefix: number }

/** Parse `ip -o -4 addr show`. */
export function parseAddresses(out: string): LocalAddress[] {
  const list: LocalAddress[] = [];
  for (const line of out.split('\n')) {
    const m = /^\d+:\s+(\S+?)(?:@\S+)?\s+inet\s+(\d+\.\d+\.\d+\.\d+)\/(\d+)/.exec(line);
    if (m) list.push({ iface: m[1], address: m[2], prefix: Number(m[3]) });
  }
  return list;
}

/** Announcements after the first: request (-U) and reply (-A) forms, some devices heed only
 * one; three of each, 0.5 s apart, so a lost one or a neighbour that ignores ARP updates for
 * locktime (1 s) after its last one still learns the new holder. */
const repeats: string[][] = [['-U', '-c', '3', '-W', '0.5'], ['-A', '-c', '3', '-W', '0.5']];

export class FipResource implements Resource {
  /** Background announcers of the last activation; stopped before the address goes. */
  private announcers: number[] = [];

  constructor(readonly cfg: FipResourceConfig, private readonly d: ResourceDeps) {}

  private async addresses(): Promise<LocalAddress[]> {
    const r = await this.d.platform.run('ip', ['-o', '-4', 'addr', 'show'], { timeoutMs: 10000 });
    if (r.code !== 0) throw new ResourceError(14, 'IP address did not exist.');
    return parseAddresses(r.stdout);
  }

  /** The interface for the address: the configured one, else the one on the same subnet. */
  private pick(list: LocalAddress[]): string {
    if (this.cfg.interface) {
      if (!list.some((a) => a.iface === this.cfg.interface)) throw new ResourceError(17, 'Fip interface was not found.');
      return this.cfg.interface;
    }
    const own = list.find((a) => a.address !== this.cfg.address && sameSubnet(a.address, this.cfg.address, a.prefix));
    if (!own) throw new ResourceError(17, 'Fip interface was not found.');
    return own.iface;
  }

  /** Does another host answer for the address? arping from 0.0.0.0 (no cache is touched), else ping. */
  private async answered(iface: string): Promise<boolean> {
    const a = await this.d.platform.run('arping', ['-q', '-0', '-c', '2', '-W', '0.2', '-w', '0.5', '-i', iface, this.cfg.address], { timeoutMs: 5000 });
    if (a.code === 0) return true;
    if (a.code === 1) return false;
    const p = await this.d.platform.run('ping', ['-n', '-q', '-c', '1', '-W', '1', this.cfg.address], { timeoutMs: 5000 });
    return p.code === 0;
  }

  async activate(_why: Why): Promise<void> {
    const list = await this.addresses();
    if (list.some((a) => a.address === this.cfg.address)) return; // already here
    const iface = this.pick(list);
    if (await this.answered(iface)) throw new ResourceError(15, `This ip address was already used. IP=${this.cfg.address}`);
    const r = await this.d.platform.run('ip', ['addr', 'add', `${this.cfg.address}/${this.cfg.prefix}`, 'dev', iface], { timeoutMs: 10000 });
    if (r.code !== 0) throw new ResourceError(r.code, `Internal error. (status=${r.code}: ${r.stderr.trim()})`);
    // Gratuitous ARP: neighbours that cached the previous holder's MAC update it now. One
    // before returning (neighbours switch at once), the repeats in the background.
    const target = ['-i', iface, '-S', this.cfg.address, this.cfg.address];
    await this.d.platform.run('arping', ['-q', '-U', '-c', '1', '-w', '0.05', ...target], { timeoutMs: 5000 });
    this.stopAnnouncing();
    const log = path.join(this.d.paths.log, `fip-${this.cfg.name}.log`);
    fs.mkdirSync(this.d.paths.log, { recursive: true, mode: 0o700 });
    for (const r of repeats) {
      try { this.announcers.push(this.d.platform.daemon('arping', ['-q', ...r, ...target], { logFile: log })); } catch (e) { this.d.log.warn(`${this.cfg.name}: ${(e as Error).message}`); }
    }
  }

  /** A holder that gave the address up must not go on claiming it. */
  private stopAnnouncing(): void {
    for (const pid of this.announcers) this.d.platform.signal(pid, 'SIGKILL', true);
    this.announcers = [];
  }

  async deactivate(_why: Why): Promise<void> {
    this.stopAnnouncing();
    const here = (await this.addresses()).find((a) => a.address === this.cfg.address);
    if (!here) return;
    const r = await this.d.platform.run('ip', ['addr', 'del', `${this.cfg.address}/${this.cfg.prefix}`, 'dev', here.iface], { timeoutMs: 10000 });
    if (r.code !== 0) throw new ResourceError(r.code, `Internal error. (status=${r.code}: ${r.stderr.trim()})`);
  }
}
