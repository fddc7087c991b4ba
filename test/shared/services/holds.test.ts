/**
 * Issue 14 on DynamoDB Local: each control (duplicate project, possible duplicate, enterprise caps,
 * credit restrictions at intake and at run preparation) and each decision (release, reject,
 * STILL_RESTRICTED), with the envelope identity checked after every step, and concurrent matching
 * intakes that must never both be reserved nor take an enterprise over its cap.
 */
import { afterAll, beforeEach, describe, expect, test } from '@jest/globals';
import { freshTable, type TestTable } from '../../support/dynamo.ts';
import { awardFields, ledgerOn, tickingClock, usccFor } from '../../support/records.ts';
import { runStoreOn } from '../../support/runs.ts';
import { processIntake, type IntakeResult } from '../../../shared/services/intake.ts';
import type { IntakeRequest } from '../../../shared/domain/queue-messages.ts';
import { setBudget } from '../../../shared/services/budget.ts';
import { cancelAward } from '../../../shared/services/awards.ts';
import { listHolds, rejectHold, releaseHold } from '../../../shared/services/holds.ts';
import { liftCredit, listCredit, loadCredit, type CreditFileRow } from '../../../shared/services/credit.ts';
import { prepareRun } from '../../../shared/services/prepare-run.ts';
import type { DynamoLedger } from '../../../shared/adapters/dynamo/dynamo-ledger.ts';
import type { Clock } from '../../../shared/services/clock.ts';
import type { Award } from '../../../shared/domain/award.ts';
import type { Alert } from '../../../shared/domain/alert.ts';
import type { EnvelopeEvents } from '../../../shared/ports/envelope-events.ts';
import { holdAlert } from '../../../shared/domain/hold-alert.ts';

const tables: TestTable[] = [];
let table: TestTable;
let ledger: DynamoLedger;
let clock: Clock;
let held: Alert[];
let events: EnvelopeEvents;
const key = { measure: 7, fiscal_year: 2025 };
const SAME = usccFor(4242);
let submissions = 0;

beforeEach(async () => {
  table = await freshTable();
  tables.push(table);
  ledger = ledgerOn(table);
  clock = tickingClock(Date.parse('2025-05-10T02:00:00Z'));
  held = [];
  events = { envelopeChanged: async () => {}, awardHeld: async (a) => { held.push(holdAlert(a, clock.now())); } };
});
afterAll(async () => { await Promise.all(tables.map((t) => t.drop())); });

async function submit(records: Record<string, string>[]): Promise<IntakeResult[]> {
  const submission = `sub-${++submissions}`;
  const requests = new Map<string, IntakeRequest>(records.map((record, i) => [`m${i}`, { submission_id: submission, line: 2 + i, record }]));
  const settled = await processIntake({ ledger, clock, events }, requests);
  return [...requests.keys()].map((id) => {
    const s = settled.get(id)!;
    if (!s.ok) throw new Error(`message ${id} not settled: ${s.error.message}`);
    return s.result;
  });
}

const budget = (yuan: number, capYuan?: number, k = key) =>
  setBudget(ledger, clock, { ...k, amount_fen: yuan * 100, by: 'finance-a', ...(capYuan ? { enterprise_cap_fen: capYuan * 100 } : {}) });
const award = (n: number, o: Record<string, string> = {}) => awardFields(n, { recipient_uscc: SAME, ...o });

/** The envelope identity and the held figures against the awards themselves. */
async function expectConsistent(k = key): Promise<void> {
  const env = (await ledger.getEnvelope(k))!;
  expect(env.budget_fen).toBe(env.available_fen + env.reserved_fen + env.batched_fen + env.paid_fen);
  const awards: Award[] = [];
  for await (const a of ledger.listAwards({ measure: k.measure, fiscal_year: k.fiscal_year })) awards.push(a);
  const sum = (f: (a: Award) => boolean) => awards.filter(f).reduce((s, a) => s + a.amount_fen, 0);
  expect(env.held_count).toBe(awards.filter((a) => a.status === 'HELD').length);
  expect(env.held_fen).toBe(sum((a) => a.status === 'HELD' && a.hold?.keeps_reservation === true));
  expect(env.reserved_fen).toBe(sum((a) => a.status === 'RESERVED' || (a.status === 'HELD' && a.hold?.keeps_reservation === true)));
  expect(env.waitlisted_fen).toBe(sum((a) => a.status === 'WAITLISTED'));
  expect(env.held_fen).toBeLessThanOrEqual(env.reserved_fen);
}

