import { describe, expect, test } from '@jest/globals';
import {
  compareEnvelope, compareRun, headAffordable, LedgerTally, planRepair, RunItemTally, type AwardFacts, type RunControls,
} from '../../../shared/domain/reconciliation.ts';
import { emptyEnvelope } from '../../../shared/domain/envelope.ts';

const key = { measure: 7, fiscal_year: 2025 };
const award = (id: string, status: AwardFacts['status'], amount: number, run_id?: string): AwardFacts => ({
  award_id: id, ...key, status, amount_fen: amount, ...(run_id ? { run_id } : {}),
});

describe('LedgerTally', () => {
  test('sums money per envelope by status and ignores rejected and cancelled awards', () => {
    const t = new LedgerTally(() => 'APPROVED');
    t.addAward(award('a', 'RESERVED', 100));
    t.addAward(award('b', 'BATCHED', 200, 'r1'));
    t.addAward(award('c', 'PAID', 300, 'r1'));
    t.addAward(award('d', 'WAITLISTED', 400));
    t.addAward(award('e', 'REJECTED', 500));
    t.addAward(award('f', 'CANCELLED', 600));
    t.addAward({ ...award('g', 'RESERVED', 700), fiscal_year: 2026 });
    expect(t.tallyFor(key)).toEqual({ reserved_fen: 100, batched_fen: 200, paid_fen: 300, returned_fen: 0, waitlisted_fen: 400, waitlisted_count: 1, held_fen: 0, held_count: 0 });
    expect(t.tallyFor({ measure: 7, fiscal_year: 2026 }).reserved_fen).toBe(700);
    expect(t.awardsByRun.get('r1')).toEqual({ count: 2, total_fen: 500, paid_fen: 300 });
    expect(t.awardCount).toBe(7);
  });

  test('pairs waitlisted awards with queue entries in any order and keeps only the unpaired', () => {
    const t = new LedgerTally(() => undefined);
    t.addQueueEntry({ ...key, award_id: 'w1', approved_date: '2025-04-01', amount_fen: 1 });
    t.addAward(award('w1', 'WAITLISTED', 1));
    t.addAward(award('w2', 'WAITLISTED', 1));
    t.addQueueEntry({ ...key, award_id: 'w3', approved_date: '2025-04-01', amount_fen: 1 });
    expect(t.notQueued().map((a) => a.award_id)).toEqual(['w2']);
    expect(t.orphanedEntries().map((q) => q.award_id)).toEqual(['w3']);
  });

  test('notes batched awards of a settled run and awards naming no or an unknown run', () => {
    const t = new LedgerTally((id) => ({ settled: 'SETTLED', open: 'APPROVED' } as Record<string, string>)[id]);
    t.addAward(award('a', 'BATCHED', 1, 'settled'));
    t.addAward(award('b', 'PAID', 1, 'settled'));
    t.addAward(award('c', 'BATCHED', 1, 'open'));
    t.addAward(award('d', 'BATCHED', 1));
    t.addAward(award('e', 'PAID', 1, 'gone'));
    expect(t.runStuck.map((s) => [s.award_id, s.kind])).toEqual([['a', 'BATCHED_IN_SETTLED_RUN'], ['d', 'RUN_MISSING'], ['e', 'RUN_MISSING']]);
  });
});

describe('compareEnvelope', () => {
  const stored = { ...emptyEnvelope(key), budget_set: true, budget_fen: 1000, reserved_fen: 300, batched_fen: 200, paid_fen: 100, available_fen: 400, waitlisted_fen: 50, waitlisted_count: 1 };
  const tally = { reserved_fen: 300, batched_fen: 200, paid_fen: 100, returned_fen: 0, waitlisted_fen: 50, waitlisted_count: 1, held_fen: 0, held_count: 0 };

  test('a consistent envelope has no mismatch', () => {
    expect(compareEnvelope(key, stored, tally)).toEqual([]);
  });

  test('names the field, the stored and the recomputed figure; a broken identity is reported as budget_fen', () => {
    expect(compareEnvelope(key, { ...stored, reserved_fen: 250 }, tally)).toEqual([
      { measure: 7, fiscal_year: 2025, field: 'reserved_fen', stored_fen: 250, recomputed_fen: 300 },
      { measure: 7, fiscal_year: 2025, field: 'budget_fen', stored_fen: 1000, recomputed_fen: 950 },
    ]);
    expect(compareEnvelope(key, stored, { ...tally, waitlisted_count: 2, waitlisted_fen: 80 }).map((m) => m.field)).toEqual(['waitlisted_fen', 'waitlisted_count']);
  });

  test('awards for an envelope that has no item are all mismatches against zero', () => {
    expect(compareEnvelope(key, undefined, { ...tally, batched_fen: 0, paid_fen: 0, waitlisted_fen: 0, waitlisted_count: 0 })).toEqual([
      { measure: 7, fiscal_year: 2025, field: 'reserved_fen', stored_fen: 0, recomputed_fen: 300 },
      { measure: 7, fiscal_year: 2025, field: 'available_fen', stored_fen: 0, recomputed_fen: -300 },
    ]);
  });

  test('a repair keeps the budget and sets available to what is left; it refuses when awards exceed the budget', () => {
    expect(planRepair({ budget_fen: 1000 }, tally)).toEqual({ ok: true, figures: { ...tally, available_fen: 400 } });
    expect(planRepair({ budget_fen: 500 }, tally)).toMatchObject({ ok: false });
  });
});

