import { afterAll, beforeEach, describe, expect, test } from '@jest/globals';
import { freshTable, type TestTable } from '../../support/dynamo.ts';
import { awardFields, ledgerOn, tickingClock } from '../../support/records.ts';
import { budget } from '../../support/runs.ts';
import type { DynamoLedger } from '../../../shared/adapters/dynamo/dynamo-ledger.ts';
import { processIntake } from '../../../shared/services/intake.ts';
import { transferBudget } from '../../../shared/services/transfer-budget.ts';
import type { IntakeRequest } from '../../../shared/domain/queue-messages.ts';
import type { Clock } from '../../../shared/services/clock.ts';
import { BursarError } from '../../../shared/domain/errors.ts';
import type { Envelope } from '../../../shared/domain/envelope.ts';

const tables: TestTable[] = [];
let ledger: DynamoLedger;
let clock: Clock;
beforeEach(async () => {
  const table = await freshTable();
  tables.push(table);
  ledger = ledgerOn(table);
  clock = tickingClock(); // 2025-05-01T08:00 Shanghai
  await budget(ledger, clock, 7, 2025, 10_000);
  await budget(ledger, clock, 12, 2025, 1_000);
});
afterAll(async () => { await Promise.all(tables.map((t) => t.drop())); });

let subs = 0;
async function submit(records: Record<string, string>[]): Promise<string[]> {
  const requests = new Map<string, IntakeRequest>(records.map((record, i) => [`m${i}`, { submission_id: `s${++subs}`, line: i + 2, record }]));
  const settled = await processIntake({ ledger, clock }, requests);
  return [...settled.values()].map((s) => (s.ok ? s.result.outcome : 'ERROR'));
}
const move = (amountYuan: number, extra: Partial<Parameters<typeof transferBudget>[2]> = {}) => transferBudget(ledger, clock, {
  fiscal_year: 2025, from_measure: 7, to_measure: 12, amount_fen: amountYuan * 100, reason: '调剂 to measure 12', by: 'fin-li', ...extra,
});
const holds = (e: Envelope) => e.available_fen + e.reserved_fen + e.batched_fen + e.paid_fen === e.budget_fen;
async function refusal(p: Promise<unknown>): Promise<string> {
  try { await p; } catch (e) { if (e instanceof BursarError) return e.code; throw e; }
  return 'NONE';
}

