import type { Award, AwardStatus, HistoryEntry } from '../domain/award.ts';
import { BursarError, NotFoundError, TransientError, ValidationError } from '../domain/errors.ts';
import { samePerson } from '../domain/run-lifecycle.ts';
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

/** The statuses an award can be cancelled from. */
export const CANCELLABLE: readonly AwardStatus[] = ['RESERVED', 'WAITLISTED', 'RETURNED'];

export interface CancelCommand {
  award_id: string;
  reason: string;
  by: string;
  /**
   * Which of CANCELLABLE this caller may cancel (the API derives it from the caller's roles: a
   * RETURNED award is a reviewer's decision). Absent: all of them (the CLI, run by the operator).
   */
  may_cancel?: readonly AwardStatus[];
}

const MAX_ATTEMPTS = 30;

/**
 * Cancel a RESERVED award (its money returns to the envelope), a WAITLISTED one (it leaves the
 * queue) or a RETURNED one (issue 13: its payment FAILED; the money leaves returned for available,
 * and the canceller may not be whoever imported the failure: SAME_PERSON). Either way the queue is
 * then served, since money or a new head may now fit.
 */
export async function cancelAward(
  ledger: Ledger, clock: Clock, cmd: CancelCommand, events: EnvelopeEvents = noEnvelopeEvents,
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
    checkCancellable(award, by, cmd.may_cancel);
    const entry: HistoryEntry = { at: clock.now(), status: 'CANCELLED', by, note: reason };
    let result;
    if (award.status === 'RESERVED') result = await ledger.cancelReserved(award, entry);
    else if (award.status === 'WAITLISTED') result = await ledger.cancelWaitlisted(award, entry);
    else result = await ledger.cancelReturned(award, entry);
    if (!result.ok) {
      if (award.status === 'RETURNED' && !result.collided && await unchanged(ledger, award)) throw inconsistent(award, result.envelopeChanged);
      continue; // its status or envelope moved: look again
    }
    const drained = await drainWaitlist(ledger, clock, award);
    await events.envelopeChanged(award, {});
    const updated = await ledger.getAward(cmd.award_id);
    return { award: updated ?? award, changed: true, drained };
  }
  throw new TransientError(`award ${cmd.award_id} kept changing while being cancelled; try again`);
}

/** Throws unless `by` may cancel the award as it stands now. */
function checkCancellable(award: Award, by: string, mayCancel: readonly AwardStatus[] | undefined): void {
  if (!CANCELLABLE.includes(award.status)) {
    throw new BursarError('NOT_CANCELLABLE', `award ${award.award_id} is ${award.status}; only RESERVED, WAITLISTED or RETURNED awards can be cancelled`, {
      award_id: award.award_id, status: award.status,
    });
  }
  if (mayCancel !== undefined && !mayCancel.includes(award.status)) {
    const role = award.status === 'RETURNED' ? 'reviewer' : 'bureau or clerk';
    throw new BursarError('FORBIDDEN', `award ${award.award_id} is ${award.status}; cancelling it needs the role ${role}`, {
      award_id: award.award_id, status: award.status,
    });
  }
  if (award.status === 'RETURNED') {
    // Four eyes, by person: whoever imported the failure may not decide it (as release-failed).
    const importedBy = importerOf(award);
    if (importedBy !== undefined && samePerson(importedBy, by)) {
      throw new BursarError('SAME_PERSON', `award ${award.award_id}'s failure was imported by ${importedBy}; a second person must cancel it`, {
        award_id: award.award_id, run_id: award.run_id, settled_by: importedBy,
      });
    }
  }
}

/** Who imported the failure that made the award RETURNED: the last RETURNED entry of its history (= its run item's settled_by). */
function importerOf(award: Award): string | undefined {
  return award.history.findLast((h) => h.status === 'RETURNED')?.by;
}

/** A refusal that no race explains: the award is as read, yet its envelope, run item or controls disagree with it. */
function inconsistent(award: Award, envelopeShort: boolean): BursarError {
  const what = envelopeShort
    ? `measure ${award.measure} FY${award.fiscal_year}'s envelope holds less returned money than award ${award.award_id}`
    : `award ${award.award_id}'s payment in ${award.run_id} is not an undecided failure (or its enterprise record is missing)`;
  return new BursarError(envelopeShort ? 'ENVELOPE_INCONSISTENT' : 'RUN_ITEM_INCONSISTENT', `${what}; run reconciliation`, {
    award_id: award.award_id, run_id: award.run_id, measure: award.measure, fiscal_year: award.fiscal_year,
  });
}

async function unchanged(ledger: Ledger, award: Award): Promise<boolean> {
  const now = await ledger.getAward(award.award_id);
  return now?.status === award.status && now.updated_at === award.updated_at;
}
