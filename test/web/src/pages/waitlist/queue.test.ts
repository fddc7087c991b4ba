import { queueRows } from '../../../../../web/src/pages/waitlist/queue.ts';
import type { Award } from '../../../../../web/src/api/types.ts';

const award = (award_id: string, approved_date: string, amount_fen: number) => ({ award_id, approved_date, amount_fen }) as Award;

describe('queueRows', () => {
  it('orders by approval date then award id, with running totals and the extra budget each position needs', () => {
    const rows = queueRows([award('B', '2025-03-01', 500_00), award('A', '2025-03-01', 300_00), award('C', '2025-02-01', 100_00)], 350_00);
    expect(rows.map((r) => r.award.award_id)).toEqual(['C', 'A', 'B']);
    expect(rows.map((r) => r.running)).toEqual([100_00n, 400_00n, 900_00n]);
    expect(rows.map((r) => r.extra)).toEqual([0n, 50_00n, 550_00n]);
    expect(rows.map((r) => r.position)).toEqual([1, 2, 3]);
  });

  it('stays exact past the safe-integer range', () => {
    const big = Number.MAX_SAFE_INTEGER;
    const rows = queueRows([award('A', '2025-01-01', big), award('B', '2025-01-02', big)], 0);
    expect(rows[1]!.running).toBe(2n * BigInt(big));
  });
});
