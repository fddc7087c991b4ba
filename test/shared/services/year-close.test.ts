import { afterAll, beforeEach, describe, expect, test } from '@jest/globals';
import { freshTable, type TestTable } from '../../support/dynamo.ts';
import { awardFields, ledgerOn } from '../../support/records.ts';
import { budget, clockAt, runStoreOn } from '../../support/runs.ts';
import type { DynamoLedger } from '../../../shared/adapters/dynamo/dynamo-ledger.ts';
import { DynamoYearClose } from '../../../shared/adapters/dynamo/dynamo-year-close.ts';
import { DynamoReconciliationStore } from '../../../shared/adapters/dynamo/dynamo-reconciliation-store.ts';
import { processIntake } from '../../../shared/services/intake.ts';
import { approveYearClose, proposeYearClose, yearStatus, type YearCloseDeps } from '../../../shared/services/year-close.ts';
import { transferBudget } from '../../../shared/services/transfer-budget.ts';
import { setBudget } from '../../../shared/services/budget.ts';
import { prepareRun } from '../../../shared/services/prepare-run.ts';
import { checkLedger } from '../../../shared/services/reconcile.ts';
import type { IntakeRequest } from '../../../shared/domain/queue-messages.ts';
import type { Clock } from '../../../shared/services/clock.ts';
import { BursarError } from '../../../shared/domain/errors.ts';
import { rejectHold, releaseHold } from '../../../shared/services/holds.ts';
import { approveRun } from '../../../shared/services/approve-run.ts';
import { exportRun } from '../../../shared/services/export-run.ts';
import { resultRowsFromFile, settleRun } from '../../../shared/services/settle-run.ts';
import { releaseFailed } from '../../../shared/services/release-failed.ts';
import { LocalDirSink } from '../../../shared/adapters/files/local-dir-sink.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cancelAward } from '../../../shared/services/awards.ts';

const tables: TestTable[] = [];
let table: TestTable;
let ledger: DynamoLedger;
let clock: Clock;
let deps: YearCloseDeps;
const m12 = (n: number, amount: string, date: string) => awardFields(n, { measure: '12', approving_unit: 'STB', amount_yuan: amount, approved_date: date });

beforeEach(async () => {
  table = await freshTable();
  tables.push(table);
  ledger = ledgerOn(table);
  clock = clockAt('2025-12-31T08:00:00Z');
  deps = { ledger, clock, runs: runStoreOn(table), closes: new DynamoYearClose(table.doc, table.tableName, 10) };
  await budget(ledger, clock, 7, 2025, 10_000);
  await budget(ledger, clock, 12, 2025, 1_000);
  expect(await submit([
    awardFields(1, { amount_yuan: '3000.00', approved_date: '2025-06-01' }), awardFields(2, { amount_yuan: '2000.00', approved_date: '2025-05-01' }),
    m12(3, '800.00', '2025-04-01'), m12(4, '700.00', '2025-04-02'), m12(5, '600.00', '2025-04-03'),
  ])).toEqual(['RESERVED', 'RESERVED', 'RESERVED', 'WAITLISTED', 'WAITLISTED']);
});
afterAll(async () => { await Promise.all(tables.map((t) => t.drop())); });

let subs = 0;
async function submit(records: Record<string, string>[]): Promise<string[]> {
  const requests = new Map<string, IntakeRequest>(records.map((record, i) => [`m${i}`, { submission_id: `s${++subs}`, line: i + 2, record }]));
  const settled = await processIntake({ ledger, clock }, requests);
  return [...settled.values()].map((s) => (s.ok ? s.result.outcome : `ERROR ${s.error.message}`));
}
async function refusal(p: Promise<unknown>): Promise<string> {
  try { await p; } catch (e) { if (e instanceof BursarError) return e.code; throw e; }
  return 'NONE';
}
const env = async (measure: number, fiscal_year: number) => (await ledger.getEnvelope({ measure, fiscal_year }))!;

