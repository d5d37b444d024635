// The mirror decision of seed §11.10 as a table: both sides' status in, case, colours,
// latest data, direction, mode and the §11.10.1 automatic recovery verdict out.
import t from 'tap';
import { autoRecovery, decide, recoveryMode, type Side } from '../../../src/mirror/state';
import { st } from '../../helpers/mirror';

const s1 = (over = {}): Side => ({ server: 'server1', status: st(over) });
const s2 = (over = {}): Side => ({ server: 'server2', status: st(over) });
const down = (server: string): Side => ({ server });

interface Row {
  name: string; a: Side; b: Side;
  case: string; colors: [string, string]; latest: string[];
  direction?: string; mode?: 'full' | 'diff'; auto: boolean; initial?: boolean;
}

// server1 went on alone since the two last spoke (link down: peergen not refreshed).
const brokeA = { state: 'BREAK' as const, gen: 6, peerGen: 5, dirty: 120, breakTime: 1764030100, conn: 'disconnected' as const };
const quiet = { state: 'SYNC' as const, gen: 5, peerGen: 5, conn: 'disconnected' as const };
const fresh = { state: 'STALE' as const, gen: 1, peerGen: 0, dirty: 16384, lastUpdate: 0 };
const rows: Row[] = [
  { name: 'both SYNC', a: s1({ port: 'open' }), b: s2(), case: 'normal', colors: ['GREEN', 'GREEN'], latest: ['server1', 'server2'], auto: false },
  { name: 'both SYNC, generations differ after a recovery', a: s1({ gen: 8, peerGen: 7 }), b: s2({ gen: 7, peerGen: 8 }), case: 'normal', colors: ['GREEN', 'GREEN'], latest: ['server1', 'server2'], auto: false },
  { name: 'link down: server1 wrote, server2 kept its port closed (stays SYNC)', a: s1({ ...brokeA, port: 'open' }), b: s2({ ...quiet, dirty: 3 }),
    case: 'needs-recovery', colors: ['GREEN', 'RED'], latest: ['server1'], direction: 'server1 -> server2', mode: 'diff', auto: true },
  { name: 'the same, resource not active anywhere', a: s1(brokeA), b: s2(quiet),
    case: 'needs-recovery', colors: ['GREEN', 'RED'], latest: ['server1'], direction: 'server1 -> server2', mode: 'diff', auto: false },
  { name: 'failover: server1 crashed while writing (loads as BREAK, gen unchanged), server2 opened alone and wrote',
    a: s1({ state: 'BREAK', gen: 5, peerGen: 5, dirty: 4, conn: 'disconnected' }), b: s2({ ...brokeA, port: 'open' }),
    case: 'needs-recovery', colors: ['RED', 'GREEN'], latest: ['server2'], direction: 'server2 -> server1', mode: 'diff', auto: true },
  { name: 'active on the side without the latest data', a: s1(brokeA), b: s2({ ...quiet, port: 'open' }),
    case: 'needs-recovery', colors: ['GREEN', 'RED'], latest: ['server1'], direction: 'server1 -> server2', mode: 'diff', auto: false },
  { name: 'both went on alone during a partition', a: s1({ ...brokeA, port: 'open' }), b: s2({ ...brokeA, dirty: 40 }),
    case: 'needs-forced-recovery', colors: ['RED', 'RED'], latest: [], auto: false },
  { name: 'linked again: BREAK against SYNC (before the STATE makes it STALE)', a: s1({ state: 'BREAK', gen: 6, peerGen: 5, port: 'open' }), b: s2({ gen: 5, peerGen: 6 }),
    case: 'needs-recovery', colors: ['GREEN', 'RED'], latest: ['server1'], direction: 'server1 -> server2', mode: 'diff', auto: true },
  { name: 'linked again, both BREAK, nothing moved: same data, resync from the active side', a: s1({ state: 'BREAK', gen: 6, peerGen: 6 }), b: s2({ state: 'BREAK', gen: 6, peerGen: 6, port: 'open' }),
    case: 'needs-recovery', colors: ['GREEN', 'GREEN'], latest: ['server1', 'server2'], direction: 'server2 -> server1', mode: 'diff', auto: true },
  { name: 'server2 declared outdated (force red)', a: s1({ ...brokeA, port: 'open' }), b: s2({ ...brokeA, state: 'STALE' }),
    case: 'needs-recovery', colors: ['GREEN', 'RED'], latest: ['server1'], direction: 'server1 -> server2', mode: 'diff', auto: true },
  { name: 'forced latest on server1: every bit set, full copy', a: s1({ ...brokeA, dirty: 16384, port: 'open' }), b: s2({ state: 'STALE', gen: 7, peerGen: 5, dirty: 40 }),
    case: 'needs-recovery', colors: ['GREEN', 'RED'], latest: ['server1'], direction: 'server1 -> server2', mode: 'full', auto: true },
  { name: 'server2 disk replaced (fresh metadata)', a: s1({ ...brokeA, port: 'open' }), b: s2(fresh),
    case: 'needs-recovery', colors: ['GREEN', 'RED'], latest: ['server1'], direction: 'server1 -> server2', mode: 'full', auto: true },
  { name: 'disk error on server1', a: s1({ ...brokeA, diskErr: true }), b: s2({ port: 'open', state: 'BREAK', gen: 6, peerGen: 6 }),
    case: 'needs-recovery', colors: ['RED', 'GREEN'], latest: ['server2'], direction: 'server2 -> server1', mode: 'full', auto: true },
  { name: 'both fresh: initial construction from the first server', a: s1(fresh), b: s2(fresh),
    case: 'needs-recovery', colors: ['GREEN', 'RED'], latest: ['server1'], direction: 'server1 -> server2', mode: 'full', auto: false, initial: true },
  { name: 'recovering server1 -> server2', a: s1({ state: 'RECOVERING', recovery: 'diff-send', pct: 7, port: 'open' }), b: s2({ state: 'RECOVERING', recovery: 'recv' }),
    case: 'recovering', colors: ['YELLOW', 'YELLOW'], latest: ['server1'], direction: 'server1 -> server2', auto: false },
  { name: 'server2 down, server1 active with the latest data', a: s1({ ...brokeA, port: 'open' }), b: down('server2'),
    case: 'unknown', colors: ['GREEN', '--'], latest: ['server1'], auto: false },
  { name: 'server1 down, server2 outdated', a: down('server1'), b: s2({ state: 'STALE' }),
    case: 'unknown', colors: ['--', 'RED'], latest: [], auto: false },
  { name: 'server2 agent up but NMP not bound', a: s1({ ...brokeA, port: 'open' }), b: s2({ bound: false, state: 'NONE' }),
    case: 'unknown', colors: ['GREEN', '--'], latest: ['server1'], auto: false },
];

