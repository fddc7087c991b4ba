/** DynamoLedger against DynamoDB Local: what each write stores, and each refusal decoded by role. */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { DynamoLedger } from '../../../../shared/adapters/dynamo/dynamo-ledger.ts';
import { DynamoYearClose } from '../../../../shared/adapters/dynamo/dynamo-year-close.ts';
import type { Envelope, EnvelopeKey } from '../../../../shared/domain/envelope.ts';
import type { BudgetAuditEntry, WriteResult } from '../../../../shared/ports/ledger.ts';
import { freshTable, type TestTable } from '../../../support/dynamo.ts';
import { storedAward } from '../../../support/stored-awards.ts';
import { FaultPlan, gatedDocClient, scheduledGate } from '../../../reliability/support/store-gate.ts';

const KEY: EnvelopeKey = { measure: 7, fiscal_year: 2025 };
const AT = '2025-05-01T00:00:00.000Z';

let table: TestTable;
let ledger: DynamoLedger;
beforeEach(async () => {
  table = await freshTable();
  ledger = new DynamoLedger(table.doc, table.tableName, { maxTransactionItems: 10 });
});
afterEach(async () => { await table.drop(); });

const award = storedAward;

const audit = (by: string, oldFen: number | null, newFen: number, at = AT): BudgetAuditEntry => ({ at, by, old_budget_fen: oldFen, new_budget_fen: newFen });

async function setBudget(fen: number, key: EnvelopeKey = KEY): Promise<Envelope> {
  const before = await ledger.getEnvelope(key);
  const committed = before ? before.reserved_fen + before.batched_fen + before.paid_fen : 0;
  const result = await ledger.writeBudget(key, before?.version, { budget_fen: fen, available_fen: fen - committed, alert_at: [80, 100] },
    audit('officer', before?.budget_set ? before.budget_fen : null, fen));
  expect(result).toEqual({ ok: true });
  return (await ledger.getEnvelope(key))!;
}

const refused = (r: WriteResult) => { expect(r.ok).toBe(false); return r as Extract<WriteResult, { ok: false }>; };
const figures = (e: Envelope | undefined) => e && {
  budget_fen: e.budget_fen, available_fen: e.available_fen, reserved_fen: e.reserved_fen,
  waitlisted_fen: e.waitlisted_fen, waitlisted_count: e.waitlisted_count,
};

describe('envelopes and budgets', () => {
  test('writeBudget creates an envelope, then changes it only at the version read (optimistic lock), auditing each change', async () => {
    expect(await ledger.getEnvelope(KEY)).toBeUndefined();
    const created = await setBudget(10_000);
    expect(created).toMatchObject({ ...KEY, budget_set: true, budget_fen: 10_000, available_fen: 10_000, reserved_fen: 0,
      batched_fen: 0, paid_fen: 0, waitlisted_count: 0, waitlisted_fen: 0, queue_seq: 0, alert_at: [80, 100], version: 1 });

    // Creating again (expecting no envelope) is refused as the envelope's condition.
    expect(refused(await ledger.writeBudget(KEY, undefined, { budget_fen: 1, available_fen: 1, alert_at: [] }, audit('x', null, 1))))
      .toEqual({ ok: false, envelopeChanged: true, existingAwards: [], collided: false });

    expect(await ledger.writeBudget(KEY, 1, { budget_fen: 20_000, available_fen: 20_000, alert_at: [90] }, audit('second', 10_000, 20_000, '2025-05-02T00:00:00.000Z'))).toEqual({ ok: true });
    // A writer still holding version 1 is refused and nothing of its write lands.
    expect(refused(await ledger.writeBudget(KEY, 1, { budget_fen: 5, available_fen: 5, alert_at: [] }, audit('stale', 10_000, 5)))).toMatchObject({ envelopeChanged: true, collided: false });
    expect(await ledger.getEnvelope(KEY)).toMatchObject({ budget_fen: 20_000, available_fen: 20_000, alert_at: [90], version: 2 });

    expect(await ledger.listBudgetAudit(KEY)).toEqual([
      { at: AT, by: 'officer', old_budget_fen: null, new_budget_fen: 10_000 },
      { at: '2025-05-02T00:00:00.000Z', by: 'second', old_budget_fen: 10_000, new_budget_fen: 20_000 },
    ]);
  });

  test('listEnvelopes lists by fiscal year', async () => {
    await setBudget(100, { measure: 1, fiscal_year: 2024 });
    await setBudget(200, { measure: 2, fiscal_year: 2025 });
    await setBudget(300, { measure: 3, fiscal_year: 2025 });
    expect((await ledger.listEnvelopes(2025)).map((e) => [e.measure, e.budget_fen]).sort()).toEqual([[2, 200], [3, 300]]);
    expect((await ledger.listEnvelopes()).map((e) => e.measure).sort()).toEqual([1, 2, 3]);
  });
});

