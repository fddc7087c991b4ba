import type { EnvelopeKey } from '../domain/envelope.ts';
import { affordableHead } from '../domain/reservation-plan.ts';
import { TransientError } from '../domain/errors.ts';
import { backoff } from '../retry/backoff.ts';
import type { Ledger } from '../ports/ledger.ts';
import type { Clock } from './clock.ts';

const MAX_ATTEMPTS = 50;

/**
 * Serve an envelope's waitlist from its head while the head fits the available money. Called
 * whenever money may have appeared or the head may have changed (budget set or raised, an award
 * cancelled, an award joined the queue), so the queue is never left with an affordable head.
 * Returns the award ids it reserved, in queue order.
 */
export async function drainWaitlist(
  ledger: Ledger, clock: Clock, key: EnvelopeKey, reservedAtIntake?: ReadonlySet<string>,
): Promise<string[]> {
  const drained: string[] = [];
  // Each reserved award costs two transaction items (award update, queue delete) plus one for the envelope.
  const perTransaction = Math.floor((ledger.maxTransactionItems - 1) / 2);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; ) {
    const envelope = await ledger.getEnvelope(key);
    if (!envelope || !envelope.budget_set || envelope.waitlisted_count === 0 || envelope.status === 'CLOSED') return drained;
    const head = await ledger.queueHead(key, perTransaction);
    const take = affordableHead(envelope.available_fen, head, perTransaction);
    if (take.length === 0) return drained;
    const result = await ledger.reserveFromQueue(key, envelope.queue_seq, take, clock.now(), reservedAtIntake);
    if (result.ok) {
      drained.push(...take.map((e) => e.award_id));
      attempt = 0;
    } else {
      attempt++;
      await backoff(attempt);
    }
  }
  throw new TransientError(`waitlist of measure ${key.measure} FY${key.fiscal_year} could not be served: too much contention`);
}
