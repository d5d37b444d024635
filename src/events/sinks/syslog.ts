// syslog sink: `CLUSTERPRO: <type: nm><event: 3> Resource lanhb1 of server server1 up.`
// sent to the system logger socket. Node has no unix datagram sockets, so logger(1)
// writes the datagram, through the platform adapter; sends are serialised so the
// order of events is kept.
import type { Logger } from '../../logger';
import type { Platform } from '../../platform/types';
import type { EventRecord, Sink } from '../bus';

const priority = { INFO: 'info', WARN: 'warning', ERR: 'err' } as const;

export class SyslogSink implements Sink {
  private chain: Promise<void> = Promise.resolve();
  dropped = 0;

  constructor(
    private readonly platform: Platform,
    private readonly socket: string,
    private readonly facility: string,
    private readonly log: Logger,
  ) {}

  static line(rec: EventRecord): string {
    return `<type: ${rec.def.type}><event: ${rec.def.id}> ${rec.text}`;
  }

  deliver(rec: EventRecord): void {
    const args = ['-u', this.socket, '--socket-errors=on', '-t', 'CLUSTERPRO', '-p', `${this.facility}.${priority[rec.def.lvl]}`, '--', SyslogSink.line(rec)];
    this.chain = this.chain.then(async () => {
      const r = await this.platform.run('logger', args, { timeoutMs: 5000 });
      if (r.code !== 0) {
        // Report a broken logger socket once, not once per event.
        if (!this.dropped++) this.log.warn(`syslog: ${this.socket}: ${r.stderr.trim() || `logger exited ${r.code}`} (further drops are counted)`);
      } else this.dropped = 0;
    });
  }

  close(): Promise<void> { return this.chain; }
}
