import type { AwardStatus } from '../domain/award.ts';
import { shanghaiDate } from '../domain/dates.ts';
import type { Envelope } from '../domain/envelope.ts';
import { forecastEnvelope, type Commitment, type Forecast } from '../domain/forecast.ts';
import type { Ledger } from '../ports/ledger.ts';
import type { Clock } from './clock.ts';

const COMMITTED: AwardStatus[] = ['RESERVED', 'BATCHED', 'PAID', 'RETURNED'];

/**
 * The forecast of each envelope from its committed awards (RESERVED, BATCHED, PAID), dated by the
 * Shanghai day they were stored. Deterministic for a given store and clock.
 */
export async function forecastEnvelopes(ledger: Pick<Ledger, 'listAwards'>, clock: Clock, envelopes: readonly Envelope[]): Promise<Map<string, Forecast>> {
  const today = shanghaiDate(new Date(clock.now()));
  const out = new Map<string, Forecast>();
  for (const e of envelopes) {
    const commitments: Commitment[] = [];
    for (const status of COMMITTED) {
      for await (const a of ledger.listAwards({ status, measure: e.measure, fiscal_year: e.fiscal_year })) {
        commitments.push({ date: shanghaiDate(new Date(a.created_at)), amount_fen: a.amount_fen });
      }
    }
    out.set(`${e.fiscal_year}#${e.measure}`, forecastEnvelope(e, commitments, today));
  }
  return out;
}
