import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from './run-cli.ts';
import { awardFields } from '../support/records.ts';
import { AWARD_COLUMNS } from '../../shared/domain/award.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'bursar-cli-'));
// The CLI shares the test run's DynamoDB Local through its documented endpoint variable.
const env = {
  BURSAR_DYNAMODB_ENDPOINT: process.env['BURSAR_TEST_DYNAMODB_ENDPOINT']!,
  BURSAR_TABLE_NAME: `cli-${process.pid}-${Date.now()}`,
};
const cli = (...args: string[]) => runCli(args, env);

function awardsCsv(rows: Record<string, string>[], name: string): string {
  const file = path.join(dir, name);
  const quote = (v: string) => (/[",]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const lines = rows.map((r) => AWARD_COLUMNS.map((c) => quote(r[c] ?? '')).join(','));
  writeFileSync(file, `\uFEFF${AWARD_COLUMNS.join(',')}\n${lines.join('\n')}\n`);
  return file;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bursar CLI (real process, real handler, DynamoDB Local)', () => {
  beforeAll(() => {
    const set = cli('budget', 'set', '--measure', '7', '--fiscal-year', '2025', '--amount-yuan', '2500.00', '--by', 'finance-a');
    expect(set.code).toBe(0);
    expect(set.json.envelope).toMatchObject({ measure: 7, fiscal_year: 2025, budget_fen: 250000, available_fen: 250000 });
    expect(set.json.drained).toEqual([]);
  });

  test('awards submit reports one result per line, naming line and field for bad rows', () => {
    const file = awardsCsv([
      awardFields(1),
      awardFields(2, { amount_yuan: '1,000.00' }),
      awardFields(3, { approving_unit: 'STB' }),
      awardFields(4),
      awardFields(5), // the budget of 2,500 covers two awards of 1,000: this one waits
      awardFields(1), // repeat of line 2 in this file
    ], 'awards.csv');
    const run = cli('awards', 'submit', file);
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ submitted: 6, reserved: 2, waitlisted: 1, rejected: 1, duplicates: 1, conflicts: 0, invalid: 1 });
    const byLine = Object.fromEntries(run.json.results.map((r: { line: number }) => [r.line, r]));
    expect(byLine[2]).toMatchObject({ award_id: 'A-00001', outcome: 'RESERVED' });
    expect(byLine[3]).toMatchObject({ award_id: 'A-00002', outcome: 'INVALID', errors: [{ field: 'amount_yuan' }] });
    expect(byLine[4]).toMatchObject({ outcome: 'REJECTED', reason: 'UNIT_NOT_RESPONSIBLE' });
    expect(byLine[6]).toMatchObject({ award_id: 'A-00005', outcome: 'WAITLISTED', reason: 'BUDGET_EXHAUSTED' });
    expect(byLine[7]).toMatchObject({ award_id: 'A-00001', outcome: 'DUPLICATE' });
    // Re-running the same file changes nothing: every valid record is now a duplicate.
    const again = cli('awards', 'submit', file);
    expect(again.json).toMatchObject({ reserved: 0, waitlisted: 0, duplicates: 5, invalid: 1 });
  });

  test('awards show masks the payee account unless asked, and unknown ids are NOT_FOUND', () => {
    const shown = cli('awards', 'show', 'A-00001');
    expect(shown.code).toBe(0);
    expect(shown.json).toMatchObject({ award_id: 'A-00001', status: 'RESERVED', amount_fen: 100000, fiscal_year: 2025 });
    expect(shown.json.payee_account).toMatch(/^\*+0001$/);
    expect(shown.stdout).not.toContain('6217000000000001');
    expect(cli('awards', 'show', 'A-00001', '--show-account').json.payee_account).toBe('6217000000000001');
    const missing = cli('awards', 'show', 'NOPE');
    expect(missing.code).toBe(1);
    expect(missing.json).toEqual({ error: expect.objectContaining({ code: 'NOT_FOUND' }) });
  });

  test('cancel releases money to the queue; budget show and list agree', () => {
    const cancelled = cli('awards', 'cancel', 'A-00004', '--reason', 'withdrawn by applicant', '--by', 'eitb-li');
    expect(cancelled.code).toBe(0);
    expect(cancelled.json.drained).toEqual(['A-00005']);
    const shown = cli('budget', 'show', '--fiscal-year', '2025');
    expect(shown.json.envelopes).toEqual([expect.objectContaining({ measure: 7, reserved_fen: 200000, available_fen: 50000, waitlisted_count: 0 })]);
    const listed = cli('awards', 'list', '--status', 'CANCELLED');
    expect(listed.json.awards.map((a: { award_id: string }) => a.award_id)).toEqual(['A-00004']);
    const refused = cli('awards', 'cancel', 'A-00003', '--reason', 'x', '--by', 'y');
    expect(refused.json.error.code).toBe('NOT_CANCELLABLE');
  });

  test('a budget cut below what is committed is refused with a clear error', () => {
    const cut = cli('budget', 'set', '--measure', '7', '--fiscal-year', '2025', '--amount-yuan', '100', '--by', 'finance-a');
    expect(cut.code).toBe(1);
    expect(cut.json.error.code).toBe('BUDGET_BELOW_COMMITTED');
    expect(cut.json.error.message).toContain('2000.00');
  });

  test('file-level problems refuse the command; usage errors are JSON too', () => {
    const bad = path.join(dir, 'bad-header.csv');
    writeFileSync(bad, 'award_id,measure,amount\nX,7,1\n');
    const run = cli('awards', 'submit', bad);
    expect(run.code).toBe(1);
    expect(run.json.error.code).toBe('BAD_HEADER');
    const usage = cli('budget', 'set', '--measure', '7');
    expect(usage.code).toBe(1);
    expect(usage.json.error.code).toBe('USAGE');
    const amount = cli('budget', 'set', '--measure', '7', '--fiscal-year', '2025', '--amount-yuan', '1e5', '--by', 'x');
    expect(amount.json.error).toMatchObject({ code: 'BAD_AMOUNT' });
  });

  test('scheme load takes good rows and names the line and field of bad ones', () => {
    const file = path.join(dir, 'schemes.csv');
    writeFileSync(file, 'scheme_id,name,measures,valid_from,valid_to\nS1,机器人专项,2;10,2023-07-01,2025-12-31\nS2,坏的,2;99,2024-01-01,2024-12-31\n');
    const run = cli('scheme', 'load', file);
    expect(run.json.loaded).toEqual([{ line: 2, scheme_id: 'S1', change: 'created' }]);
    expect(run.json.errors).toEqual([expect.objectContaining({ line: 3, field: 'measures' })]);
  });
});

describe('embedded store', () => {
  test('persists in the data dir across commands and starts/stops DynamoDB Local itself', () => {
    const dataDir = path.join(dir, 'embedded');
    const noEndpoint = { BURSAR_DYNAMODB_ENDPOINT: '', AWS_ENDPOINT_URL_DYNAMODB: '' };
    const set = runCli(['--data-dir', dataDir, 'budget', 'set', '--measure', '3', '--fiscal-year', '2026', '--amount-yuan', '10', '--by', 'a'], noEndpoint);
    expect(set.code).toBe(0);
    const shown = runCli(['--data-dir', dataDir, 'budget', 'show'], noEndpoint);
    expect(shown.json.envelopes).toEqual([expect.objectContaining({ measure: 3, fiscal_year: 2026, budget_fen: 1000 })]);
  });
});