describe('awards', () => {
  test('reserveNew stores the awards and moves their sum from available to reserved in one write', async () => {
    await setBudget(10_000);
    const a = [award(1, 3_000, 'RESERVED'), award(2, 4_000, 'RESERVED')];
    expect(await ledger.reserveNew(KEY, a)).toEqual({ ok: true });
    expect(await ledger.getEnvelope(KEY)).toMatchObject({ available_fen: 3_000, reserved_fen: 7_000, version: 2 });
    const stored = await ledger.getAwards(['A-00001', 'A-00002', 'A-99999']);
    expect([...stored.keys()].sort()).toEqual(['A-00001', 'A-00002']);
    expect(stored.get('A-00001')).toEqual(a[0]);
  });

  test('reserveNew refusals: existing awards by id, an envelope that cannot pay, a missing envelope; nothing half-written', async () => {
    await setBudget(10_000);
    await ledger.reserveNew(KEY, [award(1, 3_000, 'RESERVED')]);
    // One award already exists: only it is named, the envelope's condition held.
    expect(refused(await ledger.reserveNew(KEY, [award(2, 1_000, 'RESERVED'), award(1, 3_000, 'RESERVED')])))
      .toEqual({ ok: false, envelopeChanged: false, existingAwards: ['A-00001'], collided: false });
    expect(await ledger.getAward('A-00002')).toBeUndefined();
    // More than is available: the envelope refuses.
    expect(refused(await ledger.reserveNew(KEY, [award(3, 7_001, 'RESERVED')])))
      .toEqual({ ok: false, envelopeChanged: true, existingAwards: [], collided: false });
    expect(await ledger.getAward('A-00003')).toBeUndefined();
    // No envelope at all.
    expect(refused(await ledger.reserveNew({ measure: 8, fiscal_year: 2025 }, [award(4, 1, 'RESERVED', { measure: 8 })])).envelopeChanged).toBe(true);
    expect(figures(await ledger.getEnvelope(KEY))).toEqual({ budget_fen: 10_000, available_fen: 7_000, reserved_fen: 3_000, waitlisted_fen: 0, waitlisted_count: 0 });
  });

  test('more awards than one transaction holds are refused before anything is sent', async () => {
    await setBudget(10_000);
    const many = Array.from({ length: 10 }, (_, i) => award(i + 1, 1, 'RESERVED'));
    expect(() => ledger.reserveNew(KEY, many)).toThrow(RangeError);
    expect(await ledger.getAward('A-00001')).toBeUndefined();
  });

  test('insertRejected stores a rejected award without touching an envelope; a second insert names it existing', async () => {
    const rejected = award(5, 100, 'REJECTED', { reason: 'UNKNOWN_MEASURE' });
    expect(await ledger.insertRejected(rejected)).toEqual({ ok: true });
    expect(await ledger.getAward('A-00005')).toEqual(rejected);
    expect(await ledger.getEnvelope(KEY)).toBeUndefined();
    expect(refused(await ledger.insertRejected(rejected)).existingAwards).toEqual(['A-00005']);
  });

  test('a transaction cancelled by a conflicting one is reported as collided, not as a refusal of the plan', async () => {
    await setBudget(10_000);
    // The first request through this client collides (TransactionConflict on its last item, the envelope).
    const doc = gatedDocClient(scheduledGate(undefined, new FaultPlan(new Map([[0, 'conflict']]))));
    try {
      const colliding = new DynamoLedger(doc, table.tableName, { maxTransactionItems: 10 });
      expect(refused(await colliding.reserveNew(KEY, [award(1, 1_000, 'RESERVED')])))
        .toEqual({ ok: false, envelopeChanged: false, existingAwards: [], collided: true });
      expect(await ledger.getAward('A-00001')).toBeUndefined();
      expect(await colliding.reserveNew(KEY, [award(1, 1_000, 'RESERVED')])).toEqual({ ok: true });
    } finally {
      doc.destroy();
    }
  });

  test('concurrent reservations never take more than the budget; each refusal is an envelope change or a collision', async () => {
    await setBudget(5_000);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => ledger.reserveNew(KEY, [award(i + 1, 1_000, 'RESERVED')])));
    const ok = results.filter((r) => r.ok).length;
    for (const r of results) if (!r.ok) expect(r.envelopeChanged || r.collided).toBe(true);
    const env = (await ledger.getEnvelope(KEY))!;
    expect(env.reserved_fen).toBe(ok * 1_000);
    expect(env.available_fen + env.reserved_fen).toBe(5_000);
    expect(ok).toBeLessThanOrEqual(5);
    expect((await ledger.getAwards(results.map((_, i) => `A-${String(i + 1).padStart(5, '0')}`))).size).toBe(ok);
  });
});

