import type { Award } from '../../api/types.ts';

/** Cumulative committed money (reserved, batched or paid) by approval date, in integer fen. */
export function cumulativeByDate(awards: readonly Pick<Award, 'approved_date' | 'amount_fen'>[]): [string, number][] {
  const byDay = new Map<string, bigint>();
  for (const a of awards) byDay.set(a.approved_date, (byDay.get(a.approved_date) ?? 0n) + BigInt(a.amount_fen));
  let running = 0n;
  return [...byDay.keys()].sort().map((day) => {
    running += byDay.get(day)!;
    return [day, Number(running)];
  });
}
