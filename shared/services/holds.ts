/**
 * Held awards (issue 14): a person releases or rejects them. Released, an award held at intake is
 * planned like a new arrival at its place (reserved if it fits and nobody waits, else queued in
 * approved-date order); one held at run preparation kept its reservation and is RESERVED again.
 * Rejected, any money it kept returns and the queue is served. Each decision is one transaction
 * with the envelope's figures, and lands in the award's history with who and why.
 */
import type { Award, AwardHold, HistoryEntry, HoldReason } from '../domain/award.ts';
import { isActiveOn } from '../domain/credit-restriction.ts';
import { shanghaiDate } from '../domain/dates.ts';
import { BursarError, NotFoundError, TransientError, ValidationError } from '../domain/errors.ts';
import type { UnitCode } from '../domain/units.ts';
import { noEnvelopeEvents, type EnvelopeEvents } from '../ports/envelope-events.ts';
import type { Ledger, WriteResult } from '../ports/ledger.ts';
import { backoff } from '../retry/backoff.ts';
import type { Clock } from './clock.ts';
import { drainWaitlist } from './drain-waitlist.ts';

export interface HoldDeps {
  ledger: Ledger;
  clock: Clock;
  events?: EnvelopeEvents;
}

export interface HoldQuery {
  reason?: HoldReason;
  unit?: UnitCode;
  fiscal_year?: number;
}

export interface HoldDecision {
  award: Award;
  /** False when the award had already been decided this way (re-running changes nothing). */
  changed: boolean;
  drained: string[];
}

const MAX_ATTEMPTS = 30;

export async function listHolds(ledger: Ledger, q: HoldQuery = {}): Promise<Award[]> {
  const out: Award[] = [];
  for await (const a of ledger.listAwards({ status: 'HELD', ...(q.fiscal_year !== undefined ? { fiscal_year: q.fiscal_year } : {}) })) {
    if (q.reason !== undefined && a.hold?.reason !== q.reason) continue;
    if (q.unit !== undefined && a.approving_unit !== q.unit) continue;
    out.push(a);
  }
  return out.sort((a, b) => (a.hold?.at ?? '').localeCompare(b.hold?.at ?? '') || a.award_id.localeCompare(b.award_id));
}

function required(value: string, code: string, what: string, field: string): string {
  const v = value.trim();
  if (v === '') throw new ValidationError(code, `${what} is required (--${field} TEXT)`, { field });
  return v;
}

/** Was this award's last decision a release/rejection by a person? Then re-running is a no-op. */
function lastDecision(award: Award, kind: 'released' | 'rejected'): boolean {
  const last = award.history[award.history.length - 1];
  return last !== undefined && last.by !== undefined && (last.note ?? '').startsWith(`hold ${kind}`);
}

export async function releaseHold(deps: HoldDeps, cmd: { award_id: string; note: string; by: string }): Promise<HoldDecision> {
  const note = required(cmd.note, 'MISSING_NOTE', 'a note', 'note');
  const by = required(cmd.by, 'MISSING_ACTOR', 'who releases', 'by');
  const { ledger, clock } = deps;
  return decideHold(deps, cmd.award_id, 'released', async (award) => {
    const hold = award.hold as AwardHold;
    if (hold.reason === 'CREDIT_RESTRICTED') {
      const day = shanghaiDate(new Date(clock.now()));
      const state = (await ledger.controls.readEnterprises([award.recipient_uscc])).get(award.recipient_uscc);
      const active = (state?.restrictions ?? []).filter((r) => isActiveOn(r, day));
      if (active.length > 0) {
        throw new BursarError('STILL_RESTRICTED', `${award.recipient_uscc} is still restricted on ${day} (${active.map((r) => r.list_name).join(', ')}); lift the restriction first`, { award_id: award.award_id });
      }
    }
    const at = clock.now();
    const entry = (status: Award['status']): HistoryEntry => ({ at, status, by, note: `hold released (${hold.reason}): ${note}` });
    if (hold.keeps_reservation) return ledger.controls.releaseToReserved(award, entry('RESERVED'));
    // Planned like a new arrival: reserved if it fits and nobody waits ahead of it, else queued at its place.
    const envelope = await ledger.getEnvelope(award);
    const fits = envelope !== undefined && envelope.budget_set && envelope.waitlisted_count === 0 && envelope.available_fen >= award.amount_fen;
    return fits
      ? ledger.controls.releaseReserving(award, entry('RESERVED'))
      : ledger.controls.releaseToQueue(award, entry('WAITLISTED'), envelope?.budget_set ? 'BUDGET_EXHAUSTED' : 'NO_ENVELOPE');
  });
}

