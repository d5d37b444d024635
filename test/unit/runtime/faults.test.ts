// The fault-injection op: local socket only, core roles only, and a role fault really leaves
// the process as an uncaught RoleFailure naming the role (what main.ts turns into §10.3).
import t from 'tap';
import { Registry } from '../../../src/control/registry';
import { pmOps } from '../../../src/pm/protocol';
import { type FaultState, serveFaults, RoleFailure, stall } from '../../../src/pm/faults';

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
