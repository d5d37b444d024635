// COM heartbeat over a null-modem serial line. Frames on the byte stream:
//   0xA5 0x5A, length u16 BE, packet; a reader resynchronises on the marker, so line
// noise costs at most the frames it hits. The device is reopened after any error,
// which is how a re-plugged cable (or the lab's new pty) comes back.
import * as fs from 'node:fs';
import { SerialPort } from 'serialport';
import type { ComHeartbeatConfig } from '../config/types';
import { ev } from '../events/ids';
import type { Events } from '../events/types';
import type { Logger } from '../logger';
import type { Transport } from './transport';

const SYNC = Buffer.from([0xa5, 0x5a]);
const MAX_FRAME = 4096;

export function frame(packet: Buffer): Buffer {
  const h = Buffer.alloc(4);
  SYNC.copy(h);
  h.writeUInt16BE(packet.length, 2);
  return Buffer.concat([h, packet]);
}

/** Accumulates bytes and yields whole frames; garbage is skipped. */
export class Deframer {
  private buf = Buffer.alloc(0);
  push(chunk: Buffer): Buffer[] {
    this.buf = Buffer.concat([this.buf, chunk]);
    const out: Buffer[] = [];
    for (;;) {
      const at = this.buf.indexOf(SYNC);
      if (at < 0) { this.buf = this.buf.subarray(Math.max(0, this.buf.length - 1)); return out; }
      if (at > 0) this.buf = this.buf.subarray(at);
      if (this.buf.length < 4) return out;
      const len = this.buf.readUInt16BE(2);
      if (len === 0 || len > MAX_FRAME) { this.buf = this.buf.subarray(2); continue; }
      if (this.buf.length < 4 + len) return out;
      out.push(Buffer.from(this.buf.subarray(4, 4 + len)));
      this.buf = this.buf.subarray(4 + len);
    }
  }
}

export class ComTransport implements Transport {
  usable = false;
  readonly name: string;
  private port?: SerialPort;
  private opening = false;
  private stopped = false;
  private onPacket: (buf: Buffer) => void = () => {};
  private lastError = '';

  constructor(private readonly hb: ComHeartbeatConfig, private readonly local: string, private readonly events: Events, private readonly log: Logger) {
    this.name = hb.name;
  }

  get device(): string { return this.hb.devices[this.local]; }

  async start(onPacket: (buf: Buffer) => void): Promise<void> {
    this.onPacket = onPacket;
    await this.open();
  }

  private report(kind: 'missing' | 'open', msg: string): void {
    const key = `${kind}:${msg}`;
    if (key === this.lastError) return; // report a persisting problem once
    this.lastError = key;
    if (kind === 'missing') this.events.emit(ev.comhb.deviceMissing, this.device);
    else this.events.emit(ev.comhb.openFailed, this.device);
    this.log.warn(`${this.name}: ${this.device}: ${msg}`);
  }

  private open(): Promise<void> {
    if (this.opening || this.stopped) return Promise.resolve();
    if (!fs.existsSync(this.device)) { this.usable = false; this.report('missing', 'no such device'); return Promise.resolve(); }
    this.opening = true;
    return new Promise((resolve) => {
      const port = new SerialPort({ path: this.device, baudRate: this.hb.baudRate, autoOpen: false });
      const deframer = new Deframer();
      port.on('data', (chunk: Buffer) => { for (const f of deframer.push(chunk)) this.onPacket(f); });
      const lost = () => { if (this.port === port) { this.port = undefined; this.usable = false; } };
      port.on('close', lost);
      port.on('error', (e) => { this.log.debug(`${this.name}: ${e.message}`); lost(); });
      port.open((err) => {
        this.opening = false;
        if (err) { this.usable = false; this.report('open', err.message); port.removeAllListeners(); }
        else { this.port = port; this.usable = true; this.lastError = ''; }
        resolve();
      });
    });
  }

  send(buf: Buffer): void {
    if (!this.port) { void this.open(); return; }
    // A peer that is gone leaves the pty without a reader: never let writes queue up.
    if (this.port.writableLength > MAX_FRAME) return;
    this.port.write(frame(buf), (err) => { if (err) this.log.debug(`${this.name}: write: ${err.message}`); });
  }

  stop(): Promise<void> {
    this.stopped = true;
    return new Promise((resolve) => {
      const p = this.port;
      this.port = undefined;
      this.usable = false;
      if (!p || !p.isOpen) return resolve();
      p.close(() => resolve());
    });
  }
}
