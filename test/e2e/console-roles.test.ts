/**
 * The console in a real browser against `bursar serve` on DynamoDB Local: every role signs in and
 * sees exactly its pages (each passing axe-core with no serious or critical violation), the
 * overview's figures equal `bursar budget show` on the same store, a bureau user never sees another
 * unit's data, and the language switch persists.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { formatYuanGrouped } from '../../shared/domain/money.ts';
import { startBursar, type BursarServer } from './support/bursar-server.ts';
import { launchBrowser, newUserPage, screenshot, seriousViolations, signIn } from './support/browser.ts';
import { awardsCsv, budgetsCsv, XSS_NAME } from './support/data.ts';

// Browser globals, for the functions that run in the page (page.evaluate); this file is type-checked without the DOM lib.
declare const window: { __xss?: unknown };
declare const document: { cookie: string; documentElement: { lang: string }; querySelector(selector: string): unknown };

let server: BursarServer;
let browser: Browser;
const users: Record<string, { username: string; password: string }> = {};

beforeAll(async () => {
  [server, browser] = await Promise.all([startBursar(), launchBrowser()]);
  const budgets = path.join(server.dataDir, 'budgets.csv');
  writeFileSync(budgets, budgetsCsv({ 1: '1000000.00', 2: '300.00', 11: '500000.00', 12: '800000.00' }));
  server.cli(['budget', 'load', budgets, '--by', 'e2e-setup']);
  const awards = path.join(server.dataDir, 'awards.csv');
  writeFileSync(awards, awardsCsv([
    { award_id: 'EITB-R-0001', measure: 1, unit: 'EITB', amount: '120000.00' },
    { award_id: 'EITB-R-0002', measure: 1, unit: 'EITB', amount: '80000.50', approved: '2025-05-20' },
    { award_id: 'EITB-R-0003', measure: 2, unit: 'EITB', amount: '200.00' },
    { award_id: 'EITB-R-0004', measure: 2, unit: 'EITB', amount: '250.00', name: XSS_NAME }, // waits: 100.00 left
    { award_id: 'STB-R-0001', measure: 11, unit: 'STB', amount: '50000.00', name: '宁波科创研究院有限公司' },
    { award_id: 'STB-R-0002', measure: 12, unit: 'STB', amount: '70000.00', name: '宁波科技示范有限公司' },
  ]));
  server.cli(['awards', 'submit', awards]);
  Object.assign(users, {
    clerk: server.addUser('r-clerk', ['clerk']),
    reviewer: server.addUser('r-reviewer', ['reviewer']),
    auditor: server.addUser('r-auditor', ['auditor']),
    admin: server.addUser('r-admin', ['admin']),
    eitb: server.addUser('r-eitb', ['bureau'], 'EITB'),
    stb: server.addUser('r-stb', ['bureau'], 'STB'),
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const NAV: Record<string, string[]> = {
  clerk: ['overview', 'awards', 'submit', 'waitlist', 'holds', 'runs', 'execution', 'year-end', 'alerts', 'reconciliation'],
  reviewer: ['overview', 'awards', 'waitlist', 'holds', 'runs', 'execution', 'year-end', 'alerts', 'reconciliation', 'audit'],
  auditor: ['overview', 'awards', 'waitlist', 'holds', 'runs', 'execution', 'year-end', 'alerts', 'reconciliation', 'audit'],
  admin: ['users'],
  eitb: ['overview', 'awards', 'submit', 'waitlist', 'holds', 'execution', 'year-end', 'alerts'],
  stb: ['overview', 'awards', 'submit', 'waitlist', 'holds', 'execution', 'year-end', 'alerts'],
};
const PATHS: Record<string, string> = {
  overview: '/?fy=2025', awards: '/awards?fiscal_year=2025', submit: '/submit', waitlist: '/waitlist?fy=2025', holds: '/holds', runs: '/runs', execution: '/execution?fy=2025',
  alerts: '/alerts', reconciliation: '/reconciliation', audit: '/audit', users: '/users', 'year-end': '/year-end',
};

async function navLinks(page: Page): Promise<string[]> {
  const hrefs = await page.locator('nav a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
  return hrefs.map((h) => h.replace(/^#\//, '').split('?')[0] || 'overview');
}

/** Waits until the page's requests are answered and nothing is loading any more. */
async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() => !document.querySelector('.ant-spin-spinning, [aria-busy="true"]'), undefined, { timeout: 15_000 });
}

