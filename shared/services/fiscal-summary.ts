import { ValidationError } from '../domain/errors.ts';
import { buildFiscalSummary, type FiscalSummary } from '../domain/fiscal-summary.ts';
import type { Ledger } from '../ports/ledger.ts';
import type { RunStore } from '../ports/run-store.ts';
import type { Clock } from './clock.ts';
import { forecastEnvelopes } from './forecast-envelopes.ts';

export function checkFiscalYear(value: number): number {
  if (!Number.isInteger(value) || value < 2000 || value > 2100) {
    throw new ValidationError('BAD_FISCAL_YEAR', `fiscal year must be a year such as 2025, got ${value}`, { field: 'fiscal_year' });
  }
  return value;
}

/**
 * `summary`: the budget-execution summary of a fiscal year, from the envelopes (strongly consistent
 * reads) and the per-month paid totals that settlement keeps beside them, plus (with a clock) the
 * exhaustion forecast of each open envelope, which lists that envelope's committed awards.
 */
export async function fiscalSummary(
  deps: { ledger: Ledger; runs: Pick<RunStore, 'paidByMonth'>; clock?: Clock },
  fiscalYear: number,
  /** Only these measures' money (a bureau user's view); the others show as zeros. */
  include: (measure: number) => boolean = () => true,
): Promise<FiscalSummary> {
  const fy = checkFiscalYear(fiscalYear);
  const [all, allPaid] = await Promise.all([deps.ledger.listEnvelopes(fy), deps.runs.paidByMonth(fy)]);
  const envelopes = all.filter((e) => include(e.measure));
  const paid = allPaid.filter((p) => include(p.measure));
  // The forecast reads the open envelopes' committed awards (issue 15): with a clock only.
  const open = envelopes.filter((e) => e.status !== 'CLOSED' && e.budget_set);
  const forecasts = deps.clock && open.length > 0
    ? new Map([...(await forecastEnvelopes(deps.ledger, deps.clock, open))].map(([key, f]) => [Number(key.split('#')[1]), f]))
    : undefined;
  return buildFiscalSummary({
    fiscal_year: fy, envelopes, paid_by_month: paid.map(({ month, paid_fen }) => ({ month, paid_fen })), ...(forecasts ? { forecasts } : {}),
  });
}
