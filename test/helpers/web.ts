// Browser tests of the web manager: Debian's chromium driven by playwright-core, run inside a
// network namespace (the lab's or the virtual pair's client) through a small wrapper, so the
// browser reaches the boxes as an operator's laptop on the LAN would.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Test } from 'tap';

export const CHROMIUM = process.env.PAIRHA_CHROMIUM || '/usr/bin/chromium';
export const haveChromium = fs.existsSync(CHROMIUM);

/** Chromium inside netns `ns` (the DevTools pipe crosses `ip netns exec`). */
export async function browserIn(t: Test, ns: string): Promise<Browser> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairha-chromium-'));
  const wrapper = path.join(dir, 'chromium');
  fs.writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${ns} ${CHROMIUM} "$@"\n`, { mode: 0o755 });
  const browser = await chromium.launch({ executablePath: wrapper, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'], timeout: 60000 });
  t.teardown(async () => { await browser.close().catch(() => {}); fs.rmSync(dir, { recursive: true, force: true }); });
  return browser;
}

/** Open the manager, retrying while its process starts. */
export async function open(page: Page, url: string, timeoutMs = 30000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try { await page.goto(url, { timeout: 5000 }); return; } catch (e) { if (Date.now() > end) throw e; await new Promise((r) => setTimeout(r, 300)); }
  }
}

/** Log in with the keyboard alone: type, Tab, type, Enter. */
export async function keyboardLogin(page: Page, user: string, password: string): Promise<void> {
  await page.locator('#user').waitFor();
  await page.focus('#user');
  await page.keyboard.type(user);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
}

/** Screenshots for docs/web.md, taken only when PAIRHA_WEB_SHOTS names a directory. */
export async function shot(page: Page, name: string): Promise<void> {
  const dir = process.env.PAIRHA_WEB_SHOTS;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}