const creditRows = (rows: Record<string, string>[]): AsyncIterable<CreditFileRow> => (async function* () {
  let line = 1;
  for (const fields of rows) yield { kind: 'record' as const, line: ++line, fields };
})();

describe('duplicate projects (就高不重复)', () => {
  test('the same project under another measure is HELD DUPLICATE_PROJECT, matched after trim, case and width folding; release plans it like a new arrival', async () => {
    await budget(10_000);
    await budget(10_000, undefined, { measure: 8, fiscal_year: 2025 });
    const [a] = await submit([award(1, { project_ref: 'Proj-001 智能产线' })]);
    const [b] = await submit([award(2, { measure: '8', project_ref: '  ＰＲＯＪ－００１　智能产线 ', amount_yuan: '3000' })]);
    expect(a).toMatchObject({ outcome: 'RESERVED' });
    expect(b).toMatchObject({ outcome: 'HELD', reason: 'DUPLICATE_PROJECT' });
    const stored = (await ledger.getAward('A-00002'))!;
    expect(stored).toMatchObject({ status: 'HELD', reason: 'DUPLICATE_PROJECT', hold: { reason: 'DUPLICATE_PROJECT', keeps_reservation: false } });
    const step = stored.trace.find((t) => t.rule === 'DUPLICATE_PROJECT')!;
    expect(step.detail).toContain('A-00001 (measure 7, EITB, 1,000.00 yuan, RESERVED)');
    const m8 = { measure: 8, fiscal_year: 2025 };
    expect(await ledger.getEnvelope(m8)).toMatchObject({ held_count: 1, held_fen: 0, reserved_fen: 0, available_fen: 1_000_000 });
    expect(held.map((x) => [x.alert_id, x.kind, x.units])).toEqual([['H-A-00002', 'HOLD', ['EITB', 'FIN']]]);
    await expectConsistent(m8);

    expect((await listHolds(ledger, { reason: 'DUPLICATE_PROJECT' })).map((h) => h.award_id)).toEqual(['A-00002']);
    expect(await listHolds(ledger, { reason: 'CREDIT_RESTRICTED' })).toEqual([]);
    const released = await releaseHold({ ledger, clock }, { award_id: 'A-00002', note: 'the higher award; A-00001 to be cancelled', by: 'clerk-li' });
    expect(released.award).toMatchObject({ status: 'RESERVED' });
    expect(released.award.history.at(-1)).toMatchObject({ status: 'RESERVED', by: 'clerk-li' });
    expect(await ledger.getEnvelope(m8)).toMatchObject({ held_count: 0, reserved_fen: 300_000, available_fen: 700_000 });
    await expectConsistent(m8);
    // Re-running the decision changes nothing; a non-held award cannot be rejected as a hold.
    expect((await releaseHold({ ledger, clock }, { award_id: 'A-00002', note: 'again', by: 'clerk-li' })).changed).toBe(false);
    await expect(rejectHold({ ledger, clock }, { award_id: 'A-00001', reason: 'x', by: 'clerk-li' })).rejects.toMatchObject({ code: 'NOT_HELD' });
  });

  test('an award without project_ref matching enterprise, measure, year and amount is HELD POSSIBLE_DUPLICATE; other amounts and enterprises pass', async () => {
    await budget(10_000);
    const r = await submit([award(1)]);
    const r2 = await submit([award(2), award(3, { amount_yuan: '999' }), awardFields(4)]);
    expect([...r, ...r2].map((x) => [x.outcome, x.reason])).toEqual([
      ['RESERVED', undefined], ['HELD', 'POSSIBLE_DUPLICATE'], ['RESERVED', undefined], ['RESERVED', undefined],
    ]);
    await expectConsistent();
  });

  test('a released hold joins the queue at its place when the envelope cannot take it; a rejected one frees its project', async () => {
    await budget(1_500);
    await submit([award(1, { project_ref: 'P1' })]);
    const [b] = await submit([award(2, { project_ref: 'p1', approved_date: '2025-03-01' })]);
    expect(b!.outcome).toBe('HELD');
    const released = await releaseHold({ ledger, clock }, { award_id: 'A-00002', note: 'ok', by: 'clerk' });
    expect(released.award).toMatchObject({ status: 'WAITLISTED', reason: 'BUDGET_EXHAUSTED' });
    await expectConsistent();
    await cancelAward(ledger, clock, { award_id: 'A-00001', reason: 'the lower one', by: 'clerk' });
    expect((await ledger.getAward('A-00002'))!.status).toBe('RESERVED'); // served from the queue
    await expectConsistent();

    const [c] = await submit([award(3, { project_ref: 'P1' })]);
    expect(c!.outcome).toBe('HELD');
    const rejected = await rejectHold({ ledger, clock }, { award_id: 'A-00003', reason: 'double subsidy', by: 'clerk' });
    expect(rejected.award).toMatchObject({ status: 'REJECTED', reason: 'HOLD_REJECTED' });
    expect(rejected.award.history.at(-1)).toMatchObject({ status: 'REJECTED', by: 'clerk' });
    await expectConsistent();
  });

  test('concurrent intakes of matching awards: never both reserved', async () => {
    await budget(100_000);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) =>
      submit([award(10 + i, { project_ref: 'SAME-PROJECT', amount_yuan: String(1000 + i) })])));
    const outcomes = results.flat().map((r) => r.outcome).sort();
    expect(outcomes).toEqual(['HELD', 'HELD', 'HELD', 'HELD', 'HELD', 'RESERVED']);
    const none = await Promise.all(Array.from({ length: 6 }, (_, i) => submit([award(20 + i, { amount_yuan: '777' })])));
    expect(none.flat().filter((r) => r.outcome === 'RESERVED')).toHaveLength(1);
    await expectConsistent();
  });

  test('two matching awards in one batch: the second is held', async () => {
    await budget(100_000);
    const results = await submit([award(1, { project_ref: 'X' }), award(2, { project_ref: 'x ' }), award(3, { amount_yuan: '500' }), award(4, { amount_yuan: '500' })]);
    expect(results.map((r) => r.outcome)).toEqual(['RESERVED', 'HELD', 'RESERVED', 'HELD']);
    await expectConsistent();
  });
});

