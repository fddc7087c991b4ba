import { afterAll, beforeEach, describe, expect, test } from '@jest/globals';
import { freshTable, type TestTable } from '../../support/dynamo.ts';
import { awardFields, ledgerOn, tickingClock } from '../../support/records.ts';
import { processIntake, type IntakeResult } from '../../../shared/services/intake.ts';
import type { IntakeRequest } from '../../../shared/domain/queue-messages.ts';
import { setBudget } from '../../../shared/services/budget.ts';
import { cancelAward } from '../../../shared/services/awards.ts';
import { committedFen } from '../../../shared/domain/envelope.ts';
import type { DynamoLedger } from '../../../shared/adapters/dynamo/dynamo-ledger.ts';
import type { Clock } from '../../../shared/services/clock.ts';

const tables: TestTable[] = [];
let ledger: DynamoLedger;
let clock: Clock;
const key = { measure: 7, fiscal_year: 2025 };

beforeEach(async () => {
  const table = await freshTable();
  tables.push(table);
  ledger = ledgerOn(table);
  clock = tickingClock();
});
afterAll(async () => { await Promise.all(tables.map((t) => t.drop())); });

async function submit(records: Record<string, string>[], submission = 'sub-1', firstLine = 2): Promise<IntakeResult[]> {
  const requests = new Map<string, IntakeRequest>(records.map((record, i) => [`m${i}`, { submission_id: submission, line: firstLine + i, record }]));
  const settled = await processIntake({ ledger, clock }, requests);
  return [...requests.keys()].map((id) => {
    const s = settled.get(id);
    if (!s?.ok) throw new Error(`message ${id} not settled: ${s && !s.ok ? s.error.message : 'missing'}`);
    return s.result;
  });
}

const budget = (yuan: number) => setBudget(ledger, clock, { ...key, amount_fen: yuan * 100, by: 'finance-a' });