/** Each page once, with a role that may see it, after its data has arrived. */
const A11Y: [string, string][] = [
  ['clerk', 'overview'], ['clerk', 'awards'], ['clerk', 'submit'], ['clerk', 'waitlist'], ['clerk', 'runs'], ['clerk', 'execution'],
  ['clerk', 'alerts'], ['clerk', 'reconciliation'], ['reviewer', 'audit'], ['admin', 'users'],
];

describe.each(Object.keys(NAV))('signed in as %s', (role) => {
  it('sees only its pages and can open each; names are shown as text', async () => {
    const { context, page } = await newUserPage(browser, server.url);
    try {
      await signIn(page, users[role]!);
      expect(await page.getByTestId('me-username').textContent()).toBe(users[role]!.username);
      expect((await navLinks(page)).sort()).toEqual([...NAV[role]!].sort());
      for (const id of NAV[role]!) {
        await page.goto(`/#${PATHS[id]}`);
        await settle(page);
        expect(await page.locator('main .ant-alert-error').count()).toBe(0);
      }
      // A page the role may not use says so instead of showing anything.
      const forbidden = Object.keys(PATHS).find((id) => id !== 'overview' && !NAV[role]!.includes(id))!;
      await page.goto(`/#${PATHS[forbidden]}`);
      await page.locator('main .ant-alert-warning').waitFor();
      expect(await page.evaluate(() => window.__xss)).toBeUndefined();
      await page.goto(`/#${PATHS[NAV[role]![0]!]}`);
      await settle(page);
      await screenshot(page, `role-${role}`);
    } finally {
      await context.close();
    }
  });
});

it('has no serious or critical axe-core violation on any page', async () => {
  const problems: string[] = [];
  for (const role of ['clerk', 'reviewer', 'admin']) {
    const { context, page } = await newUserPage(browser, server.url);
    try {
      await signIn(page, users[role]!);
      if (role === 'clerk') problems.push(...(await seriousViolations(page)).map((v) => `header: ${v}`));
      for (const [, id] of A11Y.filter(([r]) => r === role)) {
        await page.goto(`/#${PATHS[id]}`);
        await settle(page);
        problems.push(...(await seriousViolations(page)).map((v) => `${id}: ${v}`));
      }
    } finally {
      await context.close();
    }
  }
  const { context, page } = await newUserPage(browser, server.url);
  try {
    await page.goto('/');
    await page.locator('#signin-username').waitFor();
    problems.push(...(await seriousViolations(page)).map((v) => `sign-in: ${v}`));
  } finally {
    await context.close();
  }
  expect(problems).toEqual([]);
}, 400_000);

