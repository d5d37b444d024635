// The short pair campaign of CI (issue 13 §1): `npm run campaign -- --target pair` with a fixed
// seed on the virtual pair (md1 and the writer in failover1), a handful of the cheaper faults
// (netem and one-way cuts need sch_netem, which CI hosts may lack); it must end with
// violations=0 lost_writes=0, the writer having acknowledged records and the mirror's data
// compared on both boxes.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import t from 'tap';
import { vmSkipReason } from '../../src/host/pair/fixture';

const skip = vmSkipReason();
if (skip) { t.skip(`PAIR CAMPAIGN VM TEST SKIPPED: ${skip}`, () => {}); process.exit(0); }

const SEED = 13, STEPS = 3;
const FAULTS = ['group-move', 'kill-runtime', 'disk-errors', 'disk-slow', 'clock-step'];

t.test(`pair campaign, seed ${SEED}, ${STEPS} steps of ${FAULTS.join(', ')}`, async (t) => {
  const main = path.join(__dirname, '..', '..', 'dist', 'host', 'campaign', 'main.js');
  const args = ['--target', 'pair', '--steps', String(STEPS), '--seed', String(SEED), '--faults', FAULTS.join(',')];
  const started = Date.now();
  const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const c = spawn(process.execPath, [main, ...args], { env: { ...process.env, PAIRHA_CAMPAIGN_INSTANCE: 'ci' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d) => { out += d; });
    c.stderr.on('data', (d) => { out += d; });
    c.on('exit', (code) => resolve({ code, out }));
  });
  t.comment(`campaign took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const lines = r.out.trimEnd().split('\n');
  const ok = t.equal(lines[lines.length - 1], `campaign: target=pair seed=${SEED} steps=${STEPS} faults=${STEPS} violations=0 lost_writes=0`, 'the final line: every step injected, no violation, no lost write');
  t.equal(r.code, 0, 'exit code 0');
  const acked = Number(/^writer: (\d+) records acknowledged over the run$/m.exec(r.out)?.[1] ?? 0);
  t.ok(acked > 0, `the writer acknowledged records (${acked}): lost_writes=0 is not vacuous`);
  t.match(r.out, /^mirror data sha256 \(md1 Normal/m, 'the mirror data was compared on both boxes');
  if (!ok || r.code !== 0) t.comment(r.out);
});