describe('the waitlist', () => {
  test('waitlistNew creates a placeholder envelope, counts the queue and bumps queue_seq; queueHead reads it in queue order', async () => {
    const late = award(1, 2_000, 'WAITLISTED', { approved_date: '2025-04-03', reason: 'NO_ENVELOPE' });
    const early = award(2, 3_000, 'WAITLISTED', { approved_date: '2025-04-01', reason: 'NO_ENVELOPE' });
    const tieB = award(4, 500, 'WAITLISTED', { approved_date: '2025-04-02' });
    const tieA = award(3, 700, 'WAITLISTED', { approved_date: '2025-04-02' });
    expect(await ledger.waitlistNew(KEY, [late, early])).toEqual({ ok: true });
    expect(await ledger.getEnvelope(KEY)).toMatchObject({ budget_set: false, budget_fen: 0, available_fen: 0, waitlisted_count: 2, waitlisted_fen: 5_000, queue_seq: 1 });
    expect(await ledger.waitlistNew(KEY, [tieB, tieA])).toEqual({ ok: true });
    expect((await ledger.getEnvelope(KEY))!.queue_seq).toBe(2);
    expect(await ledger.queueHead(KEY, 10)).toEqual([
      { award_id: 'A-00002', approved_date: '2025-04-01', amount_fen: 3_000 },
      { award_id: 'A-00003', approved_date: '2025-04-02', amount_fen: 700 },
      { award_id: 'A-00004', approved_date: '2025-04-02', amount_fen: 500 },
      { award_id: 'A-00001', approved_date: '2025-04-03', amount_fen: 2_000 },
    ]);
    expect((await ledger.queueHead(KEY, 2)).map((e) => e.award_id)).toEqual(['A-00002', 'A-00003']);
    // A budget set later keeps the queue's counters.
    expect(await setBudget(10_000)).toMatchObject({ budget_set: true, available_fen: 10_000, waitlisted_count: 4, waitlisted_fen: 6_200, queue_seq: 2 });
  });

  test('while anyone waits, reserveNew is refused by the envelope; waitlistNew names an award that exists', async () => {
    await setBudget(10_000);
    await ledger.waitlistNew(KEY, [award(1, 20_000, 'WAITLISTED')]);
    expect(refused(await ledger.reserveNew(KEY, [award(2, 100, 'RESERVED')]))).toMatchObject({ envelopeChanged: true, existingAwards: [] });
    expect(refused(await ledger.waitlistNew(KEY, [award(1, 20_000, 'WAITLISTED')]))).toMatchObject({ existingAwards: ['A-00001'] });
    expect(await ledger.getEnvelope(KEY)).toMatchObject({ waitlisted_count: 1, waitlisted_fen: 20_000, queue_seq: 1 });
  });

  test('reserveFromQueue serves the head at the queue_seq read; a stale seq or too little money is refused by the envelope', async () => {
    await ledger.waitlistNew(KEY, [award(1, 3_000, 'WAITLISTED'), award(2, 4_000, 'WAITLISTED', { approved_date: '2025-04-02' })]);
    const env = await setBudget(5_000);
    const head = await ledger.queueHead(KEY, 2);
    // Both do not fit; the envelope refuses and the queue is untouched.
    expect(refused(await ledger.reserveFromQueue(KEY, env.queue_seq, head, '2025-05-03T00:00:00.000Z')))
      .toEqual({ ok: false, envelopeChanged: true, existingAwards: [], collided: false });
    // A seq read before someone joined the queue is refused.
    expect(refused(await ledger.reserveFromQueue(KEY, env.queue_seq - 1, head.slice(0, 1), '2025-05-03T00:00:00.000Z')).envelopeChanged).toBe(true);
    expect(await ledger.queueHead(KEY, 10)).toHaveLength(2);

    expect(await ledger.reserveFromQueue(KEY, env.queue_seq, head.slice(0, 1), '2025-05-03T00:00:00.000Z', new Set(['A-00001']))).toEqual({ ok: true });
    expect(await ledger.getEnvelope(KEY)).toMatchObject({ available_fen: 2_000, reserved_fen: 3_000, waitlisted_count: 1, waitlisted_fen: 4_000 });
    const served = (await ledger.getAward('A-00001'))!;
    expect(served).toMatchObject({ status: 'RESERVED', intake_outcome: 'RESERVED', updated_at: '2025-05-03T00:00:00.000Z' });
    expect(served.reason).toBeUndefined();
    expect(served.history.at(-1)).toEqual({ at: '2025-05-03T00:00:00.000Z', status: 'RESERVED', note: 'reserved from the waitlist' });
    expect((await ledger.queueHead(KEY, 10)).map((e) => e.award_id)).toEqual(['A-00002']);

    // Serving an entry that is no longer waiting is refused (the caller re-reads the head).
    expect((await ledger.reserveFromQueue(KEY, env.queue_seq, head.slice(0, 1), '2025-05-04T00:00:00.000Z')).ok).toBe(false);
    expect((await ledger.getEnvelope(KEY))!.reserved_fen).toBe(3_000);
  });

  test('an award served without being named in reservedAtIntake keeps its intake outcome', async () => {
    await ledger.waitlistNew(KEY, [award(1, 1_000, 'WAITLISTED')]);
    const env = await setBudget(5_000);
    expect(await ledger.reserveFromQueue(KEY, env.queue_seq, await ledger.queueHead(KEY, 1), '2025-05-03T00:00:00.000Z')).toEqual({ ok: true });
    expect(await ledger.getAward('A-00001')).toMatchObject({ status: 'RESERVED', intake_outcome: 'WAITLISTED' });
  });
});