it('shows on the overview exactly the figures of `bursar budget show` for the same store', async () => {
  const { envelopes } = server.cli(['budget', 'show', '--fiscal-year', '2025']) as { envelopes: Record<string, number>[] };
  const { context, page } = await newUserPage(browser, server.url);
  try {
    await signIn(page, users['clerk']!);
    await page.goto('/#/?fy=2025');
    await page.getByTestId('overview-ready').waitFor({ state: 'attached' });
    expect(envelopes.length).toBe(4);
    for (const e of envelopes) {
      for (const f of ['budget', 'reserved', 'batched', 'paid', 'available']) {
        expect(await page.getByTestId(`${f}_fen-${e['measure']}`).textContent()).toBe(formatYuanGrouped(e[`${f}_fen`]!));
      }
      expect(await page.getByTestId(`waiting-${e['measure']}`).textContent()).toBe(formatYuanGrouped(e['waitlisted_fen']!));
    }
    const sum = (f: string) => envelopes.reduce((n, e) => n + e[f]!, 0);
    expect(await page.getByTestId('total-budget_fen').textContent()).toBe(formatYuanGrouped(sum('budget_fen')));
    expect(await page.getByTestId('total-reserved_fen').textContent()).toBe(formatYuanGrouped(sum('reserved_fen')));
    expect(await page.getByTestId('total-available_fen').textContent()).toBe(formatYuanGrouped(sum('available_fen')));
    // The exhaustion forecast arrives after the figures and equals budget show's (issue 15 §4).
    await page.getByTestId('forecast-ready').waitFor({ state: 'attached' });
    for (const e of envelopes as unknown as { measure: number; burn_rate_fen_per_day: number; forecast_exhaustion_date: string }[]) {
      expect(await page.getByTestId(`burn-rate-${e.measure}`).textContent()).toBe(formatYuanGrouped(e.burn_rate_fen_per_day));
      expect(await page.getByTestId(`forecast-${e.measure}`).getAttribute('data-date')).toBe(e.forecast_exhaustion_date);
      expect(await page.getByTestId(`forecast-${e.measure}`).textContent()).toBe(e.forecast_exhaustion_date === 'not this year' ? '本年内不会用尽' : e.forecast_exhaustion_date);
    }
    // A measure without an envelope has no forecast.
    expect(await page.getByTestId('forecast-3').textContent()).toBe('—');
    // The commitments chart of a chosen envelope loads on demand.
    await page.locator('#commitments-envelope').selectOption('1');
    await page.getByTestId('commitments-chart').locator('canvas').waitFor();
    await page.waitForTimeout(600); // the chart's entry animation
    await screenshot(page, 'overview');
  } finally {
    await context.close();
  }
});

it('never shows a bureau user another unit’s awards, envelopes or summary rows', async () => {
  const { context, page } = await newUserPage(browser, server.url);
  try {
    await signIn(page, users['stb']!);
    await page.goto('/#/?fy=2025');
    await page.getByTestId('overview-ready').waitFor({ state: 'attached' });
    const measures = await page.locator('tr.measure').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-measure'))));
    expect(measures).toEqual([4, 11, 12, 21, 23, 27]); // STB's measures only
    expect(await page.getByTestId('budget_fen-12').textContent()).toBe('800,000.00');

    await page.goto('/#/awards');
    await page.getByTestId('awards-table').locator('tbody tr.ant-table-row').first().waitFor();
    await settle(page);
    const ids = await page.getByTestId('awards-table').locator('tbody tr.ant-table-row td:first-child').allTextContents();
    expect(ids.sort()).toEqual(['STB-R-0001', 'STB-R-0002']);

    // Asking the API directly for another unit's award or envelope answers as if it did not exist.
    const other = await page.evaluate(async () => {
      const award = await fetch('/api/v1/awards/EITB-R-0001');
      const search = await (await fetch('/api/v1/awards?q=EITB-R-0001')).json() as { awards: unknown[] };
      const envelopes = await (await fetch('/api/v1/envelopes?fiscal_year=2025')).json() as { envelopes: { measure: number }[] };
      const forecasts = await (await fetch('/api/v1/forecasts?fiscal_year=2025')).json() as { forecasts: { measure: number }[] };
      return {
        award: award.status, found: search.awards.length, measures: envelopes.envelopes.map((e) => e.measure).sort((a, b) => a - b),
        forecasts: forecasts.forecasts.map((f) => f.measure),
      };
    });
    expect(other).toEqual({ award: 404, found: 0, measures: [11, 12], forecasts: [11, 12] });

    await page.goto('/#/execution?fy=2025');
    await page.getByTestId('summary-total').waitFor();
    await settle(page);
    expect(await page.getByTestId('summary-total').textContent()).toContain('1,300,000.00'); // 500,000 + 800,000
    await screenshot(page, 'bureau-stb-execution');
  } finally {
    await context.close();
  }
});

