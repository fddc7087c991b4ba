/**
 * Year end on the overview (issue 15): the year's status as its envelopes show it (the API has no
 * year-status route: a proposed close is not visible here), and whether the year-end columns are
 * worth showing (only once a year has carried, lapsed or recovered money, or is closed).
 */
import type { Envelope } from '../../api/types.ts';

export const YEAR_END = ['carried_in_fen', 'carried_out_fen', 'lapsed_fen', 'recovered_fen'] as const;
export const YEAR_END_LABELS = { carried_in_fen: 'carriedIn', carried_out_fen: 'carriedOut', lapsed_fen: 'lapsed', recovered_fen: 'recovered' } as const;

export type YearStatus = 'yearOpen' | 'yearClosed' | 'yearPartlyClosed';

type YearEnvelope = Pick<Envelope, 'fiscal_year' | 'budget_set' | 'status' | (typeof YEAR_END)[number]>;

/** Open while no budgeted envelope of the year is closed, closed when all are; null without budgets. */
export function yearStatus(envelopes: readonly YearEnvelope[], fy: number): YearStatus | null {
  const budgeted = envelopes.filter((e) => e.fiscal_year === fy && e.budget_set);
  if (budgeted.length === 0) return null;
  const closed = budgeted.filter((e) => e.status === 'CLOSED').length;
  return closed === 0 ? 'yearOpen' : closed === budgeted.length ? 'yearClosed' : 'yearPartlyClosed';
}

export function showYearEnd(envelopes: readonly YearEnvelope[], fy: number): boolean {
  return envelopes.some((e) => e.fiscal_year === fy && (e.status === 'CLOSED' || YEAR_END.some((f) => (e[f] ?? 0) !== 0)));
}