describe('cancellation', () => {
  test('cancelReserved returns the money and marks the award; cancelling again is refused and changes nothing', async () => {
    await setBudget(10_000);
    const a = award(1, 3_000, 'RESERVED');
    await ledger.reserveNew(KEY, [a, award(2, 3_000, 'RESERVED')]);
    const entry = { at: '2025-06-01T00:00:00.000Z', status: 'CANCELLED' as const, by: 'clerk', note: 'withdrawn' };
    expect(await ledger.cancelReserved(a, entry)).toEqual({ ok: true });
    expect(await ledger.getEnvelope(KEY)).toMatchObject({ available_fen: 7_000, reserved_fen: 3_000 });
    const cancelled = (await ledger.getAward('A-00001'))!;
    expect(cancelled).toMatchObject({ status: 'CANCELLED', reason: 'withdrawn' });
    expect(cancelled.history.at(-1)).toEqual(entry);
    // The award's condition (still RESERVED) fails; the envelope could pay it back, so it is not named.
    expect(refused(await ledger.cancelReserved(a, entry))).toEqual({ ok: false, envelopeChanged: false, existingAwards: [], collided: false });
    expect(await ledger.getEnvelope(KEY)).toMatchObject({ available_fen: 7_000, reserved_fen: 3_000 });
  });

  test('cancelWaitlisted takes the award out of the queue and its counters; a reserved award is not cancelled as waiting', async () => {
    const w = award(1, 2_000, 'WAITLISTED');
    await ledger.waitlistNew(KEY, [w, award(2, 1_000, 'WAITLISTED', { approved_date: '2025-04-02' })]);
    const entry = { at: '2025-06-01T00:00:00.000Z', status: 'CANCELLED' as const, by: 'clerk', note: 'withdrawn' };
    expect(await ledger.cancelWaitlisted(w, entry)).toEqual({ ok: true });
    expect(await ledger.getEnvelope(KEY)).toMatchObject({ waitlisted_count: 1, waitlisted_fen: 1_000 });
    expect((await ledger.queueHead(KEY, 10)).map((e) => e.award_id)).toEqual(['A-00002']);
    expect(await ledger.getAward('A-00001')).toMatchObject({ status: 'CANCELLED' });
    expect((await ledger.cancelWaitlisted(w, entry)).ok).toBe(false);

    await setBudget(5_000);
    const env = (await ledger.getEnvelope(KEY))!;
    await ledger.reserveFromQueue(KEY, env.queue_seq, await ledger.queueHead(KEY, 1), '2025-06-02T00:00:00.000Z');
    expect((await ledger.cancelWaitlisted({ ...w, award_id: 'A-00002', amount_fen: 1_000, approved_date: '2025-04-02' }, entry)).ok).toBe(false);
    expect(await ledger.getAward('A-00002')).toMatchObject({ status: 'RESERVED' });
  });
});

