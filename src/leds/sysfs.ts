// The Linux LED class (/sys/class/leds/<name>/): steady = trigger none + brightness,
// blinking = the timer trigger with delay_on/delay_off. Writes are plain file writes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LedSetting } from './mapping';

export class LedError extends Error {}

export class LedClass {
  constructor(private readonly root: string) {}

  private file(name: string, attr: string): string { return path.join(this.root, name, attr); }

  exists(name: string): boolean { return fs.existsSync(this.file(name, 'brightness')); }

  private write(name: string, attr: string, value: string): void {
    try { fs.writeFileSync(this.file(name, attr), value); } catch (e) { throw new LedError(`LED ${name}: cannot write ${attr}: ${(e as Error).message}`); }
  }

  private maxBrightness(name: string): string {
    try { return fs.readFileSync(this.file(name, 'max_brightness'), 'utf8').trim() || '1'; } catch { return '1'; }
  }

  apply(name: string, s: LedSetting): void {
    if (!this.exists(name)) throw new LedError(`LED ${name}: no ${this.file(name, 'brightness')}`);
    if (s.mode === 'blink') {
      this.write(name, 'trigger', 'timer');
      // The timer trigger creates delay_on/delay_off when it attaches.
      this.write(name, 'delay_on', String(s.onMs));
      this.write(name, 'delay_off', String(s.offMs));
      return;
    }
    this.write(name, 'trigger', 'none');
    this.write(name, 'brightness', s.mode === 'on' ? this.maxBrightness(name) : '0');
  }

  /** What an LED shows now, read back from sysfs (tests, clpstat-like displays). */
  read(name: string): LedSetting {
    // The kernel lists every trigger with the active one in brackets.
    const raw = fs.readFileSync(this.file(name, 'trigger'), 'utf8');
    const trigger = /\[([^\]]+)\]/.exec(raw)?.[1] ?? (raw.trim() || 'none');
    if (trigger === 'timer') {
      const n = (a: string) => Number(fs.readFileSync(this.file(name, a), 'utf8').trim());
      return { mode: 'blink', onMs: n('delay_on'), offMs: n('delay_off') };
    }
    return Number(fs.readFileSync(this.file(name, 'brightness'), 'utf8').trim()) > 0 ? { mode: 'on' } : { mode: 'off' };
  }
}
