/**
 * The year-end close (年终结转, issue 15 §3) through the console, in a real browser against `bursar
 * serve` on DynamoDB Local: a clerk is told (in the API's words) that a year with an unsettled run
 * cannot close; once it is settled, a clerk who is also a reviewer proposes the close (a double click
 * sends one request) and sees the plan, and may not approve it (disabled with the reason; the API
 * answers SAME_PERSON too); a clerk sees no approve; a bureau user sees the status and no buttons;
 * a second reviewer sees the proposed year's envelopes as the approval will find them, approves,
 * the report shows what carried and lapsed, and the overview's FY2025
 * and FY2026 figures follow. The page passes axe-core.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startBursar, type BursarServer } from './support/bursar-server.ts';
import { launchBrowser, newUserPage, screenshot, seriousViolations, signIn } from './support/browser.ts';
import { awardsCsv, budgetsCsv } from './support/data.ts';

// Browser globals, for the functions that run in the page (page.evaluate); this file is type-checked without the DOM lib.
declare const document: { querySelector(selector: string): unknown };

let server: BursarServer;
let browser: Browser;
const users: Record<string, { username: string; password: string }> = {};
const file = (name: string, text: string) => {
  const p = path.join(server.dataDir, name);
  writeFileSync(p, text);
  return p;
};

beforeAll(async () => {
  [server, browser] = await Promise.all([startBursar(), launchBrowser()]);
  server.cli(['budget', 'load', file('budgets.csv', budgetsCsv({ 1: '1000000.00' })), '--by', 'e2e-setup']);
  server.cli(['awards', 'submit', file('awards.csv', awardsCsv([
    { award_id: 'EITB-Y-0001', measure: 1, unit: 'EITB', amount: '120000.00', approved: '2025-04-10' }, // paid by RUN-2025-04
    { award_id: 'EITB-Y-0002', measure: 1, unit: 'EITB', amount: '30000.00', approved: '2025-06-10' }, // still RESERVED at the close: carried
  ]))]);
  server.cli(['run', 'prepare', '--period', '2025-04', '--by', 'y-clerk']);
  Object.assign(users, {
    clerk: server.addUser('y-clerk', ['clerk']),
    both: server.addUser('y-both', ['clerk', 'reviewer']),
    reviewer: server.addUser('y-reviewer', ['reviewer']),
    eitb: server.addUser('y-eitb', ['bureau'], 'EITB'),
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function as(role: string, body: (page: Page, context: BrowserContext) => Promise<void>): Promise<void> {
  const { context, page } = await newUserPage(browser, server.url);
  try {
    await signIn(page, users[role]!);
    await body(page, context);
  } finally {
    await context.close();
  }
}

/** Waits until the page's requests are answered and nothing is loading any more. */
async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() => !document.querySelector('.ant-spin-spinning, [aria-busy="true"]'), undefined, { timeout: 15_000 });
}

async function openYearEnd(page: Page): Promise<void> {
  await page.goto('/#/year-end');
  await page.getByTestId('year-status-2025').waitFor();
  await settle(page);
}

const yearStatus = (page: Page, fy: number) => page.getByTestId(`year-status-${fy}`).getAttribute('data-status');
const expectText = async (page: Page, testId: string, text: string) => {
  await page.getByTestId(testId).filter({ hasText: new RegExp(`^${text.replaceAll('.', '\\.')}$`) }).waitFor();
};

it('a clerk is told in the API\'s words why a year with an unsettled run cannot close', async () => {
  await as('clerk', async (page) => {
    await openYearEnd(page);
    expect(await page.getByTestId('policy-ends').textContent()).toBe('2026-12-31');
    expect(Number(await page.getByTestId('policy-days-left').getAttribute('data-days'))).toBeGreaterThanOrEqual(0);
    expect(await yearStatus(page, 2025)).toBe('OPEN');
    expect(await page.getByTestId('approve-2025').count()).toBe(0);

    await page.getByTestId('propose-2025').click();
    const dialog = page.getByRole('dialog');
    // The confirmation says what closing does.
    const explain = await dialog.textContent();
    for (const words of ['2026年度', '结余', '退回（RETURNED）', '另一位财政审核人员']) expect(explain).toContain(words);
    await dialog.getByRole('button', { name: '提议结转' }).click();
    const error = dialog.locator('[data-code="OPEN_RUNS"]');
    await error.waitFor();
    expect(await error.textContent()).toContain('未结清的拨付批次');
    expect(await error.textContent()).toContain('RUN-2025-04'); // the server's own message names the run
    await screenshot(page, 'year-end-open-runs');
    await dialog.getByRole('button', { name: /^取\s*消$/ }).click();
    expect(await yearStatus(page, 2025)).toBe('OPEN');
  });

  // The run goes through: approved by a second person, exported, the bank pays it.
  server.cli(['run', 'approve', 'RUN-2025-04', '--by', 'y-reviewer-b']);
  const out = path.join(server.dataDir, 'out');
  mkdirSync(out, { recursive: true });
  server.cli(['run', 'export', 'RUN-2025-04', '--out', out]);
  server.cli(['run', 'settle', 'RUN-2025-04', '--results', file('results.csv', 'award_id,status,reference,reason,amount_yuan\nEITB-Y-0001,PAID,R-1,,120000.00\n'), '--by', 'y-clerk']);
}, 120_000);

