// The daily licence check runs as the local date changes (a trial ends with its last day),
// once per day, and follows a stepped wall clock instead of a timer fixed at the start.
import t, { type Test } from 'tap';
import { DailyCheck, localDay, untilMidnight } from '../../../src/pm/daily';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A wall clock the test sets; time does not pass on it by itself. */
function clock(at: Date) {
  let now = at.getTime();
  return { now: () => new Date(now), set: (d: Date) => { now = d.getTime(); } };
}

/** Waits until `n` checks ran, or fails the test after 5 s (no timing is asserted). */
async function until(t: Test, runs: () => number, n: number, what: string): Promise<void> {
  for (let i = 0; i < 500 && runs() < n; i++) await sleep(10);
  t.equal(runs(), n, what);
}

t.test('untilMidnight: one second past the next local midnight', async (t) => {
  const d = new Date(2026, 11, 7, 23, 59, 0, 0);
  t.equal(untilMidnight(d), 61_000);
  t.equal(untilMidnight(new Date(2026, 11, 7, 0, 0, 1, 0)), 24 * 3600_000, 'just past midnight: the next one');
  t.equal(untilMidnight(new Date(2026, 11, 31, 23, 0, 0, 0)), 3600_000 + 1000, 'across a year');
  t.not(localDay(new Date(2026, 11, 31, 23, 59, 59)), localDay(new Date(2027, 0, 1, 0, 0, 0)));
});

t.test('the check runs once when the date changes, not on the same day again', async (t) => {
  const c = clock(new Date(2026, 11, 7, 12, 0, 0));
  let runs = 0;
  const daily = new DailyCheck(async () => { runs++; }, { now: c.now, maxWaitMs: 5 });
  daily.start();
  t.teardown(() => daily.stop());
  await sleep(50);
  t.equal(runs, 0, 'the same day: no check (the start ran it)');
  c.set(new Date(2026, 11, 8, 0, 0, 1));
  await until(t, () => runs, 1, 'the new day: one check');
  await sleep(50);
  t.equal(runs, 1, 'and not again that day');
  c.set(new Date(2026, 11, 9, 0, 0, 1));
  await until(t, () => runs, 2, 'the day after: a second');
});

t.test('a wall clock stepped back and forth within a day runs nothing; stepped to the next day runs it', async (t) => {
  const c = clock(new Date(2026, 11, 7, 22, 0, 0));
  let runs = 0;
  const daily = new DailyCheck(async () => { runs++; }, { now: c.now, maxWaitMs: 5 });
  daily.start();
  t.teardown(() => daily.stop());
  c.set(new Date(2026, 11, 7, 21, 0, 0));
  await sleep(30);
  c.set(new Date(2026, 11, 7, 23, 0, 0));
  await sleep(30);
  t.equal(runs, 0, 'within the day');
  c.set(new Date(2026, 11, 8, 1, 0, 0));
  await until(t, () => runs, 1, 'a step of the clock into the next day: checked');
});

t.test('stopped (the daemon stops, or the check stops it): no further check', async (t) => {
  const c = clock(new Date(2026, 11, 7, 12, 0, 0));
  let runs = 0;
  const daily: DailyCheck = new DailyCheck(async () => { runs++; daily.stop(); }, { now: c.now, maxWaitMs: 5 });
  daily.start();
  c.set(new Date(2026, 11, 8, 12, 0, 0));
  await until(t, () => runs, 1, 'checked');
  t.notOk(daily.running, 'the check stopped it: not re-armed');
  c.set(new Date(2026, 11, 9, 12, 0, 0));
  await sleep(50);
  t.equal(runs, 1, 'no check after the stop');
});

t.test('a failing check does not end the schedule', async (t) => {
  const c = clock(new Date(2026, 11, 7, 12, 0, 0));
  let runs = 0;
  const daily = new DailyCheck(async () => { runs++; throw new Error('boom'); }, { now: c.now, maxWaitMs: 5 });
  daily.start();
  t.teardown(() => daily.stop());
  c.set(new Date(2026, 11, 8, 12, 0, 0));
  await until(t, () => runs, 1, 'first');
  c.set(new Date(2026, 11, 9, 12, 0, 0));
  await until(t, () => runs, 2, 'still scheduled after a throw');
});
