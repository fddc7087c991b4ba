import { describe, expect, test } from '@jest/globals';
import { affordableHead, byQueueOrder, chunk, planReservation } from '../../../shared/domain/reservation-plan.ts';
import { emptyEnvelope } from '../../../shared/domain/envelope.ts';

const env = (available: number, waiting = 0) => ({ ...emptyEnvelope({ measure: 7, fiscal_year: 2025 }), budget_set: true, budget_fen: 10_000, available_fen: available, waitlisted_count: waiting });
const award = (id: string, date: string, amount: number) => ({ award_id: id, approved_date: date, amount_fen: amount });

describe('queue order and reservation planning', () => {
  test('queue order is oldest approved_date first, ties by award_id', () => {
    const sorted = [award('B', '2025-02-01', 1), award('C', '2025-01-01', 1), award('A', '2025-02-01', 1)].sort(byQueueOrder);
    expect(sorted.map((a) => a.award_id)).toEqual(['C', 'A', 'B']);
  });

  test('reserves in queue order until one does not fit; everything after waits (strict queue, no partial funding)', () => {
    const plan = planReservation(env(250), [award('A', '2025-01-03', 100), award('B', '2025-01-01', 100), award('C', '2025-01-02', 100), award('D', '2025-01-04', 10)]);
    expect(plan.reserve.map((a) => a.award_id)).toEqual(['B', 'C']);
    expect(plan.waitlist.map((w) => [w.award.award_id, w.reason])).toEqual([['A', 'BUDGET_EXHAUSTED'], ['D', 'BUDGET_EXHAUSTED']]);
  });

  test('while anyone waits, new awards join the queue even if they fit', () => {
    const plan = planReservation(env(10_000, 1), [award('A', '2025-01-01', 1)]);
    expect(plan.reserve).toEqual([]);
    expect(plan.waitlist).toHaveLength(1);
  });

  test('without an envelope (or before its budget is set) everything waits with NO_ENVELOPE', () => {
    expect(planReservation(undefined, [award('A', '2025-01-01', 1)]).waitlist[0]!.reason).toBe('NO_ENVELOPE');
    expect(planReservation({ ...env(0), budget_set: false }, [award('A', '2025-01-01', 1)]).waitlist[0]!.reason).toBe('NO_ENVELOPE');
  });

  test('an exact fit is reserved', () => {
    expect(planReservation(env(100), [award('A', '2025-01-01', 100)]).reserve).toHaveLength(1);
  });

  test('the affordable head stops at the first entry that does not fit, and at the limit', () => {
    const head = [award('A', 'x', 50), award('B', 'x', 60), award('C', 'x', 1)];
    expect(affordableHead(100, head, 10).map((a) => a.award_id)).toEqual(['A']);
    expect(affordableHead(1000, head, 2).map((a) => a.award_id)).toEqual(['A', 'B']);
    expect(affordableHead(10, head, 10)).toEqual([]);
  });

  test('chunk splits into groups of at most n', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(() => chunk([1], 0)).toThrow(RangeError);
  });
});
