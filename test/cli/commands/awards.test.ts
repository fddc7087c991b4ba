/**
 * `bursar awards cancel` on a RETURNED award (issue 13, finding 4), through the real CLI process on
 * DynamoDB Local: list the failed payments, refuse the importer, cancel once, reconcile clean.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../run-cli.ts';
import { awardFields } from '../../support/records.ts';
import { AWARD_COLUMNS } from '../../../shared/domain/award.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'bursar-cli-cancel-returned-'));
const env = {
  BURSAR_DYNAMODB_ENDPOINT: process.env['BURSAR_TEST_DYNAMODB_ENDPOINT']!,
  BURSAR_TABLE_NAME: `cli-cancel-returned-${process.pid}-${Date.now()}`,
  BURSAR_DATA_DIR: dir,
};
const cli = (...args: string[]) => runCli(args, env);

beforeAll(() => {
  expect(cli('budget', 'set', '--measure', '7', '--fiscal-year', '2025', '--amount-yuan', '10000', '--by', 'finance-a').code).toBe(0);
  const file = path.join(dir, 'awards.csv');
  const rows = [1, 2].map((n) => awardFields(n, { amount_yuan: `${n}000.00` }));
  writeFileSync(file, `${AWARD_COLUMNS.join(',')}\n${rows.map((r) => AWARD_COLUMNS.map((c) => r[c] ?? '').join(',')).join('\n')}\n`);
  expect(cli('awards', 'submit', file).json).toMatchObject({ reserved: 2 });
  const prepared = cli('run', 'prepare', '--period', '2025-04', '--by', 'Wang Fang');
  expect(cli('run', 'approve', 'RUN-2025-04', '--by', 'Li Na', '--digest', prepared.json.digest).code).toBe(0);
  expect(cli('run', 'export', 'RUN-2025-04', '--out', path.join(dir, 'out')).code).toBe(0);
  const results = path.join(dir, 'results.csv');
  writeFileSync(results, 'award_id,status,reference,reason,amount_yuan\nA-00001,PAID,R-1,,1000.00\nA-00002,FAILED,,account closed,2000.00\n');
  expect(cli('run', 'settle', 'RUN-2025-04', '--results', results, '--by', 'Clerk Sun').json).toMatchObject({ failed: 1 });
}, 180_000);
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

test('a RETURNED award is listed, refused to its importer, cancelled once by a second person; money back to available', () => {
  expect(cli('awards', 'list', '--status', 'RETURNED').json.awards.map((a: { award_id: string }) => a.award_id)).toEqual(['A-00002']);

  const importer = cli('awards', 'cancel', 'A-00002', '--reason', 'dissolved', '--by', 'clerk  SUN');
  expect([importer.code, importer.json.error.code]).toEqual([1, 'SAME_PERSON']);

  const cancelled = cli('awards', 'cancel', 'A-00002', '--reason', 'enterprise dissolved', '--by', 'Zhao Lei');
  expect(cancelled.json).toMatchObject({ changed: true, award: { status: 'CANCELLED' } });
  const again = cli('awards', 'cancel', 'A-00002', '--reason', 'enterprise dissolved', '--by', 'Zhao Lei');
  expect(again.json).toMatchObject({ changed: false });

  const envelope = cli('budget', 'show', '--fiscal-year', '2025').json.envelopes.find((e: { measure: number }) => e.measure === 7);
  expect(envelope).toMatchObject({ returned_fen: 0, paid_fen: 100_000, available_fen: 900_000 });
  expect(cli('run', 'release-failed', 'RUN-2025-04', '--by', 'Zhao Lei').json.error.code).toBe('NOTHING_TO_RELEASE');
  expect(cli('reconcile', '--fiscal-year', '2025')).toMatchObject({ code: 0, json: { clean: true } });
}, 180_000);