it('switches to English and keeps the choice after a reload and a new sign-in', async () => {
  const { context, page } = await newUserPage(browser, server.url);
  try {
    await signIn(page, users['auditor']!);
    await expect(page.locator('nav').textContent()).resolves.toContain('预算总览');
    await page.getByRole('button', { name: /English/ }).click();
    await expect(page.locator('nav').textContent()).resolves.toContain('Budget overview');
    await page.reload();
    await page.getByTestId('me-username').waitFor();
    await expect(page.locator('nav').textContent()).resolves.toContain('Budget overview');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#signin-username').waitFor();
    expect(await page.locator('h1').textContent()).toBe('Sign in to Bursar');
    await screenshot(page, 'signin-english');
  } finally {
    await context.close();
  }
});

it('lets a clerk move budget between measures from the overview, showing a refusal in plain words (issue 15 §1)', async () => {
  const { context, page } = await newUserPage(browser, server.url);
  try {
    await signIn(page, users['clerk']!);
    await page.goto('/#/?fy=2025');
    await page.getByTestId('overview-ready').waitFor({ state: 'attached' });
    // Measure 2 has 100.00 left and EITB-R-0004 (250.00) waiting.
    expect(await page.getByTestId('available_fen-2').textContent()).toBe('100.00');
    await page.getByRole('button', { name: '预算调剂' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('调出措施').selectOption('2');
    await dialog.getByLabel('调入措施').selectOption('1');
    await dialog.getByLabel('金额（元）').fill('5000.00');
    await dialog.getByLabel('原因').fill('e2e: more than is available');
    await dialog.getByRole('button', { name: '确认调剂' }).click();
    await dialog.locator('[data-code="INSUFFICIENT_AVAILABLE"]').waitFor();
    expect(await dialog.locator('[data-code="INSUFFICIENT_AVAILABLE"]').textContent()).toContain('可用余额不足');

    // Corrected: 150.00 from measure 1 to measure 2 serves the waiting award. Clicked twice, it is one transfer.
    await dialog.getByLabel('调出措施').selectOption('1');
    await dialog.getByLabel('调入措施').selectOption('2');
    await dialog.getByLabel('金额（元）').fill('150.00');
    await dialog.getByLabel('原因').fill('e2e: measure 2 ran dry');
    await dialog.getByRole('button', { name: '确认调剂' }).dblclick();
    await dialog.getByTestId('transfer-done').waitFor();
    expect(await dialog.getByTestId('transfer-done').textContent()).toContain('1 笔奖补');
    await screenshot(page, 'overview-transfer');
    await dialog.getByRole('button', { name: '关闭' }).first().click();
    await page.getByTestId('overview-ready').waitFor({ state: 'attached' });
    await page.waitForFunction(() => (document.querySelector('[data-testid="budget_fen-2"]') as { textContent: string } | null)?.textContent === '450.00');
    const shown = server.cli(['budget', 'show', '--fiscal-year', '2025']) as { envelopes: { measure: number; budget_fen: number; available_fen: number }[] };
    expect(shown.envelopes.find((e) => e.measure === 2)).toMatchObject({ budget_fen: 45_000, available_fen: 0 });
    expect(shown.envelopes.find((e) => e.measure === 1)!.budget_fen).toBe(100_000_000 - 15_000);
    const audit = server.cli(['budget', 'history', '--fiscal-year', '2025', '--measure', '1']) as unknown;
    expect(JSON.stringify(audit).match(/TR-WEB-/g)).toHaveLength(1);
  } finally {
    await context.close();
  }
});
