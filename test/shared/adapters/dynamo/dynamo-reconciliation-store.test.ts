/** DynamoReconciliationStore against DynamoDB Local: the ledger scan, stored reports, audited repairs. */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { DynamoLedger } from '../../../../shared/adapters/dynamo/dynamo-ledger.ts';
import { DynamoReconciliationStore } from '../../../../shared/adapters/dynamo/dynamo-reconciliation-store.ts';
import type { EnvelopeKey } from '../../../../shared/domain/envelope.ts';
import type { AwardFacts, QueueFacts, ReconciliationReport } from '../../../../shared/domain/reconciliation.ts';
import { freshTable, type TestTable } from '../../../support/dynamo.ts';
import { storedAward } from '../../../support/stored-awards.ts';

const KEY: EnvelopeKey = { measure: 7, fiscal_year: 2025 };
const KEY_2024: EnvelopeKey = { measure: 7, fiscal_year: 2024 };

let table: TestTable;
let ledger: DynamoLedger;
let store: DynamoReconciliationStore;

beforeEach(async () => {
  table = await freshTable();
  ledger = new DynamoLedger(table.doc, table.tableName, { maxTransactionItems: 10 });
  store = new DynamoReconciliationStore(table.doc, table.tableName);
  await ledger.writeBudget(KEY, undefined, { budget_fen: 10_000, available_fen: 10_000, alert_at: [] },
    { at: '2025-05-01T00:00:00.000Z', by: 'officer', old_budget_fen: null, new_budget_fen: 10_000 });
  expect(await ledger.reserveNew(KEY, [storedAward(1, 3_000, 'RESERVED'), storedAward(2, 2_000, 'RESERVED')])).toEqual({ ok: true });
  expect(await ledger.waitlistNew(KEY, [storedAward(3, 50_000, 'WAITLISTED')])).toEqual({ ok: true });
  expect(await ledger.waitlistNew(KEY_2024, [storedAward(4, 700, 'WAITLISTED', { fiscal_year: 2024, approved_date: '2024-06-01' })])).toEqual({ ok: true });
});
afterEach(async () => { await table.drop(); });

async function scan(options: { segments: number; fiscalYear?: number }) {
  const awards: AwardFacts[] = [];
  const queue: QueueFacts[] = [];
  await store.scanLedger({ award: (a) => awards.push(a), queueEntry: (q) => queue.push(q) }, options);
  return { awards: awards.sort((a, b) => a.award_id.localeCompare(b.award_id)), queue: queue.sort((a, b) => a.award_id.localeCompare(b.award_id)) };
}

describe('scanLedger', () => {
  test('visits every award and waitlist entry once across segments, and nothing else', async () => {
    const { awards, queue } = await scan({ segments: 3 });
    expect(awards).toEqual([
      { award_id: 'A-00001', measure: 7, fiscal_year: 2025, status: 'RESERVED', amount_fen: 3_000 },
      { award_id: 'A-00002', measure: 7, fiscal_year: 2025, status: 'RESERVED', amount_fen: 2_000 },
      { award_id: 'A-00003', measure: 7, fiscal_year: 2025, status: 'WAITLISTED', amount_fen: 50_000 },
      { award_id: 'A-00004', measure: 7, fiscal_year: 2024, status: 'WAITLISTED', amount_fen: 700 },
    ]);
    expect(queue).toEqual([
      { ...KEY, award_id: 'A-00003', approved_date: '2025-04-01', amount_fen: 50_000 },
      { ...KEY_2024, award_id: 'A-00004', approved_date: '2024-06-01', amount_fen: 700 },
    ]);
  });

  test('limited to one fiscal year', async () => {
    const { awards, queue } = await scan({ segments: 1, fiscalYear: 2024 });
    expect(awards.map((a) => a.award_id)).toEqual(['A-00004']);
    expect(queue.map((q) => q.award_id)).toEqual(['A-00004']);
  });

  test('hasQueueEntry reads the waitlist strongly', async () => {
    expect(await store.hasQueueEntry(KEY, { approved_date: '2025-04-01', award_id: 'A-00003' })).toBe(true);
    expect(await store.hasQueueEntry(KEY, { approved_date: '2025-04-02', award_id: 'A-00003' })).toBe(false);
    expect(await store.hasQueueEntry(KEY_2024, { approved_date: '2025-04-01', award_id: 'A-00003' })).toBe(false);
  });
});

describe('reports and repairs', () => {
  const report = (n: number, clean: boolean): ReconciliationReport => ({
    report_id: `R-${n}`, date: `2025-06-0${n}`, created_at: `2025-06-0${n}T18:00:00.000Z`, fiscal_year: n === 1 ? null : 2025, clean,
    checked_envelopes: 2, checked_awards: 4, checked_runs: 0, mismatches: [], run_mismatches: [], stuck: [], passes: 1, duration_ms: 5,
  });

  test('saveReport keeps a summary; listReports is newest first and limited', async () => {
    await store.saveReport(report(1, true));
    await store.saveReport(report(2, false), 'auditor');
    await store.saveReport(report(3, true));
    const listed = await store.listReports(2);
    expect(listed.map((r) => r.report_id)).toEqual(['R-3', 'R-2']);
    expect(listed[1]).toEqual({
      report_id: 'R-2', date: '2025-06-02', created_at: '2025-06-02T18:00:00.000Z', fiscal_year: 2025, clean: false,
      checked_envelopes: 2, checked_awards: 4, checked_runs: 0, mismatches: 0, run_mismatches: 0, stuck: 0, repaired_by: 'auditor',
    });
    expect((await store.listReports(10)).at(-1)).toMatchObject({ report_id: 'R-1', fiscal_year: null, clean: true });
  });

  test('repairEnvelope writes the figures and its audit only at the version read; listRepairs is newest first', async () => {
    const before = (await ledger.getEnvelope(KEY))!;
    const figures = { reserved_fen: 5_000, batched_fen: 0, paid_fen: 0, returned_fen: 0, available_fen: 5_000, waitlisted_fen: 50_000, waitlisted_count: 1 };
    const audit = (at: string) => ({ at, by: 'auditor', report_id: 'R-2', before: { reserved_fen: 1 }, after: { reserved_fen: 5_000 } });
    expect(await store.repairEnvelope(KEY, before.version - 1, figures, audit('2025-06-02T18:00:00.000Z'))).toBe('changed');
    expect(await store.listRepairs(10)).toEqual([]);
    expect(await store.repairEnvelope(KEY, before.version, { ...figures, reserved_fen: 4_000, available_fen: 6_000 }, audit('2025-06-02T18:01:00.000Z'))).toBe('written');
    expect(await ledger.getEnvelope(KEY)).toMatchObject({ reserved_fen: 4_000, available_fen: 6_000, version: before.version + 1 });
    expect(await store.repairEnvelope(KEY, before.version + 1, figures, audit('2025-06-02T18:02:00.000Z'))).toBe('written');
    expect(await store.listRepairs(10)).toEqual([
      { ...KEY, ...audit('2025-06-02T18:02:00.000Z') },
      { ...KEY, ...audit('2025-06-02T18:01:00.000Z') },
    ]);
    expect(await store.listRepairs(1)).toHaveLength(1);
  });
});