describe('compareRun', () => {
  const run: RunControls = { run_id: 'r1', status: 'EXPORTED', award_count: 3, total_fen: 600, batches: [{ batch_id: 'b1', count: 2, total_fen: 300 }, { batch_id: 'b2', count: 1, total_fen: 300 }] };
  const items = (list: [string, string, number, ('PAID' | 'FAILED')?][]) => {
    const t = new RunItemTally();
    for (const [batch_id, award_id, amount_fen, outcome] of list) t.add({ batch_id, award_id, amount_fen, ...(outcome ? { outcome } : {}) });
    return t;
  };

  test('agrees when batches, items and awards agree', () => {
    expect(compareRun(run, items([['b1', 'a', 100], ['b1', 'b', 200], ['b2', 'c', 300]]), { count: 3, total_fen: 600, paid_fen: 0 })).toEqual([]);
  });

  test('a failed payment stays in the batch totals but its award has left the run', () => {
    const settled = items([['b1', 'a', 100, 'PAID'], ['b1', 'b', 200, 'FAILED'], ['b2', 'c', 300, 'PAID']]);
    expect(compareRun({ ...run, status: 'SETTLED' }, settled, { count: 2, total_fen: 400, paid_fen: 400 })).toEqual([]);
    expect(compareRun({ ...run, status: 'SETTLED' }, settled, { count: 2, total_fen: 400, paid_fen: 100 })).toEqual([
      { run_id: 'r1', batch_id: null, field: 'paid_fen', stored: 400, recomputed: 100 },
    ]);
  });

  test('reports a batch whose items differ from its control totals, unknown batches, duplicates and awards that disagree', () => {
    const found = compareRun(run, items([['b1', 'a', 100], ['b2', 'c', 300], ['b9', 'c', 5]]), { count: 2, total_fen: 400, paid_fen: 0 });
    expect(found).toEqual([
      { run_id: 'r1', batch_id: 'b1', field: 'count', stored: 2, recomputed: 1 },
      { run_id: 'r1', batch_id: 'b1', field: 'total_fen', stored: 300, recomputed: 100 },
      { run_id: 'r1', batch_id: 'b9', field: 'unknown_batch', stored: 0, recomputed: 1 },
      { run_id: 'r1', batch_id: null, field: 'total_fen', stored: 600, recomputed: 405 },
      { run_id: 'r1', batch_id: null, field: 'duplicate_award', stored: 0, recomputed: 1 },
      { run_id: 'r1', batch_id: null, field: 'awards_count', stored: 3, recomputed: 2 },
      { run_id: 'r1', batch_id: null, field: 'awards_fen', stored: 405, recomputed: 400 },
    ]);
    expect(compareRun(run, items([['b1', 'a', 100], ['b1', 'b', 200], ['b2', 'c', 300]]), null)).toEqual([]);
  });

  test('a run still being prepared has no control totals to compare, only its items and awards', () => {
    const preparing: RunControls = { ...run, status: 'PREPARING', award_count: 0, total_fen: 0, batches: [] };
    expect(compareRun(preparing, items([['b1', 'a', 100]]), { count: 1, total_fen: 100, paid_fen: 0 })).toEqual([]);
    expect(compareRun(preparing, items([['b1', 'a', 100]]), undefined).map((m) => m.field)).toEqual(['awards_count', 'awards_fen']);
  });
});

test('a waitlist head that fits the available money is stuck', () => {
  const e = { ...key, budget_set: true, available_fen: 500, waitlisted_count: 1 };
  expect(headAffordable(e, { award_id: 'w', amount_fen: 500 })?.kind).toBe('HEAD_AFFORDABLE');
  expect(headAffordable(e, { award_id: 'w', amount_fen: 501 })).toBeUndefined();
  expect(headAffordable({ ...e, budget_set: false }, { award_id: 'w', amount_fen: 1 })).toBeUndefined();
});

describe('held awards (issue 14)', () => {
  test('a HELD award counts in held_count; one held at run preparation also keeps its money reserved', () => {
    const t = new LedgerTally(() => undefined);
    t.addAward({ award_id: 'h1', measure: 7, fiscal_year: 2025, status: 'HELD', amount_fen: 500 });
    t.addAward({ award_id: 'h2', measure: 7, fiscal_year: 2025, status: 'HELD', amount_fen: 700, held_keeps_reservation: true });
    expect(t.tallyFor(key)).toMatchObject({ held_count: 2, held_fen: 700, reserved_fen: 700 });
    const stored = { ...emptyEnvelope(key), budget_set: true, budget_fen: 1000, reserved_fen: 700, available_fen: 300, held_fen: 0, held_count: 2 };
    expect(compareEnvelope(key, stored, t.tallyFor(key)).map((m) => [m.field, m.stored_fen, m.recomputed_fen])).toEqual([['held_fen', 0, 700]]);
  });
});