it('a clerk who is also a reviewer proposes the close once, sees the plan, and may not approve it', async () => {
  await as('both', async (page, context) => {
    await openYearEnd(page);
    const posts: string[] = [];
    page.on('request', (r) => { if (r.method() === 'POST' && r.url().includes('/api/v1/years/')) posts.push(r.url()); });
    await page.getByTestId('propose-2025').click();
    await page.getByRole('dialog').getByRole('button', { name: '提议结转' }).dblclick();
    const report = page.getByTestId('close-report');
    await report.waitFor();
    expect(posts).toEqual([`${server.url}/api/v1/years/2025/close`]);
    expect(await report.getAttribute('data-kind')).toBe('propose');
    expect(await report.textContent()).toContain('y-both');
    await expectText(page, 'carried-1', '30,000.00'); // EITB-Y-0002, still reserved
    await expectText(page, 'lapsed-1', '850,000.00'); // 1,000,000.00 − 120,000.00 paid − 30,000.00 reserved
    await expectText(page, 'carried-total', '30,000.00');

    await page.locator('[data-testid="year-status-2025"][data-status="PROPOSED"]').waitFor();
    expect(await page.getByTestId('year-status-2025').textContent()).toContain('待审核');
    const approve = page.getByTestId('approve-2025');
    expect(await approve.isDisabled()).toBe(true);
    expect(await page.getByTestId('approve-why-2025').textContent()).toContain('四眼原则');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'year-end-proposed');

    // The API refuses the proposer anyway.
    const csrf = (await context.cookies()).find((c) => c.name === 'bursar_csrf')!.value;
    const refused = await context.request.post(`${server.url}/api/v1/years/2025/approve`, { headers: { 'X-CSRF-Token': csrf }, data: {} });
    expect(refused.status()).toBe(403);
    expect((await refused.json()).error.code).toBe('SAME_PERSON');
  });
}, 120_000);

it('a clerk sees the proposal and who made it, and no approval', async () => {
  await as('clerk', async (page) => {
    await openYearEnd(page);
    expect(await yearStatus(page, 2025)).toBe('PROPOSED');
    expect(await page.getByTestId('years-table').textContent()).toContain('y-both');
    expect(await page.getByTestId('propose-2025').textContent()).toBe('更新结转方案');
    expect(await page.getByTestId('approve-2025').count()).toBe(0);
    // The overview's badge says so too (from GET /years, asked for after the figures).
    await page.goto('/#/?fy=2025');
    await page.locator('[data-testid="year-status"][data-status="yearProposed"]').waitFor();
    expect(await page.getByTestId('year-status').textContent()).toContain('结转待审核');
  });
}, 60_000);

it('a bureau user sees the years\' status and no buttons', async () => {
  await as('eitb', async (page) => {
    await openYearEnd(page);
    expect(await yearStatus(page, 2025)).toBe('PROPOSED');
    expect(await page.getByTestId('years-table').locator('button').count()).toBe(0);
    expect(await page.getByTestId('years-table').textContent()).not.toContain('y-both');
    expect(await page.getByTestId('close-preview-2025').count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'year-end-bureau');
  });
}, 60_000);

it('a second reviewer approves: the report shows what carried and lapsed, and the envelopes move', async () => {
  await as('reviewer', async (page) => {
    await openYearEnd(page);
    // Before approving: the proposed year's envelopes as the approval will find them.
    await expectText(page, 'preview-reserved-2025-1', '30,000.00');
    await expectText(page, 'preview-available-2025-1', '850,000.00');
    await page.getByTestId('approve-2025').click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain('不可撤销');
    await dialog.getByRole('button', { name: '审核结转' }).click();
    const report = page.locator('[data-testid="close-report"][data-kind="approve"]');
    await report.waitFor({ timeout: 60_000 });
    expect(await report.getAttribute('data-changed')).toBe('true');
    expect(await report.textContent()).toContain('y-reviewer');
    await expectText(page, 'carried-1', '30,000.00');
    await expectText(page, 'lapsed-1', '850,000.00');
    // The years are read again: FY2025 closed, FY2026 (carried into) open.
    await page.locator('[data-testid="year-status-2025"][data-status="CLOSED"]').waitFor();
    await page.locator('[data-testid="year-status-2026"][data-status="OPEN"]').waitFor();
    expect(await page.getByTestId('years-table').locator('button').count()).toBe(0);
    expect(await page.getByTestId('close-preview-2025').count()).toBe(0);
    await settle(page);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'year-end-approved');

    // The overview's figures (its queries were invalidated by the close).
    await page.goto('/#/?fy=2025');
    await page.locator('[data-testid="year-status"][data-status="yearClosed"]').waitFor();
    await expectText(page, 'carried_out_fen-1', '30,000.00');
    await expectText(page, 'lapsed_fen-1', '850,000.00');
    await expectText(page, 'available_fen-1', '0.00');
    await page.goto('/#/?fy=2026');
    await expectText(page, 'carried_in_fen-1', '30,000.00');
    await expectText(page, 'reserved_fen-1', '30,000.00');
    await expectText(page, 'budget_fen-1', '30,000.00');
    await screenshot(page, 'year-end-overview-2026');
  });
}, 120_000);