describe('cancel against a year close (issue 15)', () => {
  test('cancelReserved of an award read before the close carried it is refused: its money is in next year now', async () => {
    await setBudget(1_000_000);
    expect(await ledger.reserveNew(KEY, [award(1, 100_000, 'RESERVED'), award(2, 200_000, 'RESERVED')])).toEqual({ ok: true });
    const stale = (await ledger.getAward('A-00001'))!;
    // The close has closed the envelope and carried A-00001 (one transaction of several); A-00002 is still to go.
    const closes = new DynamoYearClose(table.doc, table.tableName, 10);
    await closes.closeEnvelope(KEY, AT);
    expect(await closes.carryReserved(KEY, [stale], { at: AT, status: 'RESERVED', note: 'carried' })).toBe(true);
    // A cancel that read A-00001 in FY2025 must not take the money out of FY2025's envelope.
    refused(await ledger.cancelReserved(stale, { at: AT, status: 'CANCELLED', by: 'clerk', note: 'withdrawn' }));
    expect(await ledger.getAward('A-00001')).toMatchObject({ status: 'RESERVED', fiscal_year: 2026 });
    expect(figures(await ledger.getEnvelope(KEY))).toMatchObject({ reserved_fen: 200_000, available_fen: 700_000 });
    expect(figures(await ledger.getEnvelope({ measure: 7, fiscal_year: 2026 }))).toMatchObject({ reserved_fen: 100_000 });
    // Read again, it is cancelled in FY2026.
    expect(await ledger.cancelReserved((await ledger.getAward('A-00001'))!, { at: AT, status: 'CANCELLED', by: 'clerk', note: 'withdrawn' })).toEqual({ ok: true });
    expect(figures(await ledger.getEnvelope({ measure: 7, fiscal_year: 2026 }))).toMatchObject({ reserved_fen: 0, available_fen: 100_000 });
  });
});

