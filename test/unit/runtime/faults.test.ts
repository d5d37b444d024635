// The fault-injection op: local socket only, core roles only, and a role fault really leaves
// the process as an uncaught RoleFailure naming the role (what main.ts turns into §10.3).
import t from 'tap';
import { Registry } from '../../../src/control/registry';
import { pmOps } from '../../../src/pm/protocol';
import { type FaultState, installSteppableClock, serveFaults, RoleFailure, stall } from '../../../src/pm/faults';

t.test('fault op', async (t) => {
  const r = new Registry();
  const state: FaultState = { stallShutdown: false };
  serveFaults(r, state);
  t.match(await r.dispatch({ op: pmOps.fault.name, args: { kind: 'stall-shutdown' } }, { local: false, server: 'server2' }), { code: 2, message: /local control socket only/ });
  t.equal(state.stallShutdown, false, 'a peer changes nothing');
  t.same(await r.dispatch({ op: pmOps.fault.name, args: { kind: 'stall-shutdown' } }, { local: true }), { code: 0 });
  t.equal(state.stallShutdown, true);
  t.match(await r.dispatch({ op: pmOps.fault.name, args: { kind: 'role', role: 'lanhb' } }, { local: true }), { code: 2, message: 'role must be one of rc, rm, nm' });
  t.match(await r.dispatch({ op: pmOps.fault.name, args: { kind: 'x' } }, { local: true }), { code: 2 });

  const caught = new Promise<unknown>((resolve) => {
    const listeners = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    process.once('uncaughtException', (e) => { for (const l of listeners) process.on('uncaughtException', l); resolve(e); });
  });
  t.same(await r.dispatch({ op: pmOps.fault.name, args: { kind: 'role', role: 'rc' } }, { local: true }), { code: 0 });
  const e = await caught;
  t.ok(e instanceof RoleFailure, 'a RoleFailure leaves the process');
  t.equal((e as RoleFailure).role, 'rc');
});

t.test('stall blocks the event loop for the time asked', async (t) => {
  let ticks = 0;
  const timer = setInterval(() => { ticks++; }, 10);
  const t0 = Date.now();
  stall(300);
  t.ok(Date.now() - t0 >= 290, 'blocked ~300 ms');
  t.equal(ticks, 0, 'no timer ran meanwhile');
  clearInterval(timer);
});

t.test('clock-step: Date.now moves by the step, the monotonic clock does not; bounded, and refused without a steppable clock', async (t) => {
  const real = Date.now;
  t.teardown(() => { Date.now = real; });
  const r = new Registry();
  const state: FaultState = { stallShutdown: false };
  serveFaults(r, state);
  const step = (ms: unknown) => r.dispatch({ op: pmOps.fault.name, args: { kind: 'clock-step', ms } }, { local: true });
  t.match(await step(1000), { code: 3, message: 'this runtime has no steppable clock' });
  state.stepClock = installSteppableClock();
  const [w0, m0] = [Date.now(), performance.now()];
  t.same(await step(-3600000), { code: 0 });
  const [w1, m1] = [Date.now(), performance.now()];
  t.ok(w1 - w0 <= -3600000 + 1000 && w1 - w0 >= -3600000, `wall clock stepped back an hour (${w1 - w0} ms)`);
  t.ok(m1 >= m0 && m1 - m0 < 1000, 'monotonic clock unmoved');
  t.match(await step(86400001), { code: 2, message: /ms must be an integer within ±86400000/ });
  t.match(await step('1h'), { code: 2, message: /ms must be an integer/ });
  t.match(await r.dispatch({ op: pmOps.fault.name, args: { kind: 'clock-step', ms: 5 } }, { local: false, server: 'server2' }), { code: 2, message: /local control socket only/ });
});
