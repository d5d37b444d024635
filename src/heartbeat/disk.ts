// Disk heartbeat: a shared partition (or, in the lab, a shared file) holding one slot per
// server. We write our packet into our slot and read the whole slot area each interval; a
// slot that does not change is silence (the codec's sequence check drops it).
// I/O bypasses the page cache (O_DIRECT through native/directio) so that a write by the
// other box, which this kernel never saw, is read. Where O_DIRECT is impossible (tmpfs, the
// addon missing) it falls back to buffered I/O and says so (diskhb events 12/13): correct
// only when both servers share one kernel, as in the lab. Each I/O opens the device anew,
// so a replaced device node (the lab's cut) takes effect at once, and runs off the event
// loop, so a hung disk stalls only this heartbeat.
import * as fs from 'node:fs';
import type { DiskHeartbeatConfig } from '../config/types';
import { ev } from '../events/ids';
import type { Events } from '../events/types';
import type { Logger } from '../logger';
import { addonPath, type DirectIO } from './directio';
import type { Transport } from './transport';

/** Buffered positioned I/O, for when O_DIRECT cannot be had. */
const buffered: DirectIO = {
  read: (f, o, n) => fs.promises.open(f, 'r').then(async (h) => {
    try { const b = Buffer.alloc(n); const { bytesRead } = await h.read(b, 0, n, o); return b.subarray(0, bytesRead); } finally { await h.close(); }
  }),
  write: (f, o, d) => fs.promises.open(f, fs.constants.O_WRONLY | fs.constants.O_DSYNC).then(async (h) => {
    try { await h.write(d, 0, d.length, o); } finally { await h.close(); }
  }),
  blockSize: () => 512,
};

export class DiskTransport implements Transport {
  usable = false;
  readonly name: string;
  private onPacket: (buf: Buffer) => void = () => {};
  private reported = '';
  private io: DirectIO;
  private writing = false;
  private reading = false;
  private stopped = false;
  /** Intervals skipped because the previous I/O had not finished (a slow or hung disk). */
  stalled = 0;

  constructor(
    private readonly hb: DiskHeartbeatConfig,
    private readonly local: string,
    private readonly localIndex: number,
    private readonly servers: number,
    private readonly events: Events,
    private readonly log: Logger,
    direct: DirectIO | Error,
  ) {
    this.name = hb.name;
    if (direct instanceof Error) {
      this.events.emit(ev.diskhb.rawDeviceMissing, addonPath, this.name);
      this.log.error(`${this.name}: direct I/O addon unusable (${direct.message}); the page cache is NOT bypassed`);
      this.io = buffered;
    } else this.io = direct;
  }

  get device(): string { return this.hb.devices[this.local]; }

  async start(onPacket: (buf: Buffer) => void): Promise<void> {
    this.onPacket = onPacket;
    this.stopped = false;
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
      this.events.emit(why === 'missing' ? ev.diskhb.deviceMissing : ev.diskhb.notBlockDevice, this.device, this.name);
      this.log.warn(`${this.name}: ${this.device}: ${why === 'missing' ? 'does not exist' : 'is not a block device'}`);
    }
    this.reported = why;
    this.usable = !why;
    return this.usable;
  }

  private slot(i: number): number { return this.hb.offset + i * this.hb.slotSize; }

  /** O_DIRECT refused by the file system (EINVAL at open): fall back once, loudly. */
  private failed(op: string, e: NodeJS.ErrnoException): void {
    if (e.code === 'EINVAL' && /: open: /.test(e.message) && this.io !== buffered) {
      this.events.emit(ev.diskhb.rawBindFailed, this.device, this.name, 'O_DIRECT');
      this.log.error(`${this.name}: ${this.device} refuses O_DIRECT; using buffered I/O (only right when both servers share one kernel)`);
      this.io = buffered;
      return;
    }
    this.usable = false;
    this.log.warn(`${this.name}: ${op} ${this.device}: ${e.message}`);
  }

  send(buf: Buffer): void {
    if (this.stopped || !this.check()) return;
    if (buf.length + 2 > this.hb.slotSize) { this.log.error(`${this.name}: packet of ${buf.length} bytes does not fit a ${this.hb.slotSize}-byte slot`); return; }
    if (this.writing) { this.stalled++; return; }
    const block = Buffer.alloc(this.hb.slotSize);
    block.writeUInt16BE(buf.length, 0);
    buf.copy(block, 2);
    this.writing = true;
    this.io.write(this.device, this.slot(this.localIndex), block)
      .catch((e) => this.failed('write', e))
      .finally(() => { this.writing = false; });
  }

  poll(): void {
    if (this.stopped || !this.usable) return;
    if (this.reading) { this.stalled++; return; }
    this.reading = true;
    const size = this.hb.slotSize;
    this.io.read(this.device, this.hb.offset, size * this.servers)
      .then((area) => {
        if (this.stopped) return;
        for (let i = 0; i < this.servers; i++) {
          if (i === this.localIndex || area.length < (i + 1) * size) continue;
          const len = area.readUInt16BE(i * size);
          if (len === 0 || len + 2 > size) continue;
          this.onPacket(Buffer.from(area.subarray(i * size + 2, i * size + 2 + len)));
        }
      })
      .catch((e) => this.failed('read', e))
      .finally(() => { this.reading = false; });
  }

  async stop(): Promise<void> { this.stopped = true; this.usable = false; }
}
