// An in-memory heartbeat link for tests: packets sent on one end reach whatever end is
// attached as `other`, on the next turn of the event loop.
import type { Transport } from '../../src/heartbeat/transport';

export class Wire implements Transport {
  readonly name = 'lanhb1';
  usable = true;
  other?: Wire;
  private deliver?: (buf: Buffer) => void;
  async start(onPacket: (buf: Buffer) => void): Promise<void> { this.deliver = onPacket; }
  send(buf: Buffer): void { const o = this.other; setImmediate(() => o?.deliver?.(buf)); }
  async stop(): Promise<void> { this.deliver = undefined; }
}
