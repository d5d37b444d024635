// The campaign loop against a scripted target: the same seed replays the same faults, the
// final line, and a violation printed with its step, fault, audit and both servers' logs.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { runCampaign } from '../../../src/host/campaign/campaign';
import type { FaultName, Injected, Observation, Rng, Target, WriterReport } from '../../../src/host/campaign/target';

class Scripted implements Target {
  readonly name = 'lab' as const;
  readonly servers = ['server1', 'server2'];
  readonly groups = ['failover1'];
  readonly allow = [];
  details: string[] = [];
  holder = 'server1';
  acked: number[] = [];
  present: number[] = [];
  constructor(private readonly bad: { dualOn?: FaultName; loseOn?: FaultName } = {}) {}
  faults(): FaultName[] { return ['kill-runtime', 'partition', 'group-move']; }
  async up() {}
  async down() {}
  async inject(fault: FaultName, rng: Rng): Promise<Injected> {
    const n = this.acked.length + 1;
    this.acked.push(n);
    if (this.bad.loseOn !== fault) this.present.push(n);
    const detail = `${fault} #${rng.int(1000)}`;
    this.details.push(detail);
    this.holder = this.holder === 'server1' ? 'server2' : 'server1';
    this.dual = this.bad.dualOn === fault;
    return { fault, detail, downed: [], allow: [], settleMs: 50 };
  }
  dual = false;
  async observe(): Promise<Observation> {
    const v = (name: string) => ({ name, up: true, activeGroups: name === this.holder || this.dual ? ['failover1'] : [], mounted: [], newLogLines: [], coreFiles: [] });
    return { at: Date.now(), servers: this.servers.map(v), fipAnswers: { '10.77.1.50': ['aa:aa:aa:aa:aa:aa'] } };
  }
  async writer(): Promise<WriterReport> { return { acked: [...this.acked], present: [...this.present] }; }
  async recentLogs() { return 'server1: last line\nserver2: last line'; }
  async keepLogs(dir: string) {
    return this.servers.map((x) => { const f = path.join(dir, `${x}.log`); fs.writeFileSync(f, `${x}: whole log\n`); return f; });
  }
}

const run = async (target: Scripted, seed: number, steps = 12, keepDir?: string) => {
  const lines: string[] = [];
  const r = await runCampaign({ target, steps, seed, dwellMs: 0, pollMs: 1, keepDir, out: (l) => lines.push(l) });
  return { r, lines };
};

t.test('the same seed draws the same faults and details; the final line', async (t) => {
  const [a, b, c] = [new Scripted(), new Scripted(), new Scripted()];
  const ra = await run(a, 99), rb = await run(b, 99), rc = await run(c, 100);
  t.same(a.details, b.details);
  t.notSame(a.details, c.details);
  t.equal(ra.r.line, 'campaign: target=lab seed=99 steps=12 faults=12 violations=0 lost_writes=0');
  t.equal(ra.r.code, 0);
  t.equal(Object.values(ra.r.counts).reduce((x, y) => x + y!, 0), 12);
  t.match(ra.lines.at(-1), /^faults drawn: /);
  t.equal(rb.r.line, ra.r.line);
});

t.test('a double activation is reported with step, fault, audit and logs; exit 1', async (t) => {
  const { r, lines } = await run(new Scripted({ dualOn: 'partition' }), 99);
  t.ok(r.violations > 0);
  t.equal(r.code, 1);
  const v = lines.find((l) => l.startsWith('VIOLATION'))!;
  t.match(v, /^VIOLATION step=\d+ fault=partition \(partition #\d+\) audit=one-active: group failover1 is active on server1 and server2/);
  t.ok(lines.some((l) => l.includes('server1: last line\nserver2: last line')), 'both servers\' logs');
  t.match(r.line, /violations=[1-9]\d* lost_writes=0$/);
});

t.test('a violation keeps both servers\' whole logs in a folder of its step; a clean run keeps none', async (t) => {
  const keep = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-campaign-keep-'));
  t.teardown(() => fs.rmSync(keep, { recursive: true, force: true }));
  const { lines } = await run(new Scripted({ dualOn: 'partition' }), 99, 12, path.join(keep, 'bad'));
  const step = /^VIOLATION step=(\d+) /.exec(lines.find((l) => l.startsWith('VIOLATION'))!)![1];
  const dir = path.join(keep, 'bad', `step-${step}`);
  t.equal(fs.readFileSync(path.join(dir, 'server2.log'), 'utf8'), 'server2: whole log\n');
  t.ok(lines.includes(`logs of step ${step} kept: ${path.join(dir, 'server1.log')} ${path.join(dir, 'server2.log')}`), 'the report says where');
  await run(new Scripted(), 99, 12, path.join(keep, 'good'));
  t.notOk(fs.existsSync(path.join(keep, 'good')), 'nothing kept without a violation');
});

t.test('a lost acknowledged write counts once in lost_writes', async (t) => {
  const { r, lines } = await run(new Scripted({ loseOn: 'group-move' }), 99);
  const moves = r.counts['group-move']!;
  t.ok(moves > 0);
  t.equal(r.lostWrites, moves);
  t.equal(lines.filter((l) => / audit=lost-writes: 1 acknowledged record\(s\) missing/.test(l)).length, moves, 'each reported at its own step');
  t.equal(r.code, 1);
});