describe('listAwards', () => {
  test('by status and envelope (the index), and by any other filter (a scan)', async () => {
    const other: EnvelopeKey = { measure: 8, fiscal_year: 2025 };
    await setBudget(10_000);
    await setBudget(10_000, other);
    await ledger.reserveNew(KEY, [award(1, 100, 'RESERVED'), award(2, 100, 'RESERVED')]);
    await ledger.reserveNew(other, [award(3, 100, 'RESERVED', { measure: 8 })]);
    await ledger.waitlistNew(KEY, [award(4, 50_000, 'WAITLISTED')]);
    await ledger.insertRejected(award(5, 100, 'REJECTED', { measure: 99, reason: 'UNKNOWN_MEASURE' }));
    const ids = async (q: Parameters<DynamoLedger['listAwards']>[0]) => {
      const out: string[] = [];
      for await (const a of ledger.listAwards(q)) out.push(a.award_id);
      return out.sort();
    };
    expect(await ids({ status: 'RESERVED', ...KEY })).toEqual(['A-00001', 'A-00002']);
    expect(await ids({ status: 'RESERVED' })).toEqual(['A-00001', 'A-00002', 'A-00003']);
    expect(await ids({ measure: 7 })).toEqual(['A-00001', 'A-00002', 'A-00004']);
    expect(await ids({ status: 'WAITLISTED', ...KEY })).toEqual(['A-00004']);
    expect(await ids({ status: 'REJECTED' })).toEqual(['A-00005']);
    expect(await ids({ fiscal_year: 2024 })).toEqual([]);
    expect(await ids({})).toEqual(['A-00001', 'A-00002', 'A-00003', 'A-00004', 'A-00005']);
  });

  test("listAwardAmounts: each award's stored time and amount, one status of one envelope, nothing else", async () => {
    await setBudget(10_000);
    await setBudget(10_000, { measure: 8, fiscal_year: 2025 });
    await ledger.reserveNew(KEY, [award(1, 100, 'RESERVED'), award(2, 250, 'RESERVED', { created_at: '2025-05-02T01:00:00.000Z' })]);
    await ledger.reserveNew({ measure: 8, fiscal_year: 2025 }, [award(3, 700, 'RESERVED', { measure: 8 })]);
    await ledger.waitlistNew(KEY, [award(4, 50_000, 'WAITLISTED')]);
    const amounts = async (q: Parameters<DynamoLedger['listAwardAmounts']>[0]) => {
      const out: unknown[] = [];
      for await (const a of ledger.listAwardAmounts(q)) out.push(a);
      return out;
    };
    expect(await amounts({ status: 'RESERVED', ...KEY })).toEqual(expect.arrayContaining([
      { created_at: AT, amount_fen: 100 }, { created_at: '2025-05-02T01:00:00.000Z', amount_fen: 250 },
    ]));
    expect(await amounts({ status: 'RESERVED', ...KEY })).toHaveLength(2);
    expect(await amounts({ status: 'WAITLISTED', ...KEY })).toEqual([{ created_at: AT, amount_fen: 50_000 }]);
    expect(await amounts({ status: 'PAID', ...KEY })).toEqual([]);
  });
});

describe('intake issues', () => {
  test('recorded per submission line, read back in line order; a re-recorded line is replaced, not doubled', async () => {
    const issue = (line: number, outcome: 'INVALID' | 'CONFLICT', field: string) => ({
      submission_id: 'sub-9', line, outcome, errors: [{ field, message: `${field}: bad` }], at: AT,
      ...(outcome === 'CONFLICT' ? { award_id: `A-${line}` } : {}),
    });
    await ledger.recordIntakeIssue(issue(12, 'CONFLICT', 'award_id'));
    await ledger.recordIntakeIssue(issue(3, 'INVALID', 'amount_yuan'));
    await ledger.recordIntakeIssue(issue(3, 'INVALID', 'amount_yuan'));
    await ledger.recordIntakeIssue({ ...issue(4, 'INVALID', 'x'), submission_id: 'sub-10' });
    expect(await ledger.listIntakeIssues('sub-9')).toEqual([issue(3, 'INVALID', 'amount_yuan'), issue(12, 'CONFLICT', 'award_id')]);
    expect(await ledger.listIntakeIssues('sub-none')).toEqual([]);
  });
});
