/**
 * The money path through the console, in a real browser against `bursar serve` on DynamoDB Local:
 * a bureau user submits a file with good and bad rows and sees each line's result; a recipient
 * named like an HTML payload stays text everywhere names are shown; a clerk prepares a run and
 * cannot approve it; a reviewer approves; the clerk exports, downloads the payment file and
 * uploads the bank's results, and sees what was paid and what failed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startBursar, type BursarServer } from './support/bursar-server.ts';
import { launchBrowser, newUserPage, screenshot, signIn } from './support/browser.ts';
import { awardsCsv, budgetsCsv, XSS_NAME } from './support/data.ts';

// Browser globals, for the functions that run in the page (page.evaluate); this file is type-checked without the DOM lib.
declare const window: { __xss?: unknown };
declare const document: { cookie: string; documentElement: { lang: string }; querySelector(selector: string): unknown };

let server: BursarServer;
let browser: Browser;
const users: Record<string, { username: string; password: string }> = {};
const RUN = 'RUN-2025-04';

beforeAll(async () => {
  [server, browser] = await Promise.all([startBursar(), launchBrowser()]);
  const budgets = path.join(server.dataDir, 'budgets.csv');
  writeFileSync(budgets, budgetsCsv({ 1: '1000000.00', 2: '300.00', 11: '100000.00' }));
  server.cli(['budget', 'load', budgets, '--by', 'e2e-setup']);
  Object.assign(users, {
    eitb: server.addUser('f-eitb', ['bureau'], 'EITB'),
    clerk: server.addUser('f-clerk', ['clerk']),
    reviewer: server.addUser('f-reviewer', ['reviewer']),
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function as(role: string, body: (page: Page) => Promise<void>): Promise<void> {
  const { context, page }: { context: BrowserContext; page: Page } = await newUserPage(browser, server.url);
  try {
    await signIn(page, users[role]!);
    await body(page);
    expect(await page.evaluate(() => window.__xss)).toBeUndefined();
  } finally {
    await context.close();
  }
}

const FILE = awardsCsv([
  { award_id: 'EITB-F-0001', measure: 1, unit: 'EITB', amount: '120000.00' }, // line 2
  { award_id: 'EITB-F-0002', measure: 1, unit: 'EITB', amount: '80000.50' }, // line 3
  { award_id: 'EITB-F-0003', measure: 1, unit: 'EITB', amount: '5000.00' }, // line 4
  { award_id: 'EITB-F-0004', measure: 2, unit: 'EITB', amount: '400.00', name: XSS_NAME }, // line 5: waits (300.00 budget)
  { award_id: 'STB-F-0001', measure: 11, unit: 'STB', amount: '1000.00' }, // line 6: not this bureau's unit
  { award_id: 'EITB-F-0006', measure: 1, unit: 'EITB', amount: '1000.00', uscc: '91330213MA000006A0' }, // line 7: bad check char
  { award_id: 'EITB-F-0007', measure: 1, unit: 'EITB', amount: '12,000' }, // line 8: bad amount
  { award_id: 'EITB-F-0008', measure: 11, unit: 'EITB', amount: '1000.00' }, // line 9: EITB not responsible for 11
]);

it('a bureau user uploads a file with good and bad rows and sees the result of every line', async () => {
  await as('eitb', async (page) => {
    await page.goto('/#/submit');
    await page.locator('input[type="file"]').setInputFiles({ name: 'awards.csv', mimeType: 'text/csv', buffer: Buffer.from(FILE) });
    const report = page.getByTestId('submit-report');
    await report.waitFor();
    const count = async (k: string) => (await page.getByTestId(`count-${k}`).locator('.ant-statistic-content-value').textContent())?.trim();
    expect(await count('submitted')).toBe('8');
    expect(await count('reserved')).toBe('3');
    expect(await count('status_WAITLISTED')).toBe('1');
    expect(await count('rejected')).toBe('1');
    expect(await count('invalid')).toBe('3');
    const rows = await page.getByTestId('submit-results').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    const byLine = new Map(rows.map((r) => [r[0], r]));
    expect(byLine.get('2')?.[2]).toBe('已预留');
    expect(byLine.get('5')?.[2]).toBe('候补');
    expect(byLine.get('6')?.[2]).toBe('格式错误');
    expect(byLine.get('6')?.[4]).toContain('approving_unit');
    expect(byLine.get('7')?.[4]).toContain('recipient_uscc');
    expect(byLine.get('8')?.[4]).toContain('amount_yuan');
    expect(byLine.get('9')?.[2]).toBe('不符合条件');
    expect(byLine.get('9')?.[3]).toBe('UNIT_NOT_RESPONSIBLE');
    // Only the problems, for fixing the file.
    await page.getByRole('checkbox').check();
    expect(await page.getByTestId('submit-results').locator('tbody tr').count()).toBe(4);
    await page.getByRole('checkbox').uncheck();
    await screenshot(page, 'submit-results');
  });
});

it('shows a recipient named like an HTML payload as text on every page that shows names', async () => {
  await as('eitb', async (page) => {
    await page.goto(`/#/awards?q=${encodeURIComponent('<img')}`);
    const name = page.getByTestId('awards-table').getByTestId('recipient-name');
    await name.first().waitFor();
    expect(await name.allTextContents()).toEqual([XSS_NAME]);
    await page.getByRole('button', { name: 'EITB-F-0004' }).click();
    await page.getByTestId('award-detail').waitFor();
    expect(await page.getByTestId('award-detail').textContent()).toContain(XSS_NAME);
    expect(await page.getByTestId('payee-account').textContent()).toMatch(/^\*+\d{4}$/);
    await screenshot(page, 'award-drawer-xss');
    await page.goto('/#/waitlist?fy=2025&measure=2');
    await page.getByTestId('waitlist-table').getByText(XSS_NAME, { exact: true }).waitFor();
    expect(await page.getByTestId('waitlist-summary').textContent()).toContain('100.00'); // 400.00 needed, 300.00 available
    await screenshot(page, 'waitlist-xss');
    expect(await page.locator('img').count()).toBe(0);
  });
});

it('a clerk prepares a run for a period and cannot approve it', async () => {
  await as('clerk', async (page) => {
    await page.goto('/#/runs');
    await page.locator('#prepare-period').fill('2025-04');
    await page.getByRole('button', { name: '生成批次' }).click();
    await page.waitForURL(`**/#/runs/${RUN}`);
    await page.locator('[data-testid="run-status"][data-status="PREPARED"]').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('run-total').textContent()).toBe('205,000.50');
    expect(await page.getByTestId('batches-table').locator('tbody tr').count()).toBeGreaterThan(0);
    const approve = page.getByRole('button', { name: '审核通过' });
    expect(await approve.isDisabled()).toBe(true);
    expect(await page.getByTestId('approve-why').textContent()).toBe('您是该批次的经办人，不能审核自己生成的批次（四眼原则）');
    // The API refuses it as well.
    const status = await page.evaluate(async (run) => {
      const csrf = /bursar_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? '';
      const res = await fetch(`/api/v1/runs/${run}/approve`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': decodeURIComponent(csrf) }, body: '{}' });
      return res.status;
    }, RUN);
    expect(status).toBe(403);
    await screenshot(page, 'run-clerk-cannot-approve');
  });
});

