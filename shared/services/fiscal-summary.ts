import { ValidationError } from '../domain/errors.ts';
import { buildFiscalSummary, type FiscalSummary } from '../domain/fiscal-summary.ts';
import type { Ledger } from '../ports/ledger.ts';
import type { RunStore } from '../ports/run-store.ts';

export function checkFiscalYear(value: number): number {
  if (!Number.isInteger(value) || value < 2000 || value > 2100) {
    throw new ValidationError('BAD_FISCAL_YEAR', `fiscal year must be a year such as 2025, got ${value}`, { field: 'fiscal_year' });
  }
  return value;
}

/**
 * `summary`: the budget-execution summary of a fiscal year, from the envelopes (strongly consistent
 * reads) and the per-month paid totals that settlement keeps beside them. Reads a few dozen items
 * however many awards there are.
 */
export async function fiscalSummary(deps: { ledger: Ledger; runs: Pick<RunStore, 'paidByMonth'> }, fiscalYear: number): Promise<FiscalSummary> {
  const fy = checkFiscalYear(fiscalYear);
  const [envelopes, paid] = await Promise.all([deps.ledger.listEnvelopes(fy), deps.runs.paidByMonth(fy)]);
  return buildFiscalSummary({ fiscal_year: fy, envelopes, paid_by_month: paid.map(({ month, paid_fen }) => ({ month, paid_fen })) });
}