export async function rejectHold(deps: HoldDeps, cmd: { award_id: string; reason: string; by: string }): Promise<HoldDecision> {
  const reason = required(cmd.reason, 'MISSING_REASON', 'a reason', 'reason');
  const by = required(cmd.by, 'MISSING_ACTOR', 'who rejects', 'by');
  return decideHold(deps, cmd.award_id, 'rejected', (award) =>
    deps.ledger.controls.rejectHeld(award, { at: deps.clock.now(), status: 'REJECTED', by, note: `hold rejected (${award.hold?.reason}): ${reason}` }));
}

/**
 * One decision on a held award, retried while the award or its envelope moves: re-run after it was
 * made, it changes nothing; made, the queue is served and the envelope's alerts evaluated.
 */
async function decideHold(deps: HoldDeps, awardId: string, kind: 'released' | 'rejected', decide: (award: Award) => Promise<WriteResult>): Promise<HoldDecision> {
  const { ledger, clock } = deps;
  const events = deps.events ?? noEnvelopeEvents;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (attempt > 0) await backoff(attempt);
    const award = await ledger.getAward(awardId);
    if (!award) throw new NotFoundError('award', awardId);
    if (award.status !== 'HELD') {
      if (lastDecision(award, kind)) {
        // Decided already. A decision that stopped after its write and before serving the queue (a
        // crash, a lost reply) is re-run this way: serve the queue now (a no-op otherwise).
        const drained = await drainWaitlist(ledger, clock, award);
        if (drained.length > 0) await events.envelopeChanged(award, {});
        return { award, changed: false, drained };
      }
      throw new BursarError('NOT_HELD', `award ${award.award_id} is ${award.status}; only HELD awards can be ${kind}`, { award_id: award.award_id, status: award.status });
    }
    if (!(await decide(award)).ok) continue; // the award or its envelope moved: look again
    const drained = await drainWaitlist(ledger, clock, award);
    await events.envelopeChanged(award, {});
    return { award: (await ledger.getAward(award.award_id)) ?? award, changed: true, drained };
  }
  throw new TransientError(`award ${awardId} kept changing while being ${kind}; try again`);
}

/**
 * Run preparation: RESERVED awards whose recipient is restricted today are left out of the run and
 * HELD CREDIT_RESTRICTED, keeping their reservation. Returns the awards that may be paid. An award
 * that moved meanwhile (cancelled, or taken by a concurrent prepare) is left to the caller's checks.
 */
export async function holdRestrictedForRun(deps: HoldDeps, awards: readonly Award[], restricted: ReadonlySet<string>): Promise<Award[]> {
  if (restricted.size === 0) return [...awards];
  const payable: Award[] = [];
  for (const award of awards) {
    if (!restricted.has(award.recipient_uscc)) { payable.push(award); continue; }
    const at = deps.clock.now();
    const hold: AwardHold = { reason: 'CREDIT_RESTRICTED', at, keeps_reservation: true };
    const result = await deps.ledger.controls.holdReserved(award, hold, { at, status: 'HELD', note: 'CREDIT_RESTRICTED at run preparation' });
    if (result.ok) await deps.events?.awardHeld?.({ ...award, status: 'HELD', hold });
  }
  return payable;
}

/** Credit codes restricted on the Shanghai day of `now`. */
export async function restrictedOn(ledger: Ledger, now: string): Promise<Set<string>> {
  const day = shanghaiDate(new Date(now));
  return new Set((await ledger.controls.listRestrictions()).filter((r) => isActiveOn(r, day)).map((r) => r.recipient_uscc));
}