it('a reviewer approves the run', async () => {
  await as('reviewer', async (page) => {
    await page.goto(`/#/runs/${RUN}`);
    await page.getByRole('button', { name: '审核通过' }).click();
    await page.locator('[data-testid="run-status"][data-status="APPROVED"]').waitFor();
    expect(await page.getByTestId('run-detail').textContent()).toContain(users['reviewer']!.username);
    await screenshot(page, 'run-approved');
  });
});

it('the clerk exports the run, downloads the payment file and uploads the bank results', async () => {
  await as('clerk', async (page) => {
    await page.goto(`/#/runs/${RUN}`);
    await page.getByRole('button', { name: '导出支付文件' }).click();
    await page.locator('[data-testid="run-status"][data-status="EXPORTED"]').waitFor();
    const link = page.getByTestId('files-table').locator('a[href$=".csv"]').first();
    await link.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const file = path.join(server.dataDir, 'downloaded.csv');
    await download.saveAs(file);
    const text = readFileSync(file, 'utf8');
    for (const id of ['EITB-F-0001', 'EITB-F-0002', 'EITB-F-0003']) expect(text).toContain(id);

    const results = 'award_id,status,reference,reason\r\nEITB-F-0001,PAID,BOC0001,\r\nEITB-F-0002,PAID,BOC0002,\r\nEITB-F-0003,FAILED,,账户已销户\r\n';
    await page.locator('input[type="file"]').setInputFiles({ name: 'results.csv', mimeType: 'text/csv', buffer: Buffer.from(results) });
    const settled = page.getByTestId('settle-result');
    await settled.waitFor();
    const text2 = await settled.textContent();
    expect(text2).toContain('200,000.50'); // paid
    expect(text2).toContain('5,000.00'); // failed
    await page.locator('[data-testid="run-status"][data-status="SETTLED"]').waitFor();
    await screenshot(page, 'run-page');
  });
});
