import { afterAll, describe, expect, test } from '@jest/globals';
import { freshTable, testEndpoint, type TestTable } from '../../support/dynamo.ts';
import { runCli } from '../run-cli.ts';

let t: TestTable;
const tables: TestTable[] = [];
afterAll(async () => { await Promise.all(tables.map((x) => x.drop())); });
const cli = (...args: string[]) => runCli(args, { BURSAR_DYNAMODB_ENDPOINT: testEndpoint(), BURSAR_TABLE_NAME: t.tableName });

describe('bursar budget transfer, year close/approve/status, recover (the real CLI)', () => {
  test('transfer output and refusals, then a close of FY2025 and what it refuses afterwards', async () => {
    t = await freshTable();
    tables.push(t);
    expect(cli('budget', 'set', '--measure', '7', '--fiscal-year', '2025', '--amount-yuan', '1000', '--by', 'a').code).toBe(0);
    const args = ['budget', 'transfer', '--fiscal-year', '2025', '--from-measure', '7', '--to-measure', '12', '--amount-yuan', '400', '--reason', '调剂', '--by', 'fin-li'];
    const first = cli(...args);
    expect(first.code).toBe(0);
    expect(first.json).toMatchObject({ transfer_id: expect.stringMatching(/^TRF-\d{8}-[0-9a-f]{12}$/), from: { measure: 7, budget_fen: 60_000 }, to: { measure: 12, budget_fen: 40_000 }, drained: [], changed: true });
    expect(cli(...args).json).toMatchObject({ transfer_id: first.json.transfer_id, changed: false, from: { budget_fen: 60_000 } });
    const refused = (r: ReturnType<typeof cli>) => [r.code, r.json?.error?.code];
    expect(refused(cli('budget', 'transfer', '--fiscal-year', '2025', '--from-measure', '7', '--to-measure', '7', '--amount-yuan', '1', '--reason', 'r', '--by', 'x'))).toEqual([1, 'SAME_ENVELOPE']);
    expect(refused(cli('budget', 'transfer', '--fiscal-year', '2025', '--from-measure', '7', '--to-measure', '12', '--amount-yuan', '600.01', '--reason', 'r', '--by', 'x'))).toEqual([1, 'INSUFFICIENT_AVAILABLE']);
    const history = cli('budget', 'history', '--measure', '12', '--fiscal-year', '2025').json;
    expect(history.audit[0]).toMatchObject({ by: 'fin-li', new_budget_fen: 40_000, transfer: { transfer_id: first.json.transfer_id, reason: '调剂', direction: 'IN', counterpart_measure: 7 } });

    const proposed = cli('year', 'close', '--fiscal-year', '2025', '--by', 'fin-wang');
    expect(proposed.json).toMatchObject({ fiscal_year: 2025, status: 'PROPOSED', plan: [{ measure: 7, lapsed_fen: 60_000 }, { measure: 12, lapsed_fen: 40_000 }] });
    expect(refused(cli('year', 'approve', '--fiscal-year', '2025', '--by', 'fin-wang'))).toEqual([1, 'SAME_PERSON']);
    expect(cli('year', 'approve', '--fiscal-year', '2025', '--by', 'fin-li').json).toMatchObject({ status: 'CLOSED', changed: true });
    expect(cli('year', 'approve', '--fiscal-year', '2025', '--by', 'fin-li').json).toMatchObject({ status: 'CLOSED', changed: false });
    expect(refused(cli(...args.map((a) => (a === '400' ? '1' : a))))).toEqual([1, 'FISCAL_YEAR_CLOSED']);
    expect(refused(cli('budget', 'set', '--measure', '7', '--fiscal-year', '2025', '--amount-yuan', '1', '--by', 'a'))).toEqual([1, 'FISCAL_YEAR_CLOSED']);
    const status = cli('year', 'status').json;
    expect(status).toMatchObject({ years: [{ fiscal_year: 2025, status: 'CLOSED' }], policy_ends: '2026-12-31' });
    expect(Number.isInteger(status.policy_days_left)).toBe(true);
    expect(refused(cli('recover', 'open', 'A-NOPE', '--amount-yuan', '1', '--reason', 'r', '--by', 'x'))).toEqual([1, 'NOT_FOUND']);
    expect(cli('recover', 'list', '--status', 'DUE').json).toEqual({ recoveries: [] });
  }, 300_000);
});
