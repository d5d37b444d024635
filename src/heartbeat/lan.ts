// LAN heartbeat: UDP, bound only to this server's address on the interconnect, unicast
// to each peer's address on the same interconnect.
import * as dgram from 'node:dgram';
import type { LanHeartbeatConfig } from '../config/types';
import type { Logger } from '../logger';
import type { Transport } from './transport';

export class LanTransport implements Transport {
  usable = false;
  private sock?: dgram.Socket;
  private readonly peers: string[];
  readonly name: string;

  constructor(private readonly hb: LanHeartbeatConfig, private readonly local: string, private readonly log: Logger) {
    this.name = hb.name;
    this.peers = Object.entries(hb.addresses).filter(([s]) => s !== local).map(([, a]) => a);
  }

  start(onPacket: (buf: Buffer) => void): Promise<void> {
    const addr = this.hb.addresses[this.local];
    return new Promise((resolve) => {
      const sock = dgram.createSocket({ type: 'udp4', reuseAddr: false });
      sock.on('message', (msg) => onPacket(msg));
      sock.on('error', (e) => {
        this.log.warn(`${this.name}: ${addr}:${this.hb.port}: ${e.message}`);
        this.usable = false;
        resolve();
      });
      sock.bind({ address: addr, port: this.hb.port, exclusive: true }, () => {
        this.usable = true;
        resolve();
      });
      this.sock = sock;
    });
  }

  send(buf: Buffer): void {
    if (!this.usable || !this.sock) return;
    for (const p of this.peers) this.sock.send(buf, this.hb.port, p, () => { /* unreachable peers are silence */ });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.sock) return resolve();
      try { this.sock.close(() => resolve()); } catch { resolve(); }
      this.sock = undefined;
      this.usable = false;
    });
  }
}
