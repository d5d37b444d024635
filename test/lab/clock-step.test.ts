// A wall-clock step must not stretch a wait: a server cold-started alone whose clock is
// stepped back an hour during start_sync_wait still starts its groups when the wait ends
// (found by the campaign: npm run campaign -- --target lab --steps 1 --seed 1 --faults clock-step).
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { rcOps } from '../../src/group/protocol';
import { defaultLabConfig } from '../../src/host/lab/lab';
import { nmOps } from '../../src/nm/protocol';
import { pmOps } from '../../src/pm/protocol';
import { isRoot, sleep, startLab, until } from '../helpers/lab';

if (!isRoot) { t.skip('LAB TESTS SKIPPED: network namespaces need root', () => {}); process.exit(0); }
t.setTimeout(180000);

const WAIT_MS = 8000;

t.test('a clock stepped back an hour during start_sync_wait: the group starts when the wait ends', async (t) => {
  const template = path.join(fs.mkdtempSync('/tmp/pairha-conf-'), 'lab.conf');
  fs.writeFileSync(template, fs.readFileSync(defaultLabConfig, 'utf8').replace('start_sync_wait = 3000', `start_sync_wait = ${WAIT_MS}`));
  const { lab, s } = await startLab(t, template);
  for (const x of ['server1', 'server2']) await lab.signal(s, x, 'SIGKILL');
  // Both runtimes gone; wait for the lab softdogs to reset both namespaces (the power cut).
  const record = (x: string) => { try { return fs.readFileSync(path.join(s.dir, x, 'power.log'), 'utf8'); } catch { return ''; } };
  await until(async () => ['server1', 'server2'].every((x) => /reset/.test(record(x))), 10000, 'both servers reset');
  await lab.start(s, 'server1');
  await until(async () => (await lab.call(s, 'server1', nmOps.view).catch(() => undefined))?.code === 0, 20000, 'server1 answering');
  await sleep(1000); // inside the wait (WAIT_MS), not at its start
  t.same(await lab.call(s, 'server1', pmOps.fault, { kind: 'clock-step', ms: -3600000 }), { code: 0 }, 'clock stepped back an hour');
  await until(async () => (await lab.call(s, 'server1', rcOps.status)).data?.find((g) => g.name === 'failover1')?.state === 'Online', WAIT_MS + 15000, 'failover1 Online on server1');
  t.pass('the group started on the lone server');
});
