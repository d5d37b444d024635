// The web manager on the virtual pair booted from the image (clusterpro_webmgr started by
// rcS), in a real browser in the pair's client namespace: a wrong password and forged requests
// refused, the heartbeat matrix, a group moved from the page; the mirror disk helper's
// §11.10.7-11 rows — a broken mirror shown, Recover to 100 %, Stop recovery midway, forced
// recovery from a chosen server, Detail — on one booted pair.
/// <reference lib="dom" />
import t from 'tap';
import { vmSkipReason } from '../../src/host/pair/fixture';
import { md1OnDm, mirrorPair, normal, okIn, swapMd1Table, waitFor, downAfter, type MirrorPair } from '../../src/host/pair/mirror-fixture';
import { browserIn, haveChromium, keyboardLogin, open, shot } from '../helpers/web';

const skip = vmSkipReason();
if (skip) { t.skip(`WEB VM TESTS SKIPPED: ${skip}`, () => {}); process.exit(0); }
if (!haveChromium) { t.fail('chromium is missing: bash scripts/setup.sh installs it'); process.exit(1); }

const PASSWORD = 'pair web secret';

t.test('the mirror disk helper on the virtual pair', async (t) => {
  // md1 on a dm map, so that a recovery can be slowed below liscal: the Stop must come while it
  // runs, and the page must be seen climbing, however fast the host is.
  const m: MirrorPair = await mirrorPair('w1', md1OnDm.edit, md1OnDm.stickFiles);
  downAfter(t, m);
  const { pair, s } = m;
  const ok = okIn(t, m);
  await pair.waitOnline(s, 400000);
  await waitFor(() => m.mdstat('server1'), (o) => normal.test(o), 600000, 'initial construction', 5000);
  await ok('server1', ['sh', '-c', `printf '%s\\n%s\\n' '${PASSWORD}' '${PASSWORD}' | clpwebpasswd admin`], 'the first password, on the console');

  const browser = await browserIn(t, pair.clientNs);
  const page = await (await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } })).newPage();
  const base = 'https://10.0.0.1:29003';
  await open(page, `${base}/`, 120000);
  await keyboardLogin(page, 'admin', 'not the password');
  await page.locator('#login-error', { hasText: 'wrong user name or password' }).waitFor();
  t.pass('a wrong password is refused');
  await page.fill('#user', '');
  await page.fill('#password', '');
  await keyboardLogin(page, 'admin', PASSWORD);
  for (const name of ['server1', 'server2']) await page.locator(`tr[data-server="${name}"] .server-status`, { hasText: 'Online' }).waitFor({ timeout: 30000 });
  t.pass('logged in; both servers Online');
  const matrix = page.getByRole('table', { name: 'Heartbeat matrix' });
  t.equal(await matrix.locator('tbody tr').count(), 4, 'matrix: each server as seen by each');
  t.ok(await matrix.locator('td.ok').count() >= 4, 'alive heartbeats shown');

  // A forged cross-site form and a request without the session's CSRF token: refused.
  const evil = await page.context().newPage();
  await evil.setContent(`<form id="f" method="post" enctype="text/plain" action="${base}/api/action/cluster-stop"><input name='{"x":"' value='"}'></form>`);
  const [forged] = await Promise.all([evil.waitForResponse((r) => r.url().endsWith('/api/action/cluster-stop')), evil.evaluate(() => (document.getElementById('f') as HTMLFormElement).submit())]);
  t.ok([401, 403, 415].includes(forged.status()), `cross-site form refused (${forged.status()})`);
  t.equal(await page.evaluate(async () => (await fetch('/api/action/cluster-stop', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status), 403, 'a request without the CSRF token is refused');

  // The group moved from the page, watched until the page and the console show it on server2.
  const row = page.locator('tr[data-group="failover1"]');
  await row.locator('.group-where', { hasText: 'server1' }).waitFor({ timeout: 60000 });
  await page.selectOption('#move-to-failover1', 'server2');
  await page.click('#group-move-failover1');
  await page.locator('#confirm-title', { hasText: 'Move failover1' }).waitFor();
  await page.click('#confirm-ok');
  await row.locator('.group-where', { hasText: 'server2' }).waitFor({ timeout: 180000 });
  t.pass('failover1 moved from server1 to server2 on the page');
  t.match(await ok('server2', ['clpstat'], 'clpstat on server2'), /failover1\s*: Online\n\s*current\s*: server2\n/, 'and the console sees it there');
  // And back, so that the mirror's story below starts from server1 as the active side.
  await page.selectOption('#move-to-failover1', 'server1');
  await page.click('#group-move-failover1');
  await page.click('#confirm-ok');
  await row.locator('.group-where', { hasText: 'server1' }).waitFor({ timeout: 180000 });
  t.pass('failover1 moved back to server1 on the page');
  await page.click('nav [data-page="mirrors"]');
  const card = page.locator('[data-md="md1"]');
  await card.locator('.md-state', { hasText: /^Normal$/ }).waitFor({ timeout: 30000 });
  t.pass('md1 Normal on the page');

  // /metrics with a scrape token made on the console: the pair's state, liscal's write path
  // (/proc/liscal/stats of the box) and the runtime's own figures.
  await ok('server1', ['sh', '-c', 'dd if=/dev/urandom of=/mnt/md1/metrics-probe bs=4k count=64 conv=fsync 2>/dev/null'], 'server1 writes through md1');
  const token = (await ok('server1', ['clpwebpasswd', '-k', 'prometheus'], 'clpwebpasswd -k prometheus')).trim();
  const metrics = await page.evaluate(async (tok) => (await fetch('/metrics', { headers: { authorization: `Bearer ${tok}` } })).text(), token);
  t.match(metrics, /pairha_server_up\{server="server2"\} 1\n/, '/metrics: server2 up');
  t.match(metrics, /pairha_group_online\{group="failover1",server="server1"\} 1\n/, '/metrics: failover1 Online on server1');
  t.match(metrics, /pairha_mirror_color\{resource="md1",server="server1",color="GREEN"\} 1\n/, '/metrics: md1 GREEN on server1');
  t.match(metrics, /pairha_liscal_writes\{nmp="NMP1",stage="total"\} [1-9]\d*\n/, "/metrics: liscal's mirrored writes, from the box's /proc/liscal/stats");
  t.match(metrics, /pairha_liscal_stage_seconds\{nmp="NMP1",stage="total"\} [0-9.e-]+\n/, "/metrics: liscal's time in the write path");
  t.match(metrics, /pairha_runtime_resident_bytes [1-9]\d{6,}\n/, "/metrics: the runtime's RSS");
  t.match(metrics, /pairha_runtime_event_loop_lag_seconds\{quantile="0\.99"\} [0-9.e-]+\n/, "/metrics: the runtime's event-loop lag");

  // A break while the group is stopped: server1 writes alone (as in mirror-procedures).
  await ok('server1', ['clpgrp', '-t', 'failover1'], 'clpgrp -t failover1');
  await pair.link(s, 'mirror', false);
  await ok('server1', ['clpmdctrl', '--active', 'md1'], 'clpmdctrl --active md1, link cut');
  await ok('server1', ['sh', '-c', 'dd if=/dev/urandom of=/mnt/md1/brk bs=64k count=16 conv=fsync 2>/dev/null; sync'], 'server1 writes alone');
  await ok('server1', ['clpmdctrl', '--deactive', 'md1'], 'clpmdctrl --deactive md1');
  await pair.link(s, 'mirror', true);
  await card.locator('.md-state', { hasText: /^Abnormal$/ }).waitFor({ timeout: 180000 });
  await card.locator('.badge.RED').waitFor({ timeout: 60000 });
  t.equal(await card.locator('.badge').allInnerTexts().then((x) => x.join(' ')), 'GREEN RED', '§11.10.7 the broken mirror: GREEN RED');
  await shot(page, 'mirror-broken');

  // Recover: the differences are copied; the page reaches Normal (100 %).
  await page.click('#md-recover-md1');
  await page.click('#confirm-ok');
  await card.locator('.md-state', { hasText: /^Normal$/ }).waitFor({ timeout: 300000 });
  t.match(await m.mdstat('server1'), normal, '§11.10.8 Recover: GREEN GREEN, the console agrees');

  // Forced recovery from server2 (a full copy), stopped midway from the page: server1's writes
  // are held 500 ms each (dm-delay), so the copy takes minutes at least.
  await ok('server1', ['sh', '-c', swapMd1Table('delay /dev/vda4 0 500')], 'dm-delay 500 ms below md1 on server1');
  await page.selectOption('#force-from-md1', 'server2');
  await page.click('#md-force-md1');
  await page.locator('#confirm-text', { hasText: "server2's data becomes the latest" }).waitFor();
  await page.click('#confirm-ok');
  await card.locator('.md-pct').waitFor({ timeout: 60000 });
  const pct = Number((await card.locator('.md-pct').innerText()).replace('%', ''));
  t.ok(pct < 100, `§11.10.10 forced recovery from server2 running: ${pct}% on the page`);
  await shot(page, 'mirror-recovering');
  await page.click('#md-stop-md1');
  await page.click('#confirm-ok');
  await card.locator('.md-state', { hasText: /^Abnormal$/ }).waitFor({ timeout: 60000 }).catch(async (e: Error) => {
    // What the page and the boxes said instead, for whoever reads the failure.
    const shown = await card.innerText().catch(() => '?');
    throw new Error(`${e.message.split('\n')[0]}\npage: ${shown}\nserver1: ${await m.mdstat('server1')}\nserver2: ${JSON.stringify(await m.liscal('server2'))}`);
  });
  const st = await m.liscal('server2');
  t.equal(st.recovery, 'stopped', `§11.10.9 Stop recovery: liscal on server2 says recovery=${st.recovery}`);

  await ok('server1', ['sh', '-c', swapMd1Table('linear /dev/vda4 0')], 'md1 on server1 at full speed again');

  // Detail, then a forced recovery from server1, watched to the end (server2's writes held
  // 100 ms each: some tens of seconds at least, for the page and the console to see it run).
  await ok('server2', ['sh', '-c', swapMd1Table('delay /dev/vda4 0 100')], 'dm-delay 100 ms below md1 on server2');
  await page.click('#md-detail-md1');
  t.match(await page.locator('#detail-md1').innerText(), /"nmp": 1/, '§11.10.11 Detail shows the driver status');
  await page.selectOption('#force-from-md1', 'server1');
  await page.click('#md-force-md1');
  await page.click('#confirm-ok');
  // The percentage as the page shows it, read every half second until the mirror is Normal.
  // Once, while it runs, the console's view of the same recovery (§11.10.3).
  const seen: number[] = [];
  let console1103 = '';
  const normalState = card.locator('.md-state', { hasText: /^Normal$/ });
  for (const end = Date.now() + 600000; Date.now() < end && !(await normalState.count());) {
    const text = await card.locator('.md-pct').innerText({ timeout: 500 }).catch(() => '');
    const v = Number(text.replace('%', ''));
    if (text && Number.isFinite(v) && v !== seen[seen.length - 1]) seen.push(v);
    if (text && !console1103) {
      const out = await m.mdstat('server1');
      if (out.startsWith('Mirror Status: Recovering\n')) console1103 = out;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  t.ok(seen.length >= 2 && seen.every((v, i) => i === 0 || v > seen[i - 1]), `the percentage climbs on the page: ${seen.join('% ')}%`);
  t.match(console1103, /^Mirror Status: Recovering\n\nmd1\tserver1\tserver2\n\nMirror Color\tYELLOW\tYELLOW\n\nRecovery Status\tValue\n\nStatus:\tRecovering\nDirection:\tserver1 -> server2\nPercent:\t\d+%\nUsed Time:\t\d\d:\d\d:\d\d\nRemain Time:\t\d\d:\d\d:\d\d\n$/,
    '§11.10.3 clpmdstat --mirror md1 during the recovery: the seed\'s layout');
  await normalState.waitFor({ timeout: 1000 });
  t.match(await m.mdstat('server2'), normal, 'forced recovery from server1 done (100 %): GREEN GREEN');
  await ok('server2', ['sh', '-c', swapMd1Table('linear /dev/vda4 0')], 'md1 on server2 at full speed again');
  await shot(page, 'mirror-normal');
  await page.click('#logout');
  await page.locator('#login').waitFor();
});
