import { fiscalYearOf } from '../domain/dates.ts';
import type { EnvelopeKey } from '../domain/envelope.ts';
import type { Ledger } from '../ports/ledger.ts';

/**
 * The envelope an eligible award is charged to: its approved date's fiscal year, or, when that
 * year's envelope of the measure is closed (a close closes every measure's envelope), the first
 * open year after it. The policy window itself is not moved by a close.
 */
export async function chargeableEnvelope(ledger: Ledger, measure: number, approvedDate: string): Promise<EnvelopeKey> {
  let fiscal_year = fiscalYearOf(approvedDate);
  for (let i = 0; i < 10; i++) {
    const envelope = await ledger.getEnvelope({ measure, fiscal_year });
    if (envelope?.status !== 'CLOSED') break;
    fiscal_year += 1;
  }
  return { measure, fiscal_year };
}
