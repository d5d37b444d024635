// The LED role: shows the box's state on the front panel. The runtime passes a function that
// tells the current state; the role applies the mapping when it changes (and at least every
// refresh, in case someone wrote to sysfs). LED names come from [leds] in clp.conf.
import type { LedConfig } from '../config/types';
import type { Logger } from '../logger';
import type { Role } from '../core/context';
import { panel, type LedRoleName, type LedSetting, type PanelState } from './mapping';
import { LedClass, LedError } from './sysfs';

export interface LedRoleDeps {
  config: LedConfig;
  /** /sys/class/leds, or a fake tree in tests (paths.leds). */
  root: string;
  log: Logger;
  state: () => PanelState;
  intervalMs?: number;
  refreshMs?: number;
}

export class LedRole implements Role {
  readonly type = 'leds';
  private readonly leds: LedClass;
  private timer?: NodeJS.Timeout;
  private shown = new Map<string, string>();
  private lastFull = 0;
  private readonly warned = new Set<string>();

  constructor(private readonly d: LedRoleDeps) { this.leds = new LedClass(d.root); }

  async start(): Promise<void> {
    if (!this.d.config.enabled) return;
    this.update();
    this.timer = setInterval(() => this.update(), this.d.intervalMs ?? 500);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (!this.d.config.enabled) return;
    // The daemon is gone: the panel says so.
    this.show({ daemon: false, status: 'error', mirror: 'none' }, true);
  }

  update(): void {
    const full = Date.now() - this.lastFull >= (this.d.refreshMs ?? 10000);
    if (full) this.lastFull = Date.now();
    let s: PanelState;
    try {
      s = this.d.state();
    } catch (e) {
      // A state that cannot be read now is shown at the next tick; never a dead runtime.
      this.d.log.debug(`state: ${(e as Error).message}`);
      return;
    }
    this.show(s, full);
  }

  private show(s: PanelState, force: boolean): void {
    const settings = panel(s);
    for (const role of Object.keys(settings) as LedRoleName[]) {
      const name = this.d.config.names[role];
      if (!name) continue;
      const want = key(settings[role]);
      if (!force && this.shown.get(name) === want) continue;
      try {
        this.leds.apply(name, settings[role]);
        this.shown.set(name, want);
        this.warned.delete(name);
      } catch (e) {
        if (!(e instanceof LedError)) throw e;
        // One warning per LED until it works again, not one per tick.
        if (!this.warned.has(name)) this.d.log.warn(e.message);
        this.warned.add(name);
      }
    }
  }
}

const key = (s: LedSetting) => (s.mode === 'blink' ? `blink:${s.onMs}:${s.offMs}` : s.mode);
