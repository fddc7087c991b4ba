/**
 * Headless Chromium (Debian's package, driven by playwright-core: no browser download) with the
 * flags that keep it off the network, one browser per test file and a fresh context per user.
 * Screenshots go to test-output/e2e/ (git-ignored); axe-core checks each page.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

export const CHROMIUM = process.env['BURSAR_CHROMIUM'] ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];
export const SCREENSHOTS = path.resolve(import.meta.dirname, '../../../test-output/e2e');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

export async function newUserPage(browser: Browser, baseUrl: string, opts: { width?: number; height?: number; lang?: 'zh' | 'en' } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    baseURL: baseUrl, viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 }, locale: 'zh-CN', timezoneId: 'America/New_York', acceptDownloads: true,
  });
  if (opts.lang) await context.addInitScript(`localStorage.setItem('bursar.lang', ${JSON.stringify(opts.lang)})`);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return { context, page };
}

export async function signIn(page: Page, user: { username: string; password: string }): Promise<void> {
  await page.goto('/');
  await page.locator('#signin-username').fill(user.username);
  await page.locator('#signin-password').fill(user.password);
  await page.locator('form[name="signin"] button[type="submit"]').click();
  await page.getByTestId('me-username').waitFor();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Serious or critical axe-core violations on the page as it is now (empty when none). */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Details for violations only: computing every passing node's details doubles axe's time here.
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .options({ resultTypes: ['violations'] })
    .analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}
