import type { AwardStatus } from '../domain/award.ts';
import { shanghaiDate } from '../domain/dates.ts';
import { envelopeId, type Envelope } from '../domain/envelope.ts';
import { forecastEnvelope, type Commitment, type Forecast } from '../domain/forecast.ts';
import type { Ledger } from '../ports/ledger.ts';
import type { Clock } from './clock.ts';

const COMMITTED: AwardStatus[] = ['RESERVED', 'BATCHED', 'PAID', 'RETURNED'];
const ENVELOPES_AT_ONCE = 3;

/**
 * The forecast of each envelope from its committed awards (RESERVED, BATCHED, PAID), dated by the
 * Shanghai day they were stored. Deterministic for a given store and clock.
 */
export async function forecastEnvelopes(ledger: Pick<Ledger, 'listAwardAmounts'>, clock: Clock, envelopes: readonly Envelope[]): Promise<Map<string, Forecast>> {
  const today = shanghaiDate(new Date(clock.now()));
  const results = new Map<Envelope, Forecast>();
  const forecastOne = async (e: Envelope) => {
    // The four statuses are four index partitions: read side by side.
    const perStatus = await Promise.all(COMMITTED.map(async (status) => {
      const commitments: Commitment[] = [];
      for await (const a of ledger.listAwardAmounts({ status, measure: e.measure, fiscal_year: e.fiscal_year })) {
        commitments.push({ date: shanghaiDate(new Date(a.created_at)), amount_fen: a.amount_fen });
      }
      return commitments;
    }));
    results.set(e, forecastEnvelope(e, perStatus.flat(), today));
  };
  // A few envelopes at a time (each is up to four queries in flight): the sums do not depend on the order.
  const queue = [...envelopes];
  await Promise.all(Array.from({ length: Math.min(ENVELOPES_AT_ONCE, queue.length) }, async () => {
    for (let e = queue.shift(); e; e = queue.shift()) await forecastOne(e);
  }));
  // In the envelopes' order, whatever order they finished in.
  return new Map(envelopes.map((e) => [envelopeId(e), results.get(e)!]));
}