t.test('decision table', async (t) => {
  for (const r of rows) {
    const d = decide(r.a, r.b);
    t.equal(d.case, r.case, `${r.name}: case`);
    t.same(d.colors, r.colors, `${r.name}: colours`);
    t.same(d.latest, r.latest, `${r.name}: latest`);
    t.equal(d.direction ? `${d.direction.from} -> ${d.direction.to}` : undefined, r.direction, `${r.name}: direction`);
    t.equal(d.mode, r.mode, `${r.name}: mode`);
    t.equal(d.initial, r.initial ?? false, `${r.name}: initial`);
    t.equal(autoRecovery(true, d, r.a, r.b).run, r.auto, `${r.name}: automatic recovery`);
    // Sides swapped: the same verdict, mirrored.
    const e = decide(r.b, r.a);
    if (!r.initial) {
      t.same(e.latest.slice().sort(), d.latest.slice().sort(), `${r.name}: latest does not depend on the order`);
      t.equal(e.case, d.case, `${r.name}: case does not depend on the order`);
    }
  }
});

t.test('the last update time never decides', async (t) => {
  // server2's clock is far ahead, but server1 holds the changes server2 has not seen.
  const d = decide(s1({ ...brokeA, lastUpdate: 1000 }), s2({ ...quiet, lastUpdate: 2000000000 }));
  t.same(d.latest, ['server1']);
});

t.test('automatic recovery: §11.10.1 conditions and reasons', async (t) => {
  const a = s1({ ...brokeA, port: 'open' }), b = s2(quiet);
  const d = decide(a, b);
  t.same(autoRecovery(true, d, a, b), { run: true, why: 'server1 is active and holds the latest data' });
  t.same(autoRecovery(false, d, a, b), { run: false, why: 'automatic mirror recovery is off' }, 'configurable');
  const both = s2({ port: 'open' });
  t.match(autoRecovery(true, decide(a, both), a, both).why, /active on both servers/);
  const idle = s1(brokeA);
  t.match(autoRecovery(true, decide(idle, b), idle, b).why, /not active/, '(1) resource active');
  t.match(autoRecovery(true, decide(a, down('server2')), a, down('server2')).why, /server is down/, '(3) both servers up');
  const f = s2({ ...brokeA, dirty: 9 });
  t.match(autoRecovery(true, decide(a, f), a, f).why, /forced recovery needed/, 'no normal server');
  t.match(autoRecovery(true, decide(s1({ port: 'open' }), b), s1({ port: 'open' }), b).why, /no difference/, '(4) a difference');
});

t.test('recovery mode', async (t) => {
  t.equal(recoveryMode(st({ dirty: 10 }), st()), 'diff');
  t.equal(recoveryMode(st({ dirty: 16384 }), st()), 'full');
  t.equal(recoveryMode(st({ dirty: 10 }), st({ state: 'STALE', gen: 1 })), 'full');
  t.equal(recoveryMode(st({ dirty: 10 }), st({ state: 'STALE', gen: 4 })), 'diff');
  t.equal(recoveryMode(st({ dirty: 10 }), st({ diskErr: true })), 'full');
});
