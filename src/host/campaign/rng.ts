// The campaign's seeded PRNG (mulberry32): small, fast, and the same sequence for the same
// seed on every machine. Not for anything secret.
import type { Rng } from './target';

export const MAX_SEED = 0xffffffff;

export class SeededRng implements Rng {
  private s: number;
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) throw new RangeError(`seed ${seed} is not an integer in 0..${MAX_SEED}`);
    this.s = seed >>> 0;
  }

  /** The next 32 random bits. */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  int(n: number): number {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`int(${n}): n must be a positive integer`);
    return Math.floor((this.next() / 0x100000000) * n);
  }

  pick<T>(xs: readonly T[]): T {
    if (!xs.length) throw new RangeError('pick from an empty list');
    return xs[this.int(xs.length)];
  }
}

/** The generator of step `step` of a run: a target drawing more or fewer numbers in one step
 * never shifts the faults drawn in the next ones. */
export function stepRng(seed: number, step: number): SeededRng {
  const mixed = new SeededRng((seed ^ Math.imul(step + 1, 0x9e3779b1)) >>> 0).next();
  return new SeededRng(mixed);
}
