/**
 * DynamoYearClose on DynamoDB Local: the writes of a year close that the service tests do not reach.
 * Found by the property model (issue 15, test/reliability/money-core.pbt.test.ts): an envelope whose
 * only HELD awards were held at intake (no money, so no held_fen attribute yet) could never carry them,
 * and `year approve` looped until it gave up, every time it was run again.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { freshTable, type TestTable } from '../../../support/dynamo.ts';
import { awardFields, ledgerOn, usccFor } from '../../../support/records.ts';
import { budget, clockAt, runStoreOn } from '../../../support/runs.ts';
import { DynamoYearClose } from '../../../../shared/adapters/dynamo/dynamo-year-close.ts';
import { DynamoReconciliationStore } from '../../../../shared/adapters/dynamo/dynamo-reconciliation-store.ts';
import { ENVELOPE_SK, envelopePk } from '../../../../shared/adapters/dynamo/items.ts';
import { processIntake } from '../../../../shared/services/intake.ts';
import { checkLedger } from '../../../../shared/services/reconcile.ts';
import { approveYearClose, proposeYearClose } from '../../../../shared/services/year-close.ts';
import { GetCommand } from '@aws-sdk/lib-dynamodb';

let table: TestTable;
beforeAll(async () => { table = await freshTable(); }, 60_000);
afterAll(async () => { await table.drop(); });

describe('DynamoYearClose.carryHeld', () => {
  test('carries awards held at intake out of an envelope that never had held_fen', async () => {
    const ledger = ledgerOn(table);
    const clock = clockAt('2025-12-31T08:00:00Z');
    const closes = new DynamoYearClose(table.doc, table.tableName, 10);
    await budget(ledger, clock, 7, 2025, 10_000);
    // Same enterprise, measure, year and amount, no project: the second is a possible duplicate, HELD at intake.
    const twin = (n: number, date: string) => awardFields(n, { recipient_uscc: usccFor(5), amount_yuan: '3000.00', approved_date: date });
    const settled = await processIntake({ ledger, clock }, new Map([
      ['m1', { submission_id: 's1', line: 2, record: twin(1, '2025-06-01') }],
      ['m2', { submission_id: 's1', line: 3, record: twin(2, '2025-06-02') }],
    ]));
    expect([...settled.values()].map((s) => (s.ok ? s.result.outcome : s.error.message))).toEqual(['RESERVED', 'HELD']);
    const raw = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: { pk: envelopePk({ measure: 7, fiscal_year: 2025 }), sk: ENVELOPE_SK } }));
    expect(raw.Item).toMatchObject({ held_count: 1 });
    expect(raw.Item?.held_fen).toBeUndefined(); // the state that made the carry's condition fail

    const deps = { ledger, clock, closes, runs: runStoreOn(table) };
    await proposeYearClose(deps, { fiscal_year: 2025, by: 'fin-wang' });
    const approved = await approveYearClose(deps, { fiscal_year: 2025, by: 'fin-li' });
    expect(approved).toMatchObject({ status: 'CLOSED', changed: true });
    expect(approved.closed[0]).toEqual({ measure: 7, carried_fen: 300_000, carried_awards: ['A-00001', 'A-00002'], queued_awards: [], lapsed_fen: 700_000 });
    expect(await ledger.getEnvelope({ measure: 7, fiscal_year: 2025 })).toMatchObject({ status: 'CLOSED', held_count: 0, held_fen: 0, reserved_fen: 0, carried_out_fen: 300_000, lapsed_fen: 700_000 });
    expect(await ledger.getEnvelope({ measure: 7, fiscal_year: 2026 })).toMatchObject({ held_count: 1, held_fen: 0, reserved_fen: 300_000, carried_in_fen: 300_000 });
    expect(await ledger.getAward('A-00002')).toMatchObject({ status: 'HELD', fiscal_year: 2026, carried_from: [2025] });
    const { report } = await checkLedger({ ledger, store: new DynamoReconciliationStore(table.doc, table.tableName), runs: runStoreOn(table), clock });
    expect(report.clean).toBe(true);
  }, 60_000);
});