describe('year close', () => {
  test('propose shows the plan; the proposer cannot approve; a second person executes it once', async () => {
    const proposed = await proposeYearClose(deps, { fiscal_year: 2025, by: 'fin-wang' });
    expect(proposed).toMatchObject({ fiscal_year: 2025, status: 'PROPOSED', changed: true });
    expect(proposed.plan).toEqual([
      { measure: 7, carried_fen: 500_000, carried_awards: ['A-00002', 'A-00001'], queued_awards: [], lapsed_fen: 500_000 },
      { measure: 12, carried_fen: 80_000, carried_awards: ['A-00003'], queued_awards: ['A-00004', 'A-00005'], lapsed_fen: 20_000 },
    ]);
    expect((await proposeYearClose(deps, { fiscal_year: 2025, by: 'fin-zhao' })).changed).toBe(false);
    expect(await refusal(approveYearClose(deps, { fiscal_year: 2025, by: 'fin-wang' }))).toBe('SAME_PERSON');

    const approved = await approveYearClose(deps, { fiscal_year: 2025, by: 'fin-li' });
    expect(approved).toMatchObject({ status: 'CLOSED', changed: true, closed: proposed.plan });
    expect(await env(7, 2025)).toMatchObject({ status: 'CLOSED', budget_fen: 1_000_000, reserved_fen: 0, available_fen: 0, carried_out_fen: 500_000, lapsed_fen: 500_000 });
    expect(await env(7, 2026)).toMatchObject({ status: 'OPEN', budget_set: true, budget_fen: 500_000, carried_in_fen: 500_000, reserved_fen: 500_000, available_fen: 0 });
    expect(await env(12, 2025)).toMatchObject({ status: 'CLOSED', carried_out_fen: 80_000, lapsed_fen: 20_000, waitlisted_count: 0, waitlisted_fen: 0 });
    expect(await env(12, 2026)).toMatchObject({ budget_fen: 80_000, carried_in_fen: 80_000, reserved_fen: 80_000, waitlisted_count: 2, waitlisted_fen: 130_000 });
    expect((await ledger.queueHead({ measure: 12, fiscal_year: 2026 }, 10)).map((q) => q.award_id)).toEqual(['A-00004', 'A-00005']);
    const a1 = (await ledger.getAward('A-00001'))!;
    expect(a1).toMatchObject({ fiscal_year: 2026, status: 'RESERVED', carried_from: [2025] });
    expect(a1.history.at(-1)).toMatchObject({ status: 'RESERVED', by: 'fin-li', note: 'carried forward from FY2025 to FY2026 (年终结转)' });
    expect((await ledger.getAward('A-00004'))!).toMatchObject({ fiscal_year: 2026, status: 'WAITLISTED' });

    // Again: nothing written (the envelopes' versions do not move).
    const before = [await env(7, 2025), await env(7, 2026), await env(12, 2026)].map((e) => e.version);
    const again = await approveYearClose(deps, { fiscal_year: 2025, by: 'fin-li' });
    expect(again).toMatchObject({ status: 'CLOSED', changed: false, closed: proposed.plan, drained: [] });
    expect([await env(7, 2025), await env(7, 2026), await env(12, 2026)].map((e) => e.version)).toEqual(before);
    expect(await refusal(proposeYearClose(deps, { fiscal_year: 2025, by: 'x' }))).toBe('FISCAL_YEAR_CLOSED');

    const { report } = await checkLedger({ ledger, store: new DynamoReconciliationStore(table.doc, table.tableName), runs: runStoreOn(table), clock });
    expect(report.mismatches).toEqual([]);
    expect(report.clean).toBe(true);
  });

  test('a closed year refuses budget changes, transfers and reservations; a late award is charged to the next year', async () => {
    await proposeYearClose(deps, { fiscal_year: 2025, by: 'a' });
    await approveYearClose(deps, { fiscal_year: 2025, by: 'b' });
    expect(await refusal(setBudget(ledger, clock, { measure: 7, fiscal_year: 2025, amount_fen: 2_000_000, by: 'x' }))).toBe('FISCAL_YEAR_CLOSED');
    expect(await refusal(transferBudget(ledger, clock, { fiscal_year: 2025, from_measure: 7, to_measure: 12, amount_fen: 100, reason: 'r', by: 'x' }))).toBe('FISCAL_YEAR_CLOSED');
    // A measure the year never had an envelope for is closed too.
    expect((await env(3, 2025)).status).toBe('CLOSED');
    await budget(ledger, clock, 7, 2026, 6_000);
    expect(await submit([awardFields(9, { amount_yuan: '500.00', approved_date: '2025-12-20' })])).toEqual(['RESERVED']);
    const late = (await ledger.getAward('A-00009'))!;
    expect(late.fiscal_year).toBe(2026);
    expect(late.trace.at(-1)).toEqual({ rule: 'FISCAL_YEAR_CLOSED', ok: true, detail: "approved in FY2025, which is closed: charged to FY2026's envelope" });
    expect(await env(7, 2026)).toMatchObject({ reserved_fen: 550_000, available_fen: 50_000 });
    expect(await env(7, 2025)).toMatchObject({ reserved_fen: 0, available_fen: 0 });
  });

  test('refusals: OPEN_RUNS, NOT_PROPOSED, MISSING_ACTOR', async () => {
    expect(await refusal(approveYearClose(deps, { fiscal_year: 2025, by: 'b' }))).toBe('NOT_PROPOSED');
    await prepareRun({ ledger, runs: runStoreOn(table), clock }, { period: '2025-06', by: 'maker' });
    expect(await refusal(proposeYearClose(deps, { fiscal_year: 2025, by: 'a' }))).toBe('OPEN_RUNS');
    expect(await refusal(proposeYearClose(deps, { fiscal_year: 2025, by: ' ' }))).toBe('MISSING_ACTOR');
  });

  test('HELD awards are carried still HELD (with the money those held at run preparation keep); controls stay in the approval year', async () => {
    const a1 = (await ledger.getAward('A-00001'))!;
    // A-00002 held at run preparation keeps its reservation (the path itself: holds.test.ts).
    const a2 = (await ledger.getAward('A-00002'))!;
    expect((await ledger.controls.holdReserved(a2, { reason: 'CREDIT_RESTRICTED', at: clock.now(), keeps_reservation: true }, { at: clock.now(), status: 'HELD', note: 'CREDIT_RESTRICTED' })).ok).toBe(true);
    // Same enterprise, measure, year and amount as A-00001, no project_ref: a possible duplicate, held at intake.
    const twin = (n: number, date: string) => awardFields(n, { recipient_uscc: a1.recipient_uscc, amount_yuan: '3000.00', approved_date: date });
    expect(await submit([twin(10, '2025-06-02')])).toEqual(['HELD']);
    expect(await env(7, 2025)).toMatchObject({ held_count: 2, held_fen: 200_000, reserved_fen: 500_000 });

    const proposed = await proposeYearClose(deps, { fiscal_year: 2025, by: 'a' });
    expect(proposed.plan[0]).toEqual({ measure: 7, carried_fen: 500_000, carried_awards: ['A-00002', 'A-00001', 'A-00010'], queued_awards: [], lapsed_fen: 500_000 });
    const approved = await approveYearClose(deps, { fiscal_year: 2025, by: 'b' });
    expect(approved.closed[0]).toEqual(proposed.plan[0]);
    expect(await env(7, 2025)).toMatchObject({ reserved_fen: 0, held_count: 0, held_fen: 0, carried_out_fen: 500_000, lapsed_fen: 500_000 });
    expect(await env(7, 2026)).toMatchObject({ budget_fen: 500_000, carried_in_fen: 500_000, reserved_fen: 500_000, held_count: 2, held_fen: 200_000 });
    expect(await ledger.getAward('A-00002')).toMatchObject({ status: 'HELD', fiscal_year: 2026, carried_from: [2025], hold: { keeps_reservation: true } });
    expect(await ledger.getAward('A-00010')).toMatchObject({ status: 'HELD', fiscal_year: 2026, carried_from: [2025], hold: { keeps_reservation: false } });
    const store = new DynamoReconciliationStore(table.doc, table.tableName);
    expect((await checkLedger({ ledger, store, runs: runStoreOn(table), clock })).report.clean).toBe(true);

    // A twin approved in closed 2025 is charged to 2026 and matched there against A-00001 (controls
    // stay in 2025, the approval year): held in 2026.
    expect(await submit([twin(11, '2025-12-30')])).toEqual(['HELD']);
    const late = (await ledger.getAward('A-00011'))!;
    expect(late).toMatchObject({ status: 'HELD', fiscal_year: 2026, reason: 'POSSIBLE_DUPLICATE' });
    expect(late.trace.map((t) => t.rule)).toEqual(expect.arrayContaining(['FISCAL_YEAR_CLOSED', 'POSSIBLE_DUPLICATE']));
    expect(await env(7, 2026)).toMatchObject({ held_count: 3 });
    // Decisions in 2026: A-00002 RESERVED again with its money; cancelling carried A-00001 and rejecting
    // A-00010 free their controls where they were counted, so A-00011's release passes; a new twin is
    // a possible duplicate of it.
    expect((await releaseHold({ ledger, clock }, { award_id: 'A-00002', note: 'cleared', by: 'clerk' })).award.status).toBe('RESERVED');
    await cancelAward(ledger, clock, { award_id: 'A-00001', reason: 'withdrawn', by: 'clerk' });
    await rejectHold({ ledger, clock }, { award_id: 'A-00010', reason: 'second file of A-00001', by: 'clerk' });
    expect((await releaseHold({ ledger, clock }, { award_id: 'A-00011', note: 'the only one now', by: 'clerk' })).award.status).toBe('RESERVED');
    expect(await submit([twin(12, '2025-12-31')])).toEqual(['HELD']);
    expect((await checkLedger({ ledger, store, runs: runStoreOn(table), clock })).report.clean).toBe(true);
  });

  test('approve reports a measure whose only carried award was HELD at intake, without money or budget (found by the property model)', async () => {
    const uscc = (await ledger.getAward('A-00001'))!.recipient_uscc;
    // One project under measure 7 and again under measure 21 (no budget there): the second is HELD (DUPLICATE_PROJECT).
    expect(await submit([
      awardFields(20, { recipient_uscc: uscc, project_ref: 'PRJ-77', amount_yuan: '100.00', approved_date: '2025-07-01' }),
      awardFields(21, { measure: '21', approving_unit: 'TALENT', recipient_uscc: uscc, project_ref: 'prj-77', amount_yuan: '200.00', approved_date: '2025-07-02' }),
    ])).toEqual(['RESERVED', 'HELD']);
    const proposed = await proposeYearClose(deps, { fiscal_year: 2025, by: 'a' });
    expect(proposed.plan.find((m) => m.measure === 21)).toEqual({ measure: 21, carried_fen: 0, carried_awards: ['A-00021'], queued_awards: [], lapsed_fen: 0 });
    const approved = await approveYearClose(deps, { fiscal_year: 2025, by: 'b' });
    expect(await ledger.getAward('A-00021')).toMatchObject({ status: 'HELD', fiscal_year: 2026, carried_from: [2025] });
    expect(approved.closed).toEqual(proposed.plan);
    expect((await approveYearClose(deps, { fiscal_year: 2025, by: 'b' })).closed).toEqual(proposed.plan);
  });

  test('a year whose next year is already closed refuses its close (NEXT_YEAR_CLOSED): it could never carry, and would stop half-way', async () => {
    await budget(ledger, clock, 7, 2024, 5_000);
    expect(await submit([awardFields(30, { amount_yuan: '400.00', approved_date: '2024-11-01', qualifying_date: '2024-06-01' })])).toEqual(['RESERVED']);
    await proposeYearClose(deps, { fiscal_year: 2024, by: 'a' });
    await proposeYearClose(deps, { fiscal_year: 2025, by: 'a' });
    await approveYearClose(deps, { fiscal_year: 2025, by: 'b' });
    // FY2024 carries into FY2025, closed now: refused at the proposal and at the approval, nothing written.
    expect(await refusal(proposeYearClose(deps, { fiscal_year: 2024, by: 'a' }))).toBe('NEXT_YEAR_CLOSED');
    expect(await refusal(approveYearClose(deps, { fiscal_year: 2024, by: 'b' }))).toBe('NEXT_YEAR_CLOSED');
    expect(await env(7, 2024)).toMatchObject({ status: 'OPEN', reserved_fen: 40_000 });
    expect(await ledger.getAward('A-00030')).toMatchObject({ status: 'RESERVED', fiscal_year: 2024 });
  });

  test('RETURNED awards of the year refuse its close (UNRESOLVED_AWARDS) until a second person releases or cancels them', async () => {
    const runs = runStoreOn(table);
    await prepareRun({ ledger, runs, clock }, { period: '2025-06', by: 'maker' });
    await approveRun({ runs, clock }, { run_id: 'RUN-2025-06', by: 'checker' });
    await exportRun({ runs, clock, sink: new LocalDirSink(mkdtempSync(path.join(os.tmpdir(), 'bursar-yc-'))) }, { run_id: 'RUN-2025-06' });
    const results = path.join(mkdtempSync(path.join(os.tmpdir(), 'bursar-yc-')), 'results.csv');
    writeFileSync(results, 'award_id,status,reference,reason\nA-00001,PAID,R-1,\nA-00002,FAILED,,account closed\nA-00003,PAID,R-3,\n');
    await settleRun({ runs, clock }, { run_id: 'RUN-2025-06', rows: resultRowsFromFile(results), by: 'importer' });
    expect((await ledger.getAward('A-00002'))!.status).toBe('RETURNED');
    await expect(proposeYearClose(deps, { fiscal_year: 2025, by: 'a' })).rejects.toMatchObject({ code: 'UNRESOLVED_AWARDS', context: { returned: 1, award_ids: ['A-00002'] } });
    await releaseFailed({ runs, clock }, { run_id: 'RUN-2025-06', by: 'reviewer' });
    expect((await proposeYearClose(deps, { fiscal_year: 2025, by: 'a' })).plan[0]).toMatchObject({ measure: 7, carried_awards: ['A-00002'], carried_fen: 200_000 });
  });

  test('year status: OPEN / PROPOSED / CLOSED and the policy days left in Asia/Shanghai days', async () => {
    await budget(ledger, clock, 7, 2026, 1);
    expect(await yearStatus(deps)).toEqual({ years: [{ fiscal_year: 2025, status: 'OPEN' }, { fiscal_year: 2026, status: 'OPEN' }], policy_ends: '2026-12-31', policy_days_left: 366 });
    await proposeYearClose(deps, { fiscal_year: 2025, by: 'a' });
    expect((await yearStatus(deps)).years[0]).toEqual({ fiscal_year: 2025, status: 'PROPOSED', proposed_by: 'a' });
    await approveYearClose(deps, { fiscal_year: 2025, by: 'b' });
    expect((await yearStatus(deps)).years[0]).toEqual({ fiscal_year: 2025, status: 'CLOSED', proposed_by: 'a', approved_by: 'b' });
    const at = (iso: string) => yearStatus({ ...deps, clock: clockAt(iso) }).then((s) => s.policy_days_left);
    expect(await at('2026-12-31T15:59:59Z')).toBe(1); // 23:59 on 31 December in Shanghai
    expect(await at('2026-12-31T16:00:00Z')).toBe(0); // 1 January 2027 in Shanghai
    expect(await at('2027-06-01T00:00:00Z')).toBe(0);
  });
});
