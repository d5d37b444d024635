// The mirror disk helper's page in chromium (on this host, 127.0.0.1) against the web manager
// and a real control socket whose md.* ops are stubs driven by the real mirror decision
// (mirror/state.ts): a recovery's percentage live, Stop recovery, Detail, forced recovery from
// the chosen server, Recover; each button reaches the op clpmdctrl sends. The virtual pair
// runs the same against liscal (test/vm/web.test.ts).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as https from 'node:https';
import t from 'tap';
import { chromium } from 'playwright-core';
import { LocalControl, request } from '../../../src/control/local';
import { Registry } from '../../../src/control/registry';
import { mdOps } from '../../../src/mirror/protocol';
import { decide, type Side } from '../../../src/mirror/state';
import type { LiscalStatus } from '../../../src/mirror/liscal-status';
import { HostPlatform } from '../../../src/platform/host';
import { Accounts } from '../../../src/web/accounts';
import { LoginLimiter } from '../../../src/web/limiter';
import { createMetrics } from '../../../src/web/metrics';
import { createServer } from '../../../src/web/server';
import { Sessions } from '../../../src/web/sessions';
import { ensureTls } from '../../../src/web/tls';
import type { ClusterConfig } from '../../../src/config/types';
import { st } from '../../helpers/mirror';
import { CHROMIUM, haveChromium, shot } from '../../helpers/web';

if (!haveChromium) { t.fail('chromium is missing: bash scripts/setup.sh installs it'); process.exit(1); }

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-webmd-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

// The two sides as the agents would report them; the handlers move them as liscal would.
let sides: [LiscalStatus, LiscalStatus] = [
  st({ state: 'RECOVERING', recovery: 'full-send', dirty: 9000, pct: 42, elapsed: 12, remaining: 17, breakTime: 1764030000 }),
  st({ state: 'RECOVERING', recovery: 'recv', dirty: 9000, color: 'YELLOW' }),
];
const asked: Array<[string, unknown]> = [];
const registry = new Registry();
registry.serve(mdOps.stat, async ({ resource }) => {
  const s: [Side, Side] = [{ server: 'server1', status: sides[0] }, { server: 'server2', status: sides[1] }];
  return { code: 0, data: { resource, sides: s, decision: decide(s[0], s[1]) } };
});
registry.serve(mdOps.stopRecovery, async (a) => {
  asked.push([mdOps.stopRecovery.name, a]);
  sides = [{ ...sides[0], state: 'BREAK', recovery: 'stopped' }, { ...sides[1], state: 'STALE', recovery: 'stopped' }];
  return { code: 0, message: 'recovery server1 -> server2 stopped' };
});
registry.serve(mdOps.force, async (a) => { asked.push([mdOps.force.name, a]); return { code: 0, message: 'forced recovery started' }; });
registry.serve(mdOps.recovery, async (a) => {
  asked.push([mdOps.recovery.name, a]);
  sides = [st(), st()];
  return { code: 0 };
});
const sock = path.join(dir, 'run', 'pairha.sock');
const control = new LocalControl(sock, registry);
const send = (req: Parameters<typeof request>[1], tm?: number) => request(sock, req, tm);
const config = { resources: [{ name: 'md1', type: 'md' }] } as unknown as ClusterConfig;
let server: https.Server;

