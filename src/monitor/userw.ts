// userw: the user-space stall detector (seed §10.5). The runtime writes to the watchdog
// device from a timer, so writes happen only while its event loop answers; a stall (or
// death) longer than the margin lets softdog reset the server. An orderly stop writes the
// magic 'V' before closing; a shutdown leaves it armed, so a stalled OS shutdown is reset
// too (the shutdown stall monitor of seed §10.6).
import * as fs from 'node:fs';
import { ev } from '../events/ids';
import type { Events } from '../events/types';
import type { Logger } from '../logger';

export class WatchdogKeeper {
  private fd?: number;
  private timer?: NodeJS.Timeout;
  state: 'Normal' | 'Error' | 'Offline' = 'Offline';

  constructor(private readonly device: string, private readonly margin: number, private readonly events: Events, private readonly log: Logger, private readonly name = 'userw') {}

  /** Open the device and start feeding it; an open failure is userw's return 1 (seed §12.5.5). */
  start(): boolean {
    try {
      this.fd = fs.openSync(this.device, 'a');
    } catch (e) {
      this.state = 'Error';
      this.events.emit(ev.rm.monitorFailed, this.name, 1, `Initialize error. (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      return false;
    }
    this.feed();
    this.timer = setInterval(() => this.feed(), Math.max(50, Math.min(1000, this.margin / 4)));
    this.state = 'Normal';
    this.events.emit(ev.rm.monitorStarted, this.name);
    return true;
  }

  private feed(): void {
    if (this.fd === undefined) return;
    try { fs.writeSync(this.fd, '\0'); } catch (e) { this.log.error(`${this.device}: ${(e as Error).message}`); }
  }

  /** Orderly stop: the magic close disarms softdog. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.fd === undefined) return;
    try { fs.writeSync(this.fd, 'V'); } catch { /* closing anyway */ }
    try { fs.closeSync(this.fd); } catch { /* gone */ }
    this.fd = undefined;
    this.state = 'Offline';
    this.events.emit(ev.rm.monitorStopped, this.name);
  }

  /** Before a power action: stop feeding but stay armed, so a stalled shutdown is reset. */
  leaveArmed(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
