import type { DynamoRecoveries } from '../adapters/dynamo/dynamo-recoveries.ts';
import { shanghaiDate } from '../domain/dates.ts';
import { BursarError, NotFoundError, TransientError, ValidationError } from '../domain/errors.ts';
import { formatYuan } from '../domain/money.ts';
import { claimableFen, recoveryId, type Recovery } from '../domain/recovery.ts';
import type { Ledger } from '../ports/ledger.ts';
import { noEnvelopeEvents, type EnvelopeEvents } from '../ports/envelope-events.ts';
import { backoff } from '../retry/backoff.ts';
import type { Clock } from './clock.ts';
import { drainWaitlist } from './drain-waitlist.ts';

export interface RecoveryDeps {
  ledger: Ledger;
  recoveries: DynamoRecoveries;
  clock: Clock;
  events?: EnvelopeEvents;
}

const MAX_ATTEMPTS = 20;

function required(value: string, field: string, what: string): string {
  const v = value.trim();
  if (v === '') throw new ValidationError(field === 'by' ? 'MISSING_ACTOR' : `MISSING_${field.toUpperCase()}`, `${what} is required (--${field} …)`, { field });
  return v;
}

/**
 * `recover open`: claim back up to what was paid minus the award's DUE and SETTLED recoveries.
 * The same command again on the same Asia/Shanghai day (award, amount, reason and actor; the claim
 * not cancelled) returns the recovery it opened: a run again after a lost reply must not claim the
 * money twice (as a transfer's default id makes a retried transfer move nothing). The earlier claim
 * is found by a consistent read: the award (its recovery_count moved in the transaction that opened
 * the claim) and its recoveries by id, never an index that may not have caught up.
 */
export async function openRecovery(deps: RecoveryDeps, cmd: { award_id: string; amount_fen: number; reason: string; by: string }): Promise<Recovery> {
  const reason = required(cmd.reason, 'reason', 'a reason');
  const by = required(cmd.by, 'by', 'who opens the recovery');
  if (!Number.isSafeInteger(cmd.amount_fen) || cmd.amount_fen <= 0) throw new ValidationError('BAD_AMOUNT', 'a recovery must be a positive amount of yuan', { field: 'amount_yuan' });
  // Numbers past the award's last that turned out taken (written without the count, before it was kept): skipped.
  let skip = { after: -1, taken: 0 };
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (attempt > 0) await backoff(attempt);
    const award = await deps.ledger.getAward(cmd.award_id);
    if (!award) throw new NotFoundError('award', cmd.award_id);
    if (award.status !== 'PAID') throw new BursarError('NOT_PAID', `award ${award.award_id} is ${award.status}; only a PAID award can be recovered`, { award_id: award.award_id, status: award.status });
    // First: this claim may already be open (a run again); then it is not a second claim against what is left.
    const { recoveries: existing, last } = await deps.recoveries.ofAward(award);
    const today = shanghaiDate(new Date(deps.clock.now()));
    const same = existing.find((r) => r.status !== 'CANCELLED' && r.amount_fen === cmd.amount_fen && r.reason === reason && r.opened_by === by
      && shanghaiDate(new Date(r.opened_at)) === today);
    if (same) return same;
    const claimable = claimableFen(award);
    if (cmd.amount_fen > claimable) {
      throw new BursarError('RECOVERY_EXCEEDS_PAID', `award ${award.award_id}: ${formatYuan(cmd.amount_fen)} yuan exceeds the ${formatYuan(claimable)} yuan paid and not yet claimed back`, {
        award_id: award.award_id, claimable_fen: claimable, requested_fen: cmd.amount_fen, field: 'amount_yuan',
      });
    }
    if (skip.after !== last) skip = { after: last, taken: 0 };
    const n = last + 1 + skip.taken;
    const recovery: Recovery = {
      recovery_id: recoveryId(award.award_id, n), award_id: award.award_id, measure: award.measure,
      fiscal_year: award.fiscal_year, amount_fen: cmd.amount_fen, reason, status: 'DUE', opened_by: by, opened_at: deps.clock.now(),
    };
    const outcome = await deps.recoveries.open(recovery, n, { claimed_fen: award.recovery_claimed_fen ?? 0, count: award.recovery_count });
    if (outcome === 'OPENED') return recovery;
    if (outcome === 'ID_TAKEN') skip.taken++;
  }
  throw new TransientError(`award ${cmd.award_id} kept changing while a recovery was opened; try again`);
}

/**
 * `recover settle`: the money is back. Into the award's envelope when its year is open (paid down,
 * available up, the queue served); to the treasury when it is closed (the closed year records it as
 * recovered_fen and nothing reopens). Settling a settled recovery again changes nothing.
 */
export async function settleRecovery(deps: RecoveryDeps, cmd: { recovery_id: string; reference: string; by: string }): Promise<{ recovery: Recovery; changed: boolean; drained: string[] }> {
  const reference = required(cmd.reference, 'reference', 'the payment reference');
  const by = required(cmd.by, 'by', 'who settles');
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (attempt > 0) await backoff(attempt);
    const r = await deps.recoveries.get(cmd.recovery_id);
    if (!r) throw new NotFoundError('recovery', cmd.recovery_id);
    if (r.status === 'SETTLED') return { recovery: r, changed: false, drained: r.settled_to === 'ENVELOPE' ? await drainWaitlist(deps.ledger, deps.clock, r) : [] };
    if (r.status === 'CANCELLED') throw new BursarError('NOT_DUE', `recovery ${r.recovery_id} was cancelled`, { recovery_id: r.recovery_id });
    const envelope = await deps.ledger.getEnvelope(r);
    const to = envelope?.status === 'CLOSED' ? 'TREASURY' : 'ENVELOPE';
    if (!(await deps.recoveries.settle(r, to, { reference, by, at: deps.clock.now() }))) continue;
    const drained = to === 'ENVELOPE' ? await drainWaitlist(deps.ledger, deps.clock, r) : [];
    await (deps.events ?? noEnvelopeEvents).envelopeChanged(r, {});
    return { recovery: (await deps.recoveries.get(r.recovery_id))!, changed: true, drained };
  }
  throw new TransientError(`recovery ${cmd.recovery_id} kept changing while it was settled; try again`);
}

/** `recover cancel`: the claim is dropped; it no longer counts against what was paid. */
export async function cancelRecovery(deps: RecoveryDeps, cmd: { recovery_id: string; reason: string; by: string }): Promise<{ recovery: Recovery; changed: boolean }> {
  const reason = required(cmd.reason, 'reason', 'a reason');
  const by = required(cmd.by, 'by', 'who cancels');
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (attempt > 0) await backoff(attempt);
    const r = await deps.recoveries.get(cmd.recovery_id);
    if (!r) throw new NotFoundError('recovery', cmd.recovery_id);
    if (r.status === 'CANCELLED') return { recovery: r, changed: false };
    if (r.status === 'SETTLED') throw new BursarError('NOT_DUE', `recovery ${r.recovery_id} is settled; it cannot be cancelled`, { recovery_id: r.recovery_id });
    if (await deps.recoveries.cancel(r, { reason, by, at: deps.clock.now() })) return { recovery: (await deps.recoveries.get(r.recovery_id))!, changed: true };
  }
  throw new TransientError(`recovery ${cmd.recovery_id} kept changing while it was cancelled; try again`);
}
