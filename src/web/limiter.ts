// Failed logins: after `max` failures from one address within windowMs, that address is
// refused (without checking the password) until the window has passed since its last
// failure. A success clears the address's count.
export class LoginLimiter {
  private readonly fails = new Map<string, number[]>();
  constructor(private readonly max = 5, private readonly windowMs = 60_000, private readonly now: () => number = Date.now) {}

  /** Milliseconds until this address may try again, 0 when it may now. */
  blockedFor(addr: string): number {
    const t = this.now();
    const list = (this.fails.get(addr) ?? []).filter((x) => t - x < this.windowMs);
    if (list.length) this.fails.set(addr, list); else this.fails.delete(addr);
    return list.length >= this.max ? this.windowMs - (t - list[list.length - 1]) : 0;
  }

  fail(addr: string): number {
    const list = this.fails.get(addr) ?? [];
    list.push(this.now());
    this.fails.set(addr, list.slice(-this.max));
    return list.length;
  }

  succeed(addr: string): void { this.fails.delete(addr); }
}
