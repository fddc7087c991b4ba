import type { Award, WaitReason } from '../domain/award.ts';
import { envelopeLabel, type EnvelopeKey } from '../domain/envelope.ts';
import { TransientError } from '../domain/errors.ts';
import type { Candidate } from '../domain/intake-classification.ts';
import type { EnterpriseGate } from '../domain/enterprise-controls.ts';
import { controlledAward } from './intake-controls.ts';
import { chunk, planReservation } from '../domain/reservation-plan.ts';
import type { TraceStep } from '../domain/rules.ts';
import type { Ledger, WriteResult } from '../ports/ledger.ts';
import type { EnvelopeEvents } from '../ports/envelope-events.ts';
import { backoff } from '../retry/backoff.ts';
import type { Clock } from './clock.ts';
import { drainWaitlist } from './drain-waitlist.ts';

const MAX_PLAN_ATTEMPTS = 30;

/** An eligible candidate of one envelope, with the rules' trace to store. */
export interface EligibleAward {
  c: Candidate;
  trace: TraceStep[];
  /** Issue 14: what the award's transaction re-checks on its enterprise's controls record. */
  gate?: EnterpriseGate;
}

/** What reservation decided for one award. */
export type ReservationDecision =
  | { kind: 'reserved' }
  | { kind: 'waitlisted'; reason: WaitReason }
  /** Queued by this call, then served from the queue by its own drain: reserved at intake. */
  | { kind: 'served-from-queue' }
  /** The award_id was stored meanwhile (a duplicate or a concurrent delivery): classify it again. */
  | { kind: 'exists' };

export interface ReservationDeps {
  ledger: Ledger;
  clock: Clock;
  events?: EnvelopeEvents;
}

/**
 * Reserve what fits and queue the rest for one envelope, re-planning from a fresh read whenever the
 * store refuses a write because the envelope moved, then serve the queue if this call joined it.
 * Returns a decision per award (by message id); every award of `members` gets one.
 */
export async function reserveEnvelope(
  deps: ReservationDeps, key: EnvelopeKey, members: readonly EligibleAward[], now: string,
): Promise<Map<string, ReservationDecision>> {
  const decisions = new Map<string, ReservationDecision>();
  const byAwardId = new Map(members.map((m) => [m.c.record.award_id, m]));
  const toAward = (awardId: string, status: 'RESERVED' | 'WAITLISTED', reason?: WaitReason): Award => {
    const m = byAwardId.get(awardId)!;
    return controlledAward(m.c, status, reason, m.trace, now, m.gate !== undefined, key);
  };
  const gates = new Map(members.flatMap((m) => (m.gate ? [[m.c.record.award_id, m.gate] as const] : [])));
  // Each award costs one more item when it is counted in its enterprise's record.
  const perAward = gates.size > 0 ? 1 : 0;
  let pending = members.map((m) => ({ id: m.c.id, award_id: m.c.record.award_id, approved_date: m.c.record.approved_date, amount_fen: m.c.record.amount_fen }));
  /** Awards the store says exist are decided as such and leave the plan. */
  const settleExisting = (result: WriteResult) => {
    if (result.ok) return;
    // An award whose enterprise record moved (a matching or capped award got in first) is decided again.
    const gone = new Set([...result.existingAwards, ...(result.controlsChanged ?? [])]);
    for (const p of pending) if (gone.has(p.award_id)) decisions.set(p.id, { kind: 'exists' });
    pending = pending.filter((p) => !gone.has(p.award_id));
  };

  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt >= MAX_PLAN_ATTEMPTS) throw new TransientError(`${envelopeLabel(key)}: too much contention, will retry`);
    if (attempt > 0) await backoff(attempt);
    const plan = planReservation(await deps.ledger.getEnvelope(key), pending);
    let replan = false;

    for (const group of chunk(plan.reserve, Math.floor((deps.ledger.maxTransactionItems - 1) / (1 + perAward)))) {
      const result = await deps.ledger.reserveNew(key, group.map((p) => toAward(p.award_id, 'RESERVED')), gates);
      if (!result.ok) { settleExisting(result); replan = true; break; }
      for (const p of group) decisions.set(p.id, { kind: 'reserved' });
      pending = pending.filter((p) => !group.includes(p));
    }
    if (replan) continue;

    // Each waiting award costs two items (award, queue entry, and its enterprise record) plus one for the envelope.
    for (const group of chunk(plan.waitlist, Math.floor((deps.ledger.maxTransactionItems - 1) / (2 + perAward)))) {
      const result = await deps.ledger.waitlistNew(key, group.map((w) => toAward(w.award.award_id, 'WAITLISTED', w.reason)), gates);
      if (!result.ok) { settleExisting(result); break; }
      for (const w of group) decisions.set(w.award.id, { kind: 'waitlisted', reason: w.reason });
      const ids = new Set(group.map((w) => w.award.id));
      pending = pending.filter((p) => !ids.has(p.id));
    }
  }

  // Awards this call queued (message id → why they waited), whatever the drain does with them next.
  const queued = new Map<string, WaitReason>();
  for (const [id, d] of decisions) if (d.kind === 'waitlisted') queued.set(id, d.reason);
  if (queued.size > 0) {
    // Joining the queue can make an affordable award its head (or money appeared meanwhile): serve it now.
    // Awards this call queued and now serves were, for their sender, reserved at intake.
    const idOf = new Map(members.filter((m) => queued.has(m.c.id)).map((m) => [m.c.record.award_id, m.c.id]));
    for (const awardId of await drainWaitlist(deps.ledger, deps.clock, key, new Set(idOf.keys()))) {
      const id = idOf.get(awardId);
      if (id !== undefined) decisions.set(id, { kind: 'served-from-queue' });
    }
  }
  await tellEvents(deps, key, decisions, queued);
  return decisions;
}

/** One call per reason that made awards wait (at most two), or one plain call when all were reserved. */
async function tellEvents(
  deps: ReservationDeps, key: EnvelopeKey, decisions: ReadonlyMap<string, ReservationDecision>, queued: ReadonlyMap<string, WaitReason>,
): Promise<void> {
  if (!deps.events || ![...decisions.values()].some((d) => d.kind !== 'exists')) return;
  // Awards that joined the queue count under the reason they waited for, even if then served from it.
  const waitReasons = new Map<WaitReason, number>();
  for (const reason of queued.values()) waitReasons.set(reason, (waitReasons.get(reason) ?? 0) + 1);
  const changes = waitReasons.size === 0 ? [{}] : [...waitReasons].map(([reason, count]) => ({ waitlisted: { reason, count } }));
  for (const change of changes) await deps.events.envelopeChanged(key, change);
}
