import type { Award, HistoryEntry } from '../domain/award.ts';
import { BursarError, NotFoundError, TransientError, ValidationError } from '../domain/errors.ts';
import type { Ledger } from '../ports/ledger.ts';
import { noEnvelopeEvents, type EnvelopeEvents } from '../ports/envelope-events.ts';
import { backoff } from '../retry/backoff.ts';
import type { Clock } from './clock.ts';
import { drainWaitlist } from './drain-waitlist.ts';

export interface CancelResult {
  award: Award;
  /** False when the award was already cancelled (re-running the command changes nothing). */
  changed: boolean;
  drained: string[];
}

const MAX_ATTEMPTS = 30;

/**
 * Cancel a RESERVED award (its money returns to the envelope) or a WAITLISTED one (it leaves the
 * queue). Either way the queue is then served, since money or a new head may now fit.
 */
export async function cancelAward(
  ledger: Ledger, clock: Clock, cmd: { award_id: string; reason: string; by: string }, events: EnvelopeEvents = noEnvelopeEvents,
): Promise<CancelResult> {
  const reason = cmd.reason.trim();
  const by = cmd.by.trim();
  if (reason === '') throw new ValidationError('MISSING_REASON', 'a reason is required (--reason TEXT)', { field: 'reason' });
  if (by === '') throw new ValidationError('MISSING_ACTOR', 'who cancels is required (--by NAME)', { field: 'by' });

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (attempt > 0) await backoff(attempt);
    const award = await ledger.getAward(cmd.award_id);
    if (!award) throw new NotFoundError('award', cmd.award_id);
    if (award.status === 'CANCELLED') {
      // Nothing to change; but a cancellation that stopped after its write and before serving the
      // queue (a crash, a lost reply) is re-run this way: serve the queue now (a no-op otherwise).
      const drained = await drainWaitlist(ledger, clock, award);
      if (drained.length > 0) await events.envelopeChanged(award, {});
      return { award, changed: false, drained };
    }
    const entry: HistoryEntry = { at: clock.now(), status: 'CANCELLED', by, note: reason };
    let result;
    if (award.status === 'RESERVED') result = await ledger.cancelReserved(award, entry);
    else if (award.status === 'WAITLISTED') result = await ledger.cancelWaitlisted(award, entry);
    else {
      throw new BursarError('NOT_CANCELLABLE', `award ${award.award_id} is ${award.status}; only RESERVED or WAITLISTED awards can be cancelled`, {
        award_id: award.award_id, status: award.status,
      });
    }
    if (!result.ok) continue; // its status or envelope moved: look again
    const drained = await drainWaitlist(ledger, clock, award);
    await events.envelopeChanged(award, {});
    const updated = await ledger.getAward(cmd.award_id);
    return { award: updated ?? award, changed: true, drained };
  }
  throw new TransientError(`award ${cmd.award_id} kept changing while being cancelled; try again`);
}