describe('per-enterprise caps', () => {
  test('a measure cap rejects the award that would exceed it, with the cap, scope and total before; cancelling frees room', async () => {
    await budget(100_000, 2_500);
    const r = await submit([award(1, { project_ref: 'a' }), award(2, { project_ref: 'b' })]);
    const [third] = await submit([award(3, { project_ref: 'c' })]);
    expect(r.map((x) => x.outcome)).toEqual(['RESERVED', 'RESERVED']);
    expect(third).toMatchObject({ outcome: 'REJECTED', reason: 'ENTERPRISE_CAP_EXCEEDED' });
    const step = (await ledger.getAward('A-00003'))!.trace.find((t) => t.rule === 'ENTERPRISE_CAP_EXCEEDED')!;
    expect(step.detail).toContain('measure 7 FY2025');
    expect(step.detail).toContain('2,500.00');
    expect(step.detail).toContain('2,000.00');
    // Another enterprise is not affected; cancelling frees room for the first.
    expect((await submit([awardFields(9)]))[0]!.outcome).toBe('RESERVED');
    await cancelAward(ledger, clock, { award_id: 'A-00001', reason: 'withdrawn', by: 'clerk' });
    expect((await submit([award(4, { project_ref: 'd' })]))[0]!.outcome).toBe('RESERVED');
    await expectConsistent();
  });

  test('a scheme cap bounds the sum across fiscal years; held and waiting awards count', async () => {
    await ledger.putScheme({ scheme_id: 'S-CAP', name: '专项', measures: [7], valid_from: '2024-01-01', valid_to: '2026-12-31', enterprise_cap_fen: 250_000 });
    await budget(1_000); // small: the second award waits
    const k24 = { measure: 7, fiscal_year: 2024 };
    await budget(10_000, undefined, k24);
    const r = await submit([
      award(1, { scheme_id: 'S-CAP', approved_date: '2024-06-01', qualifying_date: '2024-05-01', project_ref: 'a' }),
      award(2, { scheme_id: 'S-CAP', amount_yuan: '1000', project_ref: 'b' }),
    ]);
    expect(r.map((x) => x.outcome)).toEqual(['RESERVED', 'RESERVED']);
    const [w] = await submit([award(3, { scheme_id: 'S-CAP', amount_yuan: '400', project_ref: 'c' })]);
    expect(w!.outcome).toBe('WAITLISTED');
    const [x] = await submit([award(4, { scheme_id: 'S-CAP', amount_yuan: '200', project_ref: 'd' })]);
    expect(x).toMatchObject({ outcome: 'REJECTED', reason: 'ENTERPRISE_CAP_EXCEEDED' });
    expect((await ledger.getAward('A-00004'))!.trace.at(-1)!.detail).toContain('scheme S-CAP');
    await expectConsistent();
    await expectConsistent(k24);
  });

  test('concurrent intakes never take an enterprise over its cap', async () => {
    await budget(100_000, 3_000);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => submit([award(30 + i, { project_ref: `p${i}` })])));
    const outcomes = results.flat();
    expect(outcomes.filter((r) => r.outcome === 'RESERVED')).toHaveLength(3);
    expect(outcomes.filter((r) => r.reason === 'ENTERPRISE_CAP_EXCEEDED')).toHaveLength(5);
    await expectConsistent();
  });
});

