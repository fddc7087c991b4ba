import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { freshTable, type TestTable } from '../../support/dynamo.ts';
import { awardFields, ledgerOn, tickingClock } from '../../support/records.ts';
import { budget, reserve, runStoreOn } from '../../support/runs.ts';
import type { DynamoLedger } from '../../../shared/adapters/dynamo/dynamo-ledger.ts';
import type { DynamoRunStore } from '../../../shared/adapters/dynamo/dynamo-run-store.ts';
import { LocalDirSink } from '../../../shared/adapters/files/local-dir-sink.ts';
import type { AwardStatus } from '../../../shared/domain/award.ts';
import { MEASURES } from '../../../shared/domain/catalog.ts';
import type { FiscalSummary, SummaryFigures } from '../../../shared/domain/fiscal-summary.ts';
import { processIntake } from '../../../shared/services/intake.ts';
import { cancelAward } from '../../../shared/services/awards.ts';
import { prepareRun } from '../../../shared/services/prepare-run.ts';
import { approveRun } from '../../../shared/services/approve-run.ts';
import { exportRun } from '../../../shared/services/export-run.ts';
import { resultRowsFromFile, settleRun } from '../../../shared/services/settle-run.ts';
import { fiscalSummary } from '../../../shared/services/fiscal-summary.ts';

let table: TestTable;
let ledger: DynamoLedger;
let runs: DynamoRunStore;
let summary: FiscalSummary;

/**
 * One fiscal year with awards in every state: paid, failed (back to reserved), batched, reserved,
 * waitlisted and cancelled, over three measures; the summary is then checked against the awards.
 */
beforeAll(async () => {
  table = await freshTable();
  ledger = ledgerOn(table);
  runs = runStoreOn(table);
  const clock = tickingClock();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bursar-summary-test-'));
  await budget(ledger, clock, 7, 2025, 5_000);
  await budget(ledger, clock, 9, 2025, 3_000);
  await budget(ledger, clock, 12, 2025, 2_000);
  await budget(ledger, clock, 7, 2024, 9_999); // another year: must not count
  await reserve(ledger, clock, [
    awardFields(1, { amount_yuan: '1000' }),
    awardFields(2, { amount_yuan: '1500.25' }),
    awardFields(3, { measure: '9', amount_yuan: '700' }),
    awardFields(4, { measure: '12', approving_unit: 'STB', amount_yuan: '333.33' }),
    awardFields(5, { measure: '9', amount_yuan: '100' }),
  ]);
  await prepareRun({ ledger, runs, clock }, { period: '2025-04', by: 'maker' });
  await approveRun({ runs, clock }, { run_id: 'RUN-2025-04', by: 'checker' });
  await exportRun({ runs, clock, sink: new LocalDirSink(dir) }, { run_id: 'RUN-2025-04' });
  const results = path.join(dir, 'results.csv');
  writeFileSync(results, 'award_id,status,reference,reason\nA-00001,PAID,R1,\nA-00003,PAID,R3,\nA-00004,FAILED,,bad account\n');
  await settleRun({ runs, clock }, { run_id: 'RUN-2025-04', rows: resultRowsFromFile(results) });
  // After the run: more reserved, one cancelled, and a queue on measure 12.
  await reserve(ledger, clock, [awardFields(6, { approved_date: '2025-05-02', amount_yuan: '800' }), awardFields(7, { approved_date: '2025-05-03', amount_yuan: '50' })]);
  await cancelAward(ledger, clock, { award_id: 'A-00007', reason: 'withdrawn', by: 'clerk' });
  const requests = new Map([[
    'w1', { submission_id: 'late', line: 2, record: awardFields(8, { measure: '12', approving_unit: 'STB', amount_yuan: '1999' }) },
  ]]);
  const settled = await processIntake({ ledger, clock }, requests);
  expect(settled.get('w1')).toMatchObject({ ok: true, result: { outcome: 'WAITLISTED' } });
  summary = await fiscalSummary({ ledger, runs }, 2025);
});
afterAll(async () => { await table.drop(); });