describe('budget transfer', () => {
  test('moves budget and available from A to B in one go, and both histories show it', async () => {
    const r = await move(2_500);
    expect(r.changed).toBe(true);
    expect(r.transfer_id).toMatch(/^TRF-20250501-[0-9a-f]{12}$/);
    expect(r.from).toMatchObject({ measure: 7, budget_fen: 750_000, available_fen: 750_000 });
    expect(r.to).toMatchObject({ measure: 12, budget_fen: 350_000, available_fen: 350_000 });
    expect(holds(r.from) && holds(r.to)).toBe(true);
    const a = await ledger.listBudgetAudit({ measure: 7, fiscal_year: 2025 });
    const b = await ledger.listBudgetAudit({ measure: 12, fiscal_year: 2025 });
    expect(a.at(-1)).toMatchObject({ by: 'fin-li', old_budget_fen: 1_000_000, new_budget_fen: 750_000, transfer: { transfer_id: r.transfer_id, reason: '调剂 to measure 12', direction: 'OUT', counterpart_measure: 12, amount_fen: 250_000 } });
    expect(b.at(-1)).toMatchObject({ by: 'fin-li', old_budget_fen: 100_000, new_budget_fen: 350_000, transfer: { transfer_id: r.transfer_id, direction: 'IN', counterpart_measure: 7 } });
  });

  test('is idempotent on its id: the same command again (same day) moves nothing; a reused id with other arguments is refused', async () => {
    const first = await move(1_000);
    const again = await move(1_000);
    expect(again).toMatchObject({ transfer_id: first.transfer_id, changed: false, drained: [] });
    expect(again.from.budget_fen).toBe(900_000);
    expect((await ledger.listBudgetAudit({ measure: 7, fiscal_year: 2025 })).filter((e) => e.transfer)).toHaveLength(1);
    expect(await refusal(move(999, { transfer_id: first.transfer_id }))).toBe('TRANSFER_ID_CONFLICT');
    // An explicit id: the same amount twice under two ids is two transfers.
    await move(1_000, { transfer_id: 'T-1' });
    await move(1_000, { transfer_id: 'T-1' });
    await move(1_000, { transfer_id: 'T-2' });
    expect((await ledger.getEnvelope({ measure: 7, fiscal_year: 2025 }))!.budget_fen).toBe(700_000);
  });

  test('the next Shanghai day the same arguments are a new transfer', async () => {
    const first = await move(100);
    const later = await transferBudget(ledger, { now: () => '2025-05-01T16:00:00.000Z' }, {
      fiscal_year: 2025, from_measure: 7, to_measure: 12, amount_fen: 10_000, reason: '调剂 to measure 12', by: 'fin-li',
    });
    expect(later.transfer_id).toMatch(/^TRF-20250502-/);
    expect(later.transfer_id).not.toBe(first.transfer_id);
    expect(later.changed).toBe(true);
  });

  test('refusals: INSUFFICIENT_AVAILABLE, SAME_ENVELOPE, bad amount; nothing moves', async () => {
    await submit([awardFields(1, { amount_yuan: '9000.00' })]);
    expect(await refusal(move(1_001))).toBe('INSUFFICIENT_AVAILABLE');
    expect(await refusal(move(100, { to_measure: 7 }))).toBe('SAME_ENVELOPE');
    expect(await refusal(move(0))).toBe('BAD_AMOUNT');
    expect(await refusal(move(100, { from_measure: 99 }))).toBe('UNKNOWN_MEASURE');
    expect(await refusal(move(100, { reason: ' ' }))).toBe('MISSING_REASON');
    expect(await refusal(transferBudget(ledger, clock, { fiscal_year: 2025, from_measure: 3, to_measure: 12, amount_fen: 100, reason: 'x', by: 'y' }))).toBe('INSUFFICIENT_AVAILABLE');
    expect((await ledger.getEnvelope({ measure: 7, fiscal_year: 2025 }))!).toMatchObject({ budget_fen: 1_000_000, available_fen: 100_000 });
    expect((await ledger.getEnvelope({ measure: 12, fiscal_year: 2025 }))!.budget_fen).toBe(100_000);
    const ok = await move(1_000);
    expect(ok.from.available_fen).toBe(0);
  });

  test("serves B's queue with the money that arrives, in queue order", async () => {
    const mk = (n: number, amount: string, date: string) => awardFields(n, { measure: '12', approving_unit: 'STB', amount_yuan: amount, approved_date: date });
    expect(await submit([mk(1, '800.00', '2025-04-01'), mk(2, '700.00', '2025-04-02'), mk(3, '600.00', '2025-04-03')])).toEqual(['RESERVED', 'WAITLISTED', 'WAITLISTED']);
    const r = await move(1_000);
    expect(r.drained).toEqual(['A-00002']);
    expect(r.to).toMatchObject({ reserved_fen: 150_000, available_fen: 50_000, waitlisted_count: 1 });
    expect(holds(r.to)).toBe(true);
  });

  test('to an envelope that does not exist yet, or exists only because awards wait: it gets a set budget', async () => {
    const waiting = awardFields(5, { measure: '21', approving_unit: 'STB', amount_yuan: '300.00' });
    expect(await submit([waiting])).toEqual(['WAITLISTED']);
    const r = await move(500, { to_measure: 21 });
    expect(r.to).toMatchObject({ budget_set: true, budget_fen: 50_000, reserved_fen: 30_000, available_fen: 20_000, waitlisted_count: 0 });
    expect(r.drained).toEqual(['A-00005']);
    const fresh = await move(100, { to_measure: 3 });
    expect(fresh.to).toMatchObject({ measure: 3, budget_set: true, budget_fen: 10_000, available_fen: 10_000 });
    expect((await ledger.listBudgetAudit({ measure: 3, fiscal_year: 2025 }))[0]).toMatchObject({ old_budget_fen: null, new_budget_fen: 10_000 });
  });

  test('concurrent transfers out of one envelope never overdraw it', async () => {
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => move(3_000, { transfer_id: `C-${i}` })));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
    for (const o of outcomes) if (o.status === 'rejected') expect((o.reason as BursarError).code).toBe('INSUFFICIENT_AVAILABLE');
    const a = (await ledger.getEnvelope({ measure: 7, fiscal_year: 2025 }))!;
    const b = (await ledger.getEnvelope({ measure: 12, fiscal_year: 2025 }))!;
    expect([a.budget_fen, a.available_fen, b.budget_fen]).toEqual([100_000, 100_000, 1_000_000]);
  });
});
