/**
 * Holds (issue 14) and failed payments (issue 13) through the console, in a real browser against
 * `bursar serve` on DynamoDB Local: possible duplicates a bureau user submits are held and listed
 * (read-only for the bureau); a clerk releases one with a note, rejects another, is told a
 * credit-restricted one is still restricted, and the envelope's held figures follow. On the run
 * page a results file with a FAILED row leaves a RETURNED award; the clerk asks for a re-issue of
 * the unsettled payment and verifies the files; a reviewer approves the re-issue and releases the
 * failed payment; the clerk exports the re-issue. The new pages pass axe-core.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startBursar, type BursarServer } from './support/bursar-server.ts';
import { launchBrowser, newUserPage, screenshot, seriousViolations, signIn } from './support/browser.ts';
import { awardsCsv, budgetsCsv, uscc } from './support/data.ts';

// Browser globals, for the functions that run in the page (page.evaluate); this file is type-checked without the DOM lib.
declare const document: { cookie: string; querySelector(selector: string): unknown };

let server: BursarServer;
let browser: Browser;
const users: Record<string, { username: string; password: string }> = {};
const RUN = 'RUN-2025-04';
const HELD_ON = '2025-06-10'; // after the run's period: released holds never join RUN-2025-04

beforeAll(async () => {
  [server, browser] = await Promise.all([startBursar(), launchBrowser()]);
  const file = (name: string, text: string) => {
    const p = path.join(server.dataDir, name);
    writeFileSync(p, text);
    return p;
  };
  server.cli(['budget', 'load', file('budgets.csv', budgetsCsv({ 1: '1000000.00' })), '--by', 'e2e-setup']);
  server.cli(['credit', 'load', file('credit.csv', `recipient_uscc,list_name,restricted_from,restricted_to,reference\n${uscc(13)},严重失信主体名单,2020-01-01,,E2E-1\n`), '--by', 'e2e-setup']);
  server.cli(['awards', 'submit', file('awards.csv', awardsCsv([
    { award_id: 'EITB-P-0001', measure: 1, unit: 'EITB', amount: '10000.00', uscc: uscc(1) },
    { award_id: 'EITB-P-0002', measure: 1, unit: 'EITB', amount: '20000.00', uscc: uscc(2) },
    { award_id: 'EITB-P-0003', measure: 1, unit: 'EITB', amount: '30000.00', uscc: uscc(3) },
    { award_id: 'EITB-H-0001', measure: 1, unit: 'EITB', amount: '5000.00', uscc: uscc(11), name: '宁波甲号智造有限公司', approved: HELD_ON },
    { award_id: 'EITB-H-0002', measure: 1, unit: 'EITB', amount: '6000.00', uscc: uscc(12), name: '宁波乙号智造有限公司', approved: HELD_ON },
    { award_id: 'EITB-H-0005', measure: 1, unit: 'EITB', amount: '7000.00', uscc: uscc(13), name: '宁波丙号智造有限公司', approved: HELD_ON },
  ]))]);
  server.cli(['run', 'prepare', '--period', '2025-04', '--by', 'h-clerk']);
  server.cli(['run', 'approve', RUN, '--by', 'h-reviewer-b']);
  Object.assign(users, {
    eitb: server.addUser('h-eitb', ['bureau'], 'EITB'),
    clerk: server.addUser('h-clerk', ['clerk']),
    reviewer: server.addUser('h-reviewer', ['reviewer']),
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function as(role: string, body: (page: Page) => Promise<void>): Promise<void> {
  const { context, page } = await newUserPage(browser, server.url);
  try {
    await signIn(page, users[role]!);
    await body(page);
  } finally {
    await context.close();
  }
}

/** Waits until the page's requests are answered and nothing is loading any more. */
async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() => !document.querySelector('.ant-spin-spinning, [aria-busy="true"]'), undefined, { timeout: 15_000 });
}

const holdRow = (page: Page, id: string) => page.getByTestId('holds-table').locator('tr.ant-table-row', { hasText: id });
/** Waits until the overview shows `count` held awards on the measure's envelope (its data may be refetching). */
const expectHeld = async (page: Page, measure: number, count: number) => {
  await page.goto('/#/?fy=2025');
  await page.locator(`[data-testid="held-${measure}"][data-count="${count}"]`).waitFor();
};
const expectFigure = async (page: Page, testId: string, yuan: string) => {
  await page.goto('/#/?fy=2025');
  await page.getByTestId(testId).filter({ hasText: new RegExp(`^${yuan.replaceAll('.', '\\.')}$`) }).waitFor();
};
const checkedFiles = (text: string | null) => Number(/核对 (\d+) 个文件/.exec(text ?? '')?.[1] ?? 0);
let firstChecked = 0;
const awardStatus = (page: Page, id: string) => page.evaluate(async (award) => ((await (await fetch(`/api/v1/awards/${award}`)).json()) as { status: string }).status, id);