describe('crash between a decision and serving the queue', () => {
  test('a rejection whose queue service failed serves the queue when run again (found by the property model)', async () => {
    await budget(1_500);
    await submit([awardFields(1, { amount_yuan: '1000' })]);
    expect((await submit([awardFields(3, { amount_yuan: '1000' })]))[0]!.outcome).toBe('WAITLISTED');
    // A-00001 held at run preparation keeps its reservation (that path itself: below).
    const a1 = (await ledger.getAward('A-00001'))!;
    await ledger.controls.holdReserved(a1, { reason: 'CREDIT_RESTRICTED', at: clock.now(), keeps_reservation: true }, { at: clock.now(), status: 'HELD', note: 'x' });
    // The rejection is written, then reading the queue fails (the process dies there).
    const failing = Object.create(ledger, { queueHead: { value: async () => { throw new Error('connection reset'); } } }) as DynamoLedger;
    await expect(rejectHold({ ledger: failing, clock }, { award_id: 'A-00001', reason: 'restricted', by: 'clerk' })).rejects.toThrow('connection reset');
    expect((await ledger.getAward('A-00001'))!.status).toBe('REJECTED');
    expect((await ledger.getAward('A-00003'))!.status).toBe('WAITLISTED');
    // Run again: nothing to decide, but the queue is served.
    const again = await rejectHold({ ledger, clock }, { award_id: 'A-00001', reason: 'restricted', by: 'clerk' });
    expect(again).toMatchObject({ changed: false, drained: ['A-00003'] });
    expect((await ledger.getAward('A-00003'))!.status).toBe('RESERVED');
    await expectConsistent();
  });
});

