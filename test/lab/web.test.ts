// The web manager in a real browser against the lab: the operator's laptop is the lab's
// client namespace, the manager runs beside server1's runtime as clusterpro_webmgr starts it.
// The page.evaluate callbacks run in the browser: their document/window come from the DOM lib.
/// <reference lib="dom" />
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { clientNs } from '../../src/host/lab/lab';
import { HostPlatform } from '../../src/platform/host';
import { rcOps } from '../../src/group/protocol';
import type { ClusterGroups } from '../../src/group/types';
import { isRoot, startLab, until } from '../helpers/lab';
import { browserIn, haveChromium, keyboardLogin, open, shot } from '../helpers/web';

if (!isRoot) { t.skip('LAB TESTS SKIPPED: network namespaces need root', () => {}); process.exit(0); }
if (!haveChromium) { t.fail('chromium is missing: bash scripts/setup.sh installs it'); process.exit(1); }

const repo = path.resolve(__dirname, '..', '..');
const PASSWORD = 'lab web secret';

t.test('log in, watch the pair, move a group, refuse forgeries, log out', async (t) => {
  const { lab, s, clp } = await startLab(t);
  const srv = s.servers[0];
  const env = lab.env(s, 'server1');
  // The first password, as an operator types it twice on the serial console.
  const set = spawnSync(process.execPath, [path.join(repo, 'dist', 'cli', 'pairha.js'), 'clpwebpasswd', 'admin'], { input: `${PASSWORD}\n${PASSWORD}\n`, env, encoding: 'utf8' });
  t.equal(set.status, 0, set.stderr);

  const os = new HostPlatform({ powerRecord: '' });
  const pid = os.daemon('ip', ['netns', 'exec', srv.ns, process.execPath, path.join(repo, 'dist', 'web', 'main.js')], { env, logFile: path.join(srv.root, 'webmgr.log') });
  t.teardown(() => { os.signal(pid, 'SIGTERM', true); });
  const config = lab.config(s);
  const addr = (config.heartbeats.find((h) => h.type === 'lanhb') as { addresses: Record<string, string> }).addresses.server1;
  const base = `https://${addr}:${config.ports.manager}`;

  const browser = await browserIn(t, clientNs());
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  await open(page, base + '/');
  t.ok(fs.existsSync(path.join(srv.root, 'etc', 'web', 'server.crt')), 'certificate made on first start, in the config dir');

  // A wrong password: refused, and the alert log says so.
  await keyboardLogin(page, 'admin', 'not the password');
  await page.locator('#login-error', { hasText: 'wrong user name or password' }).waitFor();
  t.pass('wrong password refused');
  await until(async () => /failed login for user 'admin'/.test((await clp('server1', 'clpalert')).out), 10000, 'the failed login in the alert log');
  t.pass('the failed login is in the alert log');
  await until(async () => /webmgr WARN 1 Web manager: failed login for user 'admin' from 10\.77\.1\.254\./.test((await clp('server2', 'clpalert')).out), 10000, 'the line on server2 (alert sync)');
  t.pass("it is an event (webmgr 1) of the runtime's bus: server2's alert log has it too");
  await shot(page, 'login');

  await page.fill('#user', '');
  await page.fill('#password', '');
  await keyboardLogin(page, 'admin', PASSWORD);
  for (const name of ['server1', 'server2']) {
    await page.locator(`tr[data-server="${name}"] .server-status`, { hasText: 'Online' }).waitFor({ timeout: 15000 });
  }
  t.pass('both servers Online');
  t.ok(await page.locator('#login').isHidden(), 'the login form is gone once logged in');
  const matrix = page.getByRole('table', { name: 'Heartbeat matrix' });
  t.equal(await matrix.locator('tbody tr').count(), 4, 'matrix: each server as seen by each');
  t.ok(await matrix.locator('td.ok').count() >= 4, 'alive heartbeats shown');
  await shot(page, 'cluster');

  // Move the group where it is not, watch the page show it there, and the console agree.
  const row = page.locator('tr[data-group="failover1"]');
  await until(async () => /server/.test(await row.locator('.group-where').innerText()), 20000, 'failover1 placed');
  const from = (await row.locator('.group-where').innerText()).trim();
  t.equal(from, 'server1', 'failover1 starts on server1, its first server');
  const to = 'server2';
  await page.selectOption('#move-to-failover1', to);
  await page.click('#group-move-failover1');
  await page.locator('#confirm-title', { hasText: 'Move failover1' }).waitFor();
  await page.click('#confirm-ok');
  await row.locator('.group-where', { hasText: to }).waitFor({ timeout: 60000 });
  t.pass(`failover1 moved from ${from} to ${to} on the page`);
  const g = (await lab.call(s, 'server2', rcOps.cluster)).data as ClusterGroups;
  t.same(g.groups.find((x) => x.name === 'failover1')?.current, [to], 'and the console sees it there');

  // Forged requests: a form on another site, and our own page's session without the token.
  const evil = await ctx.newPage();
  await evil.setContent(`<form id="f" method="post" enctype="text/plain" action="${base}/api/action/cluster-stop"><input name='{"x":"' value='"}'></form>`);
  const [forged] = await Promise.all([evil.waitForResponse((r) => r.url().endsWith('/api/action/cluster-stop')), evil.evaluate(() => (document.getElementById('f') as HTMLFormElement).submit())]);
  t.ok([401, 403, 415].includes(forged.status()), `cross-site form refused (${forged.status()})`);
  const noToken = await page.evaluate(async () => (await fetch('/api/action/cluster-stop', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status);
  t.equal(noToken, 403, 'a request without the CSRF token is refused');
  t.match((await clp('server1', 'clpstat')).out, /server1.*Online/s, 'the cluster still runs');

  // One server's reboot from the page: its group is handed over and comes back to server1.
  await page.click('#server-reboot-server2');
  await page.locator('#confirm-title', { hasText: 'Reboot server2' }).waitFor();
  await page.click('#confirm-ok');
  await row.locator('.group-where', { hasText: 'server1' }).waitFor({ timeout: 60000 });
  t.pass('failover1 handed over to server1 as server2 reboots');
  await page.locator('tr[data-server="server2"] .server-status', { hasText: 'Offline' }).waitFor({ timeout: 30000 });
  const powerLog = path.join(s.servers[1].root, 'power.log');
  await until(async () => fs.existsSync(powerLog) && /reboot/.test(fs.readFileSync(powerLog, 'utf8')), 20000, 'the reboot recorded on server2');
  t.pass('server2 rebooted (the lab records the power action)');

  // /metrics with a scrape token, from the real runtime: its own RSS, CPU and event-loop lag.
  const tok = spawnSync(process.execPath, [path.join(repo, 'dist', 'cli', 'pairha.js'), 'clpwebpasswd', '-k', 'prometheus'], { env, encoding: 'utf8' });
  t.equal(tok.status, 0, tok.stderr);
  const metrics = await page.evaluate(async (token) => (await fetch('/metrics', { headers: { authorization: `Bearer ${token}` } })).text(), tok.stdout.trim());
  t.match(metrics, /pairha_server_up\{server="server1"\} 1/, '/metrics: server1 up');
  t.match(metrics, /pairha_runtime_resident_bytes [1-9]\d{6,}/, "/metrics: the runtime's RSS");
  t.match(metrics, /pairha_runtime_cpu_seconds \d/, "/metrics: the runtime's CPU time");
  for (const q of ['0.5', '0.99', '1']) t.match(metrics, new RegExp(`pairha_runtime_event_loop_lag_seconds\\{quantile="${q}"\\} [0-9.e-]+\n`), `/metrics: the runtime's event-loop lag, quantile ${q}`);

  // Alert log page, the phone width, logout.
  await page.click('nav [data-page="alerts"]');
  await page.getByRole('table', { name: 'Alert log' }).locator('td', { hasText: 'failed login' }).first().waitFor();
  t.pass('the alert log page shows the failed login');
  await shot(page, 'alerts');
  await page.click('nav [data-page="health"]');
  await page.locator('#page-health h2', { hasText: 'Memory' }).waitFor();
  await shot(page, 'health');
  await page.click('nav [data-page="cluster"]');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.locator('tr[data-server="server1"]').waitFor();
  t.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no sideways scrolling of the page on a phone (tables scroll in place)');
  await shot(page, 'cluster-phone');
  await page.click('#logout');
  await page.locator('#login').waitFor();
  t.ok(await page.locator('#app').isHidden(), 'logged out: the pages are gone');
  t.equal(await page.evaluate(async () => (await fetch('/api/cluster')).status), 401, 'logged out: the API refuses');
});
