// The runtime's event-loop lag (pm.status, /metrics): a loop held busy shows in the maximum.
import t from 'tap';
import { LoopLagMonitor } from '../../../src/pm/loop-lag';

t.test('a 300 ms busy loop shows as a lag of at least 250 ms', async (t) => {
  const m = new LoopLagMonitor();
  t.same(m.read(), { p50Ms: 0, p99Ms: 0, maxMs: 0, samples: 0 }, 'nothing measured before start');
  m.start();
  t.teardown(() => m.stop());
  await new Promise((r) => setTimeout(r, 100));
  const until = Date.now() + 300;
  while (Date.now() < until) { /* hold the loop */ }
  await new Promise((r) => setTimeout(r, 50));
  const lag = m.read();
  t.ok(lag.samples > 0, `${lag.samples} samples`);
  t.ok(lag.maxMs >= 250, `max ${lag.maxMs} ms`);
  t.ok(lag.p50Ms <= lag.p99Ms && lag.p99Ms <= lag.maxMs, `p50 ${lag.p50Ms} <= p99 ${lag.p99Ms} <= max ${lag.maxMs}`);
});