it('a bureau user submits possible duplicates; they are held and listed read-only for the bureau', async () => {
  await as('eitb', async (page) => {
    await page.goto('/#/submit');
    const dupes = awardsCsv([
      { award_id: 'EITB-H-0003', measure: 1, unit: 'EITB', amount: '5000.00', uscc: uscc(11), name: '宁波甲号智造有限公司', approved: HELD_ON },
      { award_id: 'EITB-H-0004', measure: 1, unit: 'EITB', amount: '6000.00', uscc: uscc(12), name: '宁波乙号智造有限公司', approved: HELD_ON },
    ]);
    await page.locator('input[type="file"]').setInputFiles({ name: 'dupes.csv', mimeType: 'text/csv', buffer: Buffer.from(dupes) });
    await page.getByTestId('submit-report').waitFor();
    expect((await page.getByTestId('count-status_HELD').locator('.ant-statistic-content-value').textContent())?.trim()).toBe('2');
    expect(await page.getByTestId('submit-results').textContent()).toContain('挂起待审');

    await page.goto('/#/holds');
    await holdRow(page, 'EITB-H-0004').waitFor();
    await settle(page);
    const reasons = await page.getByTestId('hold-reason').evaluateAll((els) => els.map((e) => e.getAttribute('data-reason')));
    expect(reasons.sort()).toEqual(['CREDIT_RESTRICTED', 'POSSIBLE_DUPLICATE', 'POSSIBLE_DUPLICATE']);
    const dup = holdRow(page, 'EITB-H-0003');
    expect(await dup.textContent()).toContain('疑似重复');
    // The rule's detail, in the row under it, names the other award.
    expect(await dup.locator('xpath=following-sibling::tr[1]').getByTestId('hold-detail').textContent()).toContain('EITB-H-0001');
    expect(await dup.textContent()).toContain('5,000.00');
    expect(await holdRow(page, 'EITB-H-0005').textContent()).toContain('失信限制');
    expect(await dup.locator('xpath=following-sibling::tr[1]').getByTestId('hold-keeps').textContent()).toContain('否（受理时挂起）');
    // Read-only: no decisions for a bureau user (and the API refuses one).
    await page.getByTestId('holds-read-only').waitFor();
    expect(await page.getByRole('button', { name: /放行|驳回/ }).count()).toBe(0);
    const refused = await page.evaluate(async () => {
      const csrf = /bursar_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? '';
      return (await fetch('/api/v1/holds/EITB-H-0003/release', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': decodeURIComponent(csrf) }, body: '{"note":"x"}' })).status;
    });
    expect(refused).toBe(403);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'holds-bureau');
  });
});

it('a clerk releases one hold with a note, rejects another, and is told a restricted one is still restricted', async () => {
  await as('clerk', async (page) => {
    await expectHeld(page, 1, 3);
    await page.goto('/#/holds?reason=POSSIBLE_DUPLICATE');
    await holdRow(page, 'EITB-H-0003').waitFor();
    await settle(page);
    expect(await page.getByTestId('holds-table').locator('tr.ant-table-row').count()).toBe(2); // the filter
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'holds-clerk');

    // Release: the note is required; a double click on confirm sends one request.
    const posts: string[] = [];
    page.on('request', (r) => { if (r.method() === 'POST' && r.url().includes('/api/v1/holds/')) posts.push(r.url()); });
    await page.getByRole('button', { name: '放行 EITB-H-0003' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: '确认放行' }).click();
    await dialog.getByText('请填写放行说明').waitFor();
    expect(posts).toEqual([]);
    await dialog.locator('textarea').fill('与 EITB-H-0001 为不同项目，核实后放行');
    await dialog.getByRole('button', { name: '确认放行' }).dblclick();
    await holdRow(page, 'EITB-H-0003').waitFor({ state: 'detached' });
    expect(posts).toEqual([`${server.url}/api/v1/holds/EITB-H-0003/release`]);
    expect(await awardStatus(page, 'EITB-H-0003')).toBe('RESERVED');

    await page.getByRole('button', { name: '驳回 EITB-H-0004' }).click();
    await page.getByRole('dialog').locator('textarea').fill('重复申报');
    await page.getByRole('dialog').getByRole('button', { name: '确认驳回' }).click();
    await holdRow(page, 'EITB-H-0004').waitFor({ state: 'detached' });
    expect(await awardStatus(page, 'EITB-H-0004')).toBe('REJECTED');

    // Still restricted: the dialog stays open and says what to do.
    await page.goto('/#/holds');
    await page.getByRole('button', { name: '放行 EITB-H-0005' }).click();
    await page.getByRole('dialog').locator('textarea').fill('企业称已整改');
    await page.getByRole('dialog').getByRole('button', { name: '确认放行' }).click();
    const error = page.getByRole('dialog').locator('[data-code="STILL_RESTRICTED"]');
    await error.waitFor();
    expect(await error.textContent()).toContain('仍在失信限制期内');
    await screenshot(page, 'holds-still-restricted');
    await page.getByRole('dialog').getByRole('button', { name: /^取\s*消$/ }).click();
    expect(await awardStatus(page, 'EITB-H-0005')).toBe('HELD');

    // The envelope's held figures follow: one award is still held.
    await expectHeld(page, 1, 1);
    await page.goto('/#/awards?id=EITB-H-0005&q=EITB-H-0005');
    expect(await page.getByTestId('award-hold').textContent()).toContain('失信限制');
  });
});