async function awardSums(): Promise<Map<number, Record<AwardStatus, number>>> {
  const sums = new Map<number, Record<AwardStatus, number>>();
  for await (const a of ledger.listAwards({ fiscal_year: 2025 })) {
    const s = sums.get(a.measure) ?? { RESERVED: 0, WAITLISTED: 0, REJECTED: 0, CANCELLED: 0, BATCHED: 0, PAID: 0, RETURNED: 0, HELD: 0 };
    s[a.status] += a.amount_fen;
    sums.set(a.measure, s);
  }
  return sums;
}

describe('fiscal summary', () => {
  test('lists every measure of the catalog, with zeros where there is no envelope', () => {
    expect(summary.measures.map((m) => m.measure)).toEqual(MEASURES.map((m) => m.number));
    expect(summary.measures.find((m) => m.measure === 1)).toMatchObject({
      section: '一', title_zh: '重点发展“一大一高两新”产业集群', units: ['EITB'], budget_fen: 0, paid_fen: 0, execution_rate: null, has_envelope: false,
    });
  });

  test('per-measure figures reconcile with the awards, and the envelope invariant holds', async () => {
    const sums = await awardSums();
    for (const m of summary.measures) {
      const s = sums.get(m.measure);
      expect([m.measure, m.reserved_fen, m.batched_fen, m.paid_fen, m.returned_fen, m.waitlisted_fen])
        .toEqual([m.measure, s?.RESERVED ?? 0, s?.BATCHED ?? 0, s?.PAID ?? 0, s?.RETURNED ?? 0, s?.WAITLISTED ?? 0]);
      expect(m.available_fen + m.reserved_fen + m.batched_fen + m.paid_fen + m.returned_fen).toBe(m.budget_fen);
    }
    expect(summary.measures.find((m) => m.measure === 7)).toMatchObject({
      budget_fen: 500_000, paid_fen: 100_000, batched_fen: 150_025, reserved_fen: 80_000, available_fen: 169_975, execution_rate: 0.6601,
    });
    expect(summary.measures.find((m) => m.measure === 12)).toMatchObject({ reserved_fen: 0, returned_fen: 33_333, waitlisted_fen: 199_900 }); // a FAILED payment, RETURNED
  });

  test('sections add up to the total; a unit subtotal covers the measures it is responsible for', () => {
    const sum = (key: 'budget_fen' | 'paid_fen' | 'reserved_fen', rows: readonly SummaryFigures[]) => rows.reduce((s, r) => s + r[key], 0);
    for (const k of ['budget_fen', 'paid_fen', 'reserved_fen'] as const) {
      expect(sum(k, summary.sections)).toBe(summary.total[k]);
      expect(sum(k, summary.measures)).toBe(summary.total[k]);
    }
    expect(summary.total).toMatchObject({ budget_fen: 1_000_000, paid_fen: 170_000, execution_rate: 0.4434 });
    const stb = summary.units.find((u) => u.unit === 'STB')!;
    expect(stb.measures).toEqual([4, 11, 12, 21, 23, 27]);
    expect(stb).toMatchObject({ budget_fen: 200_000, returned_fen: 33_333 });
    const eitb = summary.units.find((u) => u.unit === 'EITB')!;
    expect(eitb.budget_fen).toBe(1_000_000); // 7, 9 and 12 are all EITB's (12 shared with STB)
    expect(summary.units.some((u) => u.unit === 'FIN')).toBe(false);
  });

  test('paid per month adds up to the paid total', () => {
    expect(summary.monthly_paid.map((m) => m.month)).toEqual(Array.from({ length: 12 }, (_, i) => `2025-${String(i + 1).padStart(2, '0')}`));
    expect(summary.monthly_paid.reduce((s, m) => s + m.paid_fen, 0)).toBe(summary.total.paid_fen);
  });

  test('refuses a fiscal year that is not a year', async () => {
    await expect(fiscalSummary({ ledger, runs }, 25)).rejects.toMatchObject({ code: 'BAD_FISCAL_YEAR' });
  });
});