describe('intake against DynamoDB Local', () => {
  test('reserves what fits, waitlists the rest in a strict queue, never partly funds', async () => {
    await budget(2500);
    const results = await submit([
      awardFields(1, { approved_date: '2025-04-01' }),
      awardFields(2, { approved_date: '2025-04-02' }),
      awardFields(3, { approved_date: '2025-04-03' }), // 1000 does not fit in the 500 left
      awardFields(4, { approved_date: '2025-04-04', amount_yuan: '100' }), // would fit, but must queue behind 3
    ]);
    expect(results.map((r) => r.outcome)).toEqual(['RESERVED', 'RESERVED', 'WAITLISTED', 'WAITLISTED']);
    expect(results[2]!.reason).toBe('BUDGET_EXHAUSTED');
    const env = (await ledger.getEnvelope(key))!;
    expect(env).toMatchObject({ budget_fen: 250000, reserved_fen: 200000, available_fen: 50000, waitlisted_fen: 110000, waitlisted_count: 2 });
  });

  test('an award for an envelope without a budget waits with NO_ENVELOPE and is reserved when the budget is set', async () => {
    const [r] = await submit([awardFields(1)]);
    expect(r).toMatchObject({ outcome: 'WAITLISTED', reason: 'NO_ENVELOPE' });
    const set = await budget(5000);
    expect(set.drained).toEqual(['A-00001']);
    expect((await ledger.getAward('A-00001'))!.status).toBe('RESERVED');
    expect(set.envelope).toMatchObject({ reserved_fen: 100000, available_fen: 400000, waitlisted_count: 0, waitlisted_fen: 0 });
  });

  test('a top-up serves the queue oldest approved first until the head does not fit', async () => {
    await budget(1000);
    await submit([
      awardFields(1, { approved_date: '2025-04-01' }),
      awardFields(2, { approved_date: '2025-04-09', amount_yuan: '300' }),
      awardFields(3, { approved_date: '2025-04-05', amount_yuan: '800' }),
      awardFields(4, { approved_date: '2025-04-05', amount_yuan: '200' }),
    ]);
    // Queue order: 3 (04-05, A-00003), 4 (04-05, A-00004), 2 (04-09).
    const raised = await budget(2000);
    expect(raised.drained).toEqual(['A-00003', 'A-00004']);
    expect((await ledger.getAward('A-00002'))!.status).toBe('WAITLISTED');
    const raisedAgain = await budget(2300);
    expect(raisedAgain.drained).toEqual(['A-00002']);
  });

  test('cancelling a reserved award releases its money to the queue; cancelling a waiting one removes it', async () => {
    await budget(1000);
    await submit([awardFields(1), awardFields(2, { approved_date: '2025-04-02' }), awardFields(3, { approved_date: '2025-04-03' })]);
    const cancelled = await cancelAward(ledger, clock, { award_id: 'A-00001', reason: 'withdrawn', by: 'eitb-clerk' });
    expect(cancelled.award.status).toBe('CANCELLED');
    expect(cancelled.drained).toEqual(['A-00002']);
    const left = await cancelAward(ledger, clock, { award_id: 'A-00003', reason: 'duplicate application', by: 'eitb-clerk' });
    expect(left.award.status).toBe('CANCELLED');
    const env = (await ledger.getEnvelope(key))!;
    expect(env).toMatchObject({ reserved_fen: 100000, waitlisted_count: 0, waitlisted_fen: 0, available_fen: 0 });
    expect(await ledger.queueHead(key, 10)).toEqual([]);
    const again = await cancelAward(ledger, clock, { award_id: 'A-00003', reason: 'again', by: 'eitb-clerk' });
    expect(again.changed).toBe(false);
  });

  test('identical resubmission is a DUPLICATE, different content a CONFLICT, a redelivery reports its first outcome', async () => {
    await budget(5000);
    const [first] = await submit([awardFields(1)], 'sub-1');
    expect(first!.outcome).toBe('RESERVED');
    // Same message delivered again (same submission and line): the original outcome, nothing changes.
    const [redelivered] = await submit([awardFields(1)], 'sub-1');
    expect(redelivered!.outcome).toBe('RESERVED');
    // Same content in a new submission, spelled differently (unit by name, amount without decimals).
    const [dup] = await submit([awardFields(1, { approving_unit: '区经信局', amount_yuan: '1000' })], 'sub-2');
    expect(dup!.outcome).toBe('DUPLICATE');
    const [conflict] = await submit([awardFields(1, { amount_yuan: '999' })], 'sub-3');
    expect(conflict).toMatchObject({ outcome: 'CONFLICT', errors: [{ field: 'award_id' }] });
    expect((await ledger.getAward('A-00001'))!.amount_fen).toBe(100000);
    expect((await ledger.getEnvelope(key))!.reserved_fen).toBe(100000);
    expect(await ledger.listIntakeIssues('sub-3')).toHaveLength(1);
  });

  test('the same award_id twice in one batch: the first line counts, the repeat is DUPLICATE or CONFLICT', async () => {
    await budget(5000);
    const results = await submit([awardFields(1), awardFields(1), awardFields(1, { amount_yuan: '5' })]);
    expect(results.map((r) => r.outcome)).toEqual(['RESERVED', 'DUPLICATE', 'CONFLICT']);
    expect((await ledger.getEnvelope(key))!.reserved_fen).toBe(100000);
  });

  test('rejections are stored with reason and trace; invalid records name every bad field', async () => {
    await budget(5000);
    const results = await submit([
      awardFields(1, { qualifying_date: '2023-12-31' }),
      awardFields(2, { approving_unit: 'STB' }),
      awardFields(3, { amount_yuan: '-5', recipient_uscc: '913302130000000000', approved_date: '2025-02-29' }),
    ]);
    expect(results[0]).toMatchObject({ outcome: 'REJECTED', reason: 'OUTSIDE_WINDOW' });
    expect(results[1]).toMatchObject({ outcome: 'REJECTED', reason: 'UNIT_NOT_RESPONSIBLE' });
    expect(results[2]!.outcome).toBe('INVALID');
    expect(results[2]!.errors!.map((e) => e.field).sort()).toEqual(['amount_yuan', 'approved_date', 'recipient_uscc']);
    const rejected = (await ledger.getAward('A-00001'))!;
    expect(rejected.status).toBe('REJECTED');
    expect(rejected.trace.at(-1)).toMatchObject({ rule: 'OUTSIDE_WINDOW', ok: false });
    expect(rejected.trace.at(-1)!.detail).toContain('2024-01-01..2026-12-31');
    expect(await ledger.getAward('A-00003')).toBeUndefined();
    expect((await ledger.getEnvelope(key))!.reserved_fen).toBe(0);
  });

  test('a budget below what is committed is refused and changes nothing', async () => {
    await budget(5000);
    await submit([awardFields(1), awardFields(2)]);
    await expect(budget(1999.99)).rejects.toMatchObject({ code: 'BUDGET_BELOW_COMMITTED' });
    expect((await ledger.getEnvelope(key))!.budget_fen).toBe(500000);
    const lowered = await budget(2000);
    expect(lowered.envelope.available_fen).toBe(0);
    const audit = await ledger.listBudgetAudit(key);
    expect(audit.map((a) => [a.old_budget_fen, a.new_budget_fen])).toEqual([[null, 500000], [500000, 200000]]);
  });

  test('concurrent intakes at one envelope never commit more than the budget, and exactly the affordable count is reserved', async () => {
    await budget(25_000); // room for exactly 25 awards of 1,000 yuan
    const all = Array.from({ length: 60 }, (_, i) => awardFields(i + 1));
    // 12 concurrent batches of 5, each delivered twice (at-least-once delivery), all racing.
    const batches = Array.from({ length: 12 }, (_, b) => all.slice(b * 5, b * 5 + 5));
    await Promise.all([...batches, ...batches].map((records, i) => submit(records, `sub-${i % 12}`, 2 + (i % 12) * 5)));
    const env = (await ledger.getEnvelope(key))!;
    expect(committedFen(env)).toBeLessThanOrEqual(env.budget_fen);
    let reserved = 0;
    let waiting = 0;
    for await (const a of ledger.listAwards({})) {
      if (a.status === 'RESERVED') reserved++;
      if (a.status === 'WAITLISTED') waiting++;
    }
    expect(reserved).toBe(25);
    expect(waiting).toBe(35);
    expect(env).toMatchObject({ reserved_fen: 25 * 100000, available_fen: 0, waitlisted_count: 35, waitlisted_fen: 35 * 100000 });
    expect(await ledger.queueHead(key, 100)).toHaveLength(35);
  });
});