it('a FAILED bank result leaves a RETURNED award; the clerk asks for a re-issue and verifies the files', async () => {
  await as('clerk', async (page) => {
    await page.goto(`/#/runs/${RUN}`);
    await page.getByTestId('approved-digest-matches').waitFor(); // the approval bound the digest the run still has
    await page.getByRole('button', { name: '导出支付文件' }).click();
    await page.locator('[data-testid="run-status"][data-status="EXPORTED"]').waitFor();
    const results = 'award_id,status,reference,reason\r\nEITB-P-0001,PAID,BOC1,\r\nEITB-P-0002,FAILED,,户名不符\r\n'; // P-0003: no result yet
    await page.locator('input[type="file"]').setInputFiles({ name: 'results.csv', mimeType: 'text/csv', buffer: Buffer.from(results) });
    await page.getByTestId('settle-result').waitFor();
    const returned = page.getByTestId('returned-table').locator('tr.ant-table-row');
    await returned.first().waitFor();
    expect(await returned.allTextContents()).toEqual([expect.stringContaining('EITB-P-0002')]);
    expect(await returned.first().textContent()).toContain('退回待处理');
    expect(await returned.first().textContent()).toContain('需要财政审核角色'); // a clerk cannot release

    await page.getByRole('button', { name: '重新出具支付文件' }).click();
    await page.getByRole('dialog').locator('textarea').fill('银行要求重新提交未回单的支付');
    await page.getByRole('dialog').getByRole('button', { name: '确认申请' }).click();
    await page.getByTestId('reissue').waitFor();
    expect(await page.getByTestId('reissue-state').textContent()).toBe('等待审核');
    expect(await page.getByTestId('reissue-total').textContent()).toBe('30,000.00'); // only the unsettled payment
    expect(await page.getByTestId('reissue-approve-why').textContent()).toBe('您申请了这次重新出具，不能自己审核（四眼原则）');

    await page.getByRole('button', { name: '校验导出文件' }).click();
    await page.locator('[data-testid="verify-result"][data-ok="true"]').waitFor();
    firstChecked = checkedFiles(await page.getByTestId('verify-result').textContent());
    expect(firstChecked).toBeGreaterThan(0);
    await expectFigure(page, 'returned_fen-1', '20,000.00');
  });
});

it('a reviewer approves the re-issue and releases the failed payment; the clerk exports the re-issue', async () => {
  await as('reviewer', async (page) => {
    await page.goto(`/#/runs/${RUN}`);
    await page.getByTestId('returned-table').locator('tr.ant-table-row').first().waitFor();
    await settle(page);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'run-returned-reissue');

    await page.getByRole('button', { name: '审核重新出具' }).click();
    await page.locator('[data-testid="reissue-state"]', { hasText: '已审核，待导出' }).waitFor();

    await page.getByTestId('release-four-eyes').waitFor();
    await page.getByRole('button', { name: '放行到下一批次 EITB-P-0002' }).click();
    await page.getByRole('dialog').getByRole('button', { name: '放行到下一批次' }).click();
    await page.getByTestId('returned-table').getByText('没有待放行的失败支付').waitFor();
    expect(await awardStatus(page, 'EITB-P-0002')).toBe('RESERVED');
    await expectFigure(page, 'returned_fen-1', '0.00');
  });
  await as('clerk', async (page) => {
    await page.goto(`/#/runs/${RUN}`);
    await page.getByRole('button', { name: '导出重新出具的文件' }).click();
    await page.locator('[data-testid="reissue-state"]', { hasText: '已导出' }).waitFor();
    await page.getByRole('button', { name: '校验导出文件' }).click();
    await page.locator('[data-testid="verify-result"][data-ok="true"]').waitFor();
    // The re-issue's manifest, signature and files are checked too. (GET /runs/{id}/files lists only the
    // first export's files, so the console cannot list or download the re-issued file yet.)
    expect(checkedFiles(await page.getByTestId('verify-result').textContent())).toBeGreaterThan(firstChecked);
  });
});
