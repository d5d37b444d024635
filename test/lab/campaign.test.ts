// A short lab campaign with a fixed seed, as CI runs it: it must end with the one final line
// saying no violation and no lost write, and exit 0.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import t from 'tap';
import { isRoot } from '../helpers/lab';

if (!isRoot) { t.skip('LAB TESTS SKIPPED: network namespaces need root', () => {}); process.exit(0); }
t.setTimeout(900000);

const SEED = '20261206';
const STEPS = '16';

t.test(`lab campaign, seed ${SEED}, ${STEPS} steps: no violation, no lost write`, async (t) => {
  const ns = `${process.env.PAIRHA_LAB_NS || 'pairha'}c`;
  const r = spawnSync(process.execPath, [path.resolve(__dirname, '../../dist/host/campaign/main.js'), '--target', 'lab', '--steps', STEPS, '--seed', SEED], {
    env: { ...process.env, PAIRHA_LAB_NS: ns, PAIRHA_LAB_DIR: `/run/${ns}-lab` }, encoding: 'utf8', timeout: 840000,
  });
  const lines = r.stdout.trimEnd().split('\n');
  const last = lines.at(-1) ?? '';
  if (r.status !== 0) t.comment(r.stdout.split('\n').filter((l) => !/^\d{4}-/.test(l)).join('\n') + r.stderr);
  t.match(last, new RegExp(`^campaign: target=lab seed=${SEED} steps=${STEPS} faults=\\d+ violations=0 lost_writes=0$`), 'the final line');
  t.equal(lines.filter((l) => l.startsWith('campaign: ')).length, 1, 'exactly one final line');
  t.ok(lines.some((l) => / \d+ writes acked/.test(l) && !/ 0 writes acked/.test(l)), 'the writer wrote');
  t.equal(r.status, 0, 'exit 0');
});