describe('credit restrictions', () => {
  const restriction = (o: Record<string, string> = {}) => ({
    recipient_uscc: SAME, list_name: '失信被执行人', restricted_from: '2025-01-01', restricted_to: '', reference: '(2025)浙0283执123号', ...o,
  });

  test('load reports bad rows by line and field; list filters by day; lift is recorded', async () => {
    const report = await loadCredit(ledger, clock, creditRows([
      restriction(),
      restriction({ recipient_uscc: '91330213000000000X' }),
      restriction({ restricted_from: '2025-02-30' }),
      restriction({ list_name: '', restricted_from: '2025-03-01' }),
      restriction({ restricted_from: '2025-06-01', restricted_to: '2025-05-01' }),
      restriction(),
    ]), 'credit-officer');
    expect(report.loaded).toHaveLength(1);
    expect(report.errors.map((e) => [e.line, e.field])).toEqual([[3, 'recipient_uscc'], [4, 'restricted_from'], [5, 'list_name'], [6, 'restricted_to'], [7, 'recipient_uscc']]);
    expect(await listCredit(ledger, '2024-12-31')).toEqual([]);
    expect((await listCredit(ledger, '2025-05-10')).map((r) => r.recipient_uscc)).toEqual([SAME]);
    await expect(listCredit(ledger, '2025-13-01')).rejects.toMatchObject({ code: 'BAD_OPTION' });
    expect(await liftCredit(ledger, clock, { uscc: SAME, reference: '撤销', by: 'credit-officer' })).toHaveLength(1);
    expect(await listCredit(ledger, '2025-05-10')).toEqual([]);
  });

  test('at intake a restricted recipient is HELD CREDIT_RESTRICTED (before duplicate checks); release is refused while restricted', async () => {
    await budget(10_000);
    await submit([award(1, { project_ref: 'P' })]);
    await loadCredit(ledger, clock, creditRows([restriction()]), 'credit-officer');
    const [r] = await submit([award(2, { project_ref: 'P' })]);
    expect(r).toMatchObject({ outcome: 'HELD', reason: 'CREDIT_RESTRICTED' });
    await expect(releaseHold({ ledger, clock }, { award_id: 'A-00002', note: 'n', by: 'clerk' })).rejects.toMatchObject({ code: 'STILL_RESTRICTED' });
    await liftCredit(ledger, clock, { uscc: SAME, reference: '信用修复', by: 'credit-officer' });
    expect((await ledger.getAward('A-00002'))!.status).toBe('HELD'); // lifting releases nothing by itself
    expect((await releaseHold({ ledger, clock }, { award_id: 'A-00002', note: 'lifted', by: 'clerk' })).award.status).toBe('RESERVED');
    await expectConsistent();
  });

  test('at run preparation a restricted RESERVED award is left out and HELD keeping its reservation; rejected, its money returns', async () => {
    await budget(10_000);
    await submit([award(1), awardFields(2)]);
    await loadCredit(ledger, clock, creditRows([restriction({ restricted_from: '2025-05-01' })]), 'credit-officer');
    const runs = runStoreOn(table);
    const { run } = await prepareRun({ ledger, runs, clock, events }, { period: '2025-05', by: 'finance-a' });
    expect(run.award_count).toBe(1);
    expect((await ledger.getAward('A-00001'))).toMatchObject({ status: 'HELD', hold: { reason: 'CREDIT_RESTRICTED', keeps_reservation: true } });
    expect(held.map((a) => a.alert_id)).toEqual(['H-A-00001']);
    expect(await ledger.getEnvelope(key)).toMatchObject({ held_count: 1, held_fen: 100_000, reserved_fen: 100_000, batched_fen: 100_000 });
    await expectConsistent();
    await rejectHold({ ledger, clock }, { award_id: 'A-00001', reason: 'restricted recipient', by: 'clerk' });
    expect(await ledger.getEnvelope(key)).toMatchObject({ held_count: 0, held_fen: 0, reserved_fen: 0, available_fen: 900_000 });
    await expectConsistent();
  });

  test('a held-at-preparation award released after lifting is RESERVED again', async () => {
    await budget(10_000);
    await submit([award(1), awardFields(2)]);
    await loadCredit(ledger, clock, creditRows([restriction({ restricted_from: '2025-05-01' })]), 'credit-officer');
    await prepareRun({ ledger, runs: runStoreOn(table), clock }, { period: '2025-05', by: 'finance-a' });
    await liftCredit(ledger, clock, { uscc: SAME, reference: 'r', by: 'credit-officer' });
    expect((await releaseHold({ ledger, clock }, { award_id: 'A-00001', note: 'lifted', by: 'clerk' })).award.status).toBe('RESERVED');
    expect(await ledger.getEnvelope(key)).toMatchObject({ held_count: 0, held_fen: 0, reserved_fen: 100_000 });
    await expectConsistent();
  });
});