t.test('the mirror disk helper: live percentage, Stop recovery, Detail, Force, Recover', async (t) => {
  await control.start();
  const accounts = new Accounts(path.join(dir, 'etc', 'web', 'accounts.json'));
  await accounts.setPassword('admin', 'correct horse', 'operator');
  server = createServer(await ensureTls(path.join(dir, 'etc', 'web'), 'server1', new HostPlatform({ powerRecord: '' })), {
    send, config: () => config, accounts, sessions: new Sessions(), limiter: new LoginLimiter(),
    metrics: createMetrics(send, () => config, path.join(dir, 'liscal')), assets: path.resolve(__dirname, '..', '..', '..', 'web'), loginFailed: () => {},
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(async () => { server.close(); server.closeAllConnections(); await control.stop(); });
  const port = (server.address() as { port: number }).port;

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  t.teardown(() => browser.close());
  const page = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
  await page.goto(`https://127.0.0.1:${port}/`);
  await page.fill('#user', 'admin');
  await page.fill('#password', 'correct horse');
  await page.press('#password', 'Enter');
  await page.click('nav [data-page="mirrors"]');
  const card = page.locator('[data-md="md1"]');
  await card.locator('.md-state', { hasText: 'Recovering' }).waitFor();
  t.equal(await card.locator('.md-pct').innerText(), '42%', 'the running recovery\'s percentage');
  t.match(await card.locator('.recovery').innerText(), /server1 → server2: .*used 00:00:12 · remaining 00:00:17/);
  sides[0] = { ...sides[0], pct: 77, remaining: 5 };
  await card.locator('.md-pct', { hasText: '77%' }).waitFor({ timeout: 10000 });
  t.pass('the percentage follows the driver without a reload');
  await shot(page, 'mirror');

  await page.click('#md-stop-md1');
  await page.locator('#confirm-title', { hasText: 'Stop recovery of md1' }).waitFor();
  await page.click('#confirm-ok');
  await card.locator('.md-state', { hasText: /^Abnormal$/ }).waitFor();
  t.same(asked.shift(), [mdOps.stopRecovery.name, { resource: 'md1' }], 'Stop recovery sends md.stoprecovery');
  const rows = await card.locator('tbody tr').allInnerTexts();
  t.ok(rows.some((r) => /Difference\s+55% \(9000 of 16384 chunks\)/.test(r)), 'difference percentage and size per server');
  t.ok(rows.some((r) => /Device\s+\/dev\/NMP1\s+\/dev\/NMP1/.test(r)), 'the device per server');
  t.ok(rows.some((r) => /Media error\s+Normal\s+Normal/.test(r)), 'media error per server');

  await page.click('#md-detail-md1');
  t.match(await page.locator('#detail-md1').innerText(), /"recovery": "stopped"/, 'Detail shows the driver\'s status');

  // Cancel does nothing; the chosen server goes to md.force.
  await page.selectOption('#force-from-md1', 'server2');
  await page.click('#md-force-md1');
  await page.click('#confirm-cancel');
  await page.click('#md-force-md1');
  await page.locator('#confirm-text', { hasText: "server2's data becomes the latest" }).waitFor();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.locator('#status', { hasText: 'forced recovery started' }).waitFor();
  t.same(asked, [[mdOps.force.name, { resource: 'md1', server: 'server2' }]], 'one md.force, from server2 (Cancel sent nothing; keyboard confirms)');
  asked.length = 0;

  await page.click('#md-recover-md1');
  await page.click('#confirm-ok');
  await card.locator('.md-state', { hasText: /^Normal$/ }).waitFor();
  t.same(asked, [[mdOps.recovery.name, { resource: 'md1' }]], 'Recover sends md.recovery, as clpmdctrl --recovery');
  t.equal((await card.locator('.badge').allInnerTexts()).join(' '), 'GREEN GREEN', 'both sides GREEN');

  // The same state in /metrics (a session may scrape too); the ops the stubs lack are left out.
  sides = [st({ state: 'BREAK', dirty: 300 }), st({ state: 'STALE', dirty: 0 })];
  const metrics = await page.evaluate(async () => (await fetch('/metrics')).text());
  t.match(metrics, /pairha_mirror_color\{resource="md1",server="server1",color="GREEN"\} 1/);
  t.match(metrics, /pairha_mirror_dirty_chunks\{resource="md1",server="server1"\} 300/);
  t.match(metrics, /pairha_mirror_recovery_percent\{resource="md1",server="server2"\} 0/);
});
