// Disk heartbeat: a shared partition (or, in the lab, a shared file) holding one slot per
// server. We write our packet into our slot and read the others' each interval; a slot
// that does not change is silence (the codec's sequence check drops it). The device is
// opened per cycle, so a replaced device node (the lab's cut) takes effect at once.
// Writes use O_DSYNC. Reads still go through the page cache: right for the lab's shared
// file; a real shared disk between two boxes needs O_DIRECT reads (an aligned-buffer
// addon, not written yet: see issue 2's note).
import * as fs from 'node:fs';
import type { DiskHeartbeatConfig } from '../config/types';
import type { Events } from '../events/types';
import type { Logger } from '../logger';
import type { Transport } from './transport';

export class DiskTransport implements Transport {
  usable = false;
  readonly name: string;
  private onPacket: (buf: Buffer) => void = () => {};
  private reported = '';

  constructor(
    private readonly hb: DiskHeartbeatConfig,
    private readonly local: string,
    private readonly localIndex: number,
    private readonly servers: number,
    private readonly events: Events,
    private readonly log: Logger,
  ) {
    this.name = hb.name;
  }

  get device(): string { return this.hb.devices[this.local]; }

  async start(onPacket: (buf: Buffer) => void): Promise<void> {
    this.onPacket = onPacket;
    this.check();
  }

  /** diskhb events 10/11 for a device that is missing or of the wrong kind. */
  private check(): boolean {
    let why = '';
    try {
      const st = fs.statSync(this.device);
      if (!st.isBlockDevice() && !st.isFile()) why = 'not-block';
    } catch { why = 'missing'; }
    if (why && why !== this.reported) {
      this.events.emit('diskhb', why === 'missing' ? 10 : 11, this.device, this.name);
      this.log.warn(`${this.name}: ${this.device}: ${why === 'missing' ? 'does not exist' : 'is not a block device'}`);
    }
    this.reported = why;
    this.usable = !why;
    return this.usable;
  }

  private slot(i: number): number { return this.hb.offset + i * this.hb.slotSize; }

  send(buf: Buffer): void {
    if (!this.check()) return;
    if (buf.length + 2 > this.hb.slotSize) { this.log.error(`${this.name}: packet of ${buf.length} bytes does not fit a ${this.hb.slotSize}-byte slot`); return; }
    const block = Buffer.alloc(this.hb.slotSize);
    block.writeUInt16BE(buf.length, 0);
    buf.copy(block, 2);
    try {
      const fd = fs.openSync(this.device, fs.constants.O_WRONLY | fs.constants.O_DSYNC);
      try { fs.writeSync(fd, block, 0, block.length, this.slot(this.localIndex)); } finally { fs.closeSync(fd); }
    } catch (e) {
      this.usable = false;
      this.log.warn(`${this.name}: write ${this.device}: ${(e as Error).message}`);
    }
  }

  poll(): void {
    if (!this.usable) return;
    let fd: number;
    try { fd = fs.openSync(this.device, fs.constants.O_RDONLY); } catch { this.usable = false; return; }
    try {
      const block = Buffer.alloc(this.hb.slotSize);
      for (let i = 0; i < this.servers; i++) {
        if (i === this.localIndex) continue;
        const n = fs.readSync(fd, block, 0, block.length, this.slot(i));
        if (n < 2) continue;
        const len = block.readUInt16BE(0);
        if (len === 0 || len + 2 > n) continue;
        this.onPacket(Buffer.from(block.subarray(2, 2 + len)));
      }
    } catch (e) {
      this.log.warn(`${this.name}: read ${this.device}: ${(e as Error).message}`);
    } finally {
      fs.closeSync(fd);
    }
  }

  async stop(): Promise<void> { this.usable = false; }
}
