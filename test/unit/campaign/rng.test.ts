// The campaign's PRNG: the same seed draws the same sequence; steps are independent.
import t from 'tap';
import { SeededRng, stepRng } from '../../../src/host/campaign/rng';
import { FAULTS } from '../../../src/host/campaign/target';

const draw = (seed: number, n: number) => { const r = new SeededRng(seed); return Array.from({ length: n }, () => r.pick(FAULTS)); };

t.test('same seed, same sequence; another seed, another', async (t) => {
  t.same(draw(42, 200), draw(42, 200));
  t.notSame(draw(42, 200), draw(43, 200));
  t.same(new SeededRng(0xffffffff).next(), new SeededRng(0xffffffff).next(), 'the largest seed works');
});

t.test('int(n) stays in 0..n-1 and reaches every value', async (t) => {
  const r = new SeededRng(7);
  const seen = new Set<number>();
  const bad: number[] = [];
  for (let i = 0; i < 1000; i++) { const v = r.int(5); if (!(v >= 0 && v < 5 && Number.isInteger(v))) bad.push(v); seen.add(v); }
  t.same(bad, [], "no value out of range");
  t.same([...seen].sort(), [0, 1, 2, 3, 4]);
});

t.test('the step generator depends on seed and step only', async (t) => {
  t.equal(stepRng(5, 3).next(), stepRng(5, 3).next());
  t.not(stepRng(5, 3).next(), stepRng(5, 4).next());
  t.not(stepRng(5, 3).next(), stepRng(6, 3).next());
});

t.test('bad seeds and bounds are refused, naming the value', async (t) => {
  t.throws(() => new SeededRng(-1), /seed -1 is not an integer in 0..4294967295/);
  t.throws(() => new SeededRng(1.5), /seed 1.5/);
  t.throws(() => new SeededRng(2 ** 32), /seed 4294967296/);
  t.throws(() => new SeededRng(1).int(0), /int\(0\)/);
  t.throws(() => new SeededRng(1).pick([]), /empty/);
});
