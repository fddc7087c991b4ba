import pLimit from 'p-limit';
import type { Award } from '../domain/award.ts';
import { envelopeLabel, type EnvelopeKey } from '../domain/envelope.ts';
import { TransientError } from '../domain/errors.ts';
import {
  applyRules, checkRecord, matchStored, type Candidate, type IntakeResult,
} from '../domain/intake-classification.ts';
import type { IntakeRequest } from '../domain/queue-messages.ts';
import type { Scheme } from '../domain/scheme.ts';
import type { Ledger } from '../ports/ledger.ts';
import type { EnvelopeEvents } from '../ports/envelope-events.ts';
import type { Clock } from './clock.ts';
import { drainWaitlist } from './drain-waitlist.ts';
import { chargeableEnvelope } from './fiscal-year-routing.ts';
import { reserveEnvelope, type EligibleAward, type ReservationDecision } from './intake-reservation.ts';
import { screenControls } from './intake-controls.ts';
import type { TraceStep } from '../domain/rules.ts';

export type { IntakeResult } from '../domain/intake-classification.ts';

/** Per message: a result, or a transient failure to be retried by the queue. */
export type IntakeSettlement = { ok: true; result: IntakeResult } | { ok: false; error: Error };

export interface IntakeDeps {
  ledger: Ledger;
  clock: Clock;
  /** Envelope groups of one batch written at once (default 4): bounds the store calls in flight. */
  groupConcurrency?: number;
  /** Told of every envelope intake changed (budget alerts); optional. */
  events?: EnvelopeEvents;
}

const MAX_ROUNDS = 30;
export const DEFAULT_GROUP_CONCURRENCY = 4;

/** What one round decided for a message: its settlement, and whether its outcome must be read back. */
interface Settled {
  id: string;
  settlement: IntakeSettlement;
  /** The award was on a waitlist during this call: its outcome is read back from the store at the end. */
  readBack?: boolean;
}

/** One round's answer: messages settled, and candidates to classify again next round. */
interface RoundResult {
  settled: Settled[];
  again: Candidate[];
}

/**
 * Process a batch of intake requests (keyed by message id). Classification (field validation,
 * idempotency against stored awards, the policy's rules) comes first; eligible awards are then
 * reserved per envelope, one transaction per group, in queue order, each award getting a decision.
 * Invalid records and rule rejections are permanent outcomes; only store contention or outages come
 * back as failures for the queue to retry.
 *
 * An award that was on a waitlist during the call reports the intake outcome stored once every write
 * of the call is done (a concurrent delivery of the same message may have served it from the queue
 * meanwhile), so two deliveries of one message always report the same outcome.
 */
export async function processIntake(
  deps: IntakeDeps,
  requests: ReadonlyMap<string, IntakeRequest>,
): Promise<Map<string, IntakeSettlement>> {
  const now = deps.clock.now();
  const results = new Map<string, IntakeSettlement>();
  const readBack = new Set<string>();
  const record = (round: readonly Settled[]) => {
    for (const s of round) {
      results.set(s.id, s.settlement);
      if (s.readBack) readBack.add(s.id);
    }
  };

  // 1. Field validation: invalid records are recorded and acknowledged, never retried.
  const first = await validate(deps, requests, now);
  record(first.settled);

  // 2. Rounds: an award_id that appears twice in one batch is decided once, then its repeat is seen as existing.
  const schemes = new Map<string, Scheme | undefined>();
  const drained = new Set<string>(); // envelopes whose queue this call served for an award found waiting
  let candidates = first.again;
  for (let round = 0; candidates.length > 0; round++) {
    if (round > MAX_ROUNDS) {
      record(candidates.map((c) => ({ id: c.id, settlement: { ok: false, error: new TransientError(`award ${c.record.award_id} could not be settled`) } })));
      break;
    }
    const { stored, fresh, later } = await partition(deps.ledger, candidates);
    const existing = await classifyExisting(deps, stored, drained, now);
    const decided = await decideFresh(deps, fresh, schemes, now);
    record([...existing.settled, ...decided.settled]);
    candidates = [...later, ...existing.again, ...decided.again];
  }

  // 3. Outcomes of awards that waited are read from the store, once this call's writes are done.
  await readBackOutcomes(deps.ledger, requests, results, readBack);
  return results;
}

async function validate(deps: IntakeDeps, requests: ReadonlyMap<string, IntakeRequest>, now: string): Promise<RoundResult> {
  const settled: Settled[] = [];
  const again: Candidate[] = [];
  for (const [id, request] of requests) {
    const check = checkRecord(id, request);
    if (check.kind === 'candidate') { again.push(check.candidate); continue; }
    await deps.ledger.recordIntakeIssue({
      submission_id: request.submission_id, line: request.line, outcome: 'INVALID', errors: check.errors, at: now,
      ...(check.award_id ? { award_id: check.award_id } : {}),
    });
    settled.push({ id, settlement: { ok: true, result: check.result } });
  }
  return { settled, again };
}

/** Candidates by line: stored already, new (first of its award_id), or a repeat of an award_id for the next round. */
async function partition(ledger: Ledger, candidates: Candidate[]) {
  const existing = await ledger.getAwards(candidates.map((c) => c.record.award_id));
  const stored: { c: Candidate; award: Award }[] = [];
  const fresh: Candidate[] = [];
  const later: Candidate[] = [];
  const seen = new Set<string>();
  for (const c of [...candidates].sort((a, b) => a.request.line - b.request.line)) {
    const award = existing.get(c.record.award_id);
    if (award) stored.push({ c, award });
    else if (seen.has(c.record.award_id)) later.push(c);
    else { seen.add(c.record.award_id); fresh.push(c); }
  }
  return { stored, fresh, later };
}

/** Stored awards with the same id: the same delivery again, a duplicate, or a conflict. */
async function classifyExisting(
  deps: IntakeDeps, stored: readonly { c: Candidate; award: Award }[], drained: Set<string>, now: string,
): Promise<RoundResult> {
  const settled: Settled[] = [];
  for (const { c, award } of stored) {
    if (award.status === 'WAITLISTED' && !drained.has(envelopeLabel(award))) {
      // The delivery that queued it may have stopped before serving the queue (a crash, a lost reply, a
      // dead-lettered message submitted again): serve that queue now, once per envelope and call.
      drained.add(envelopeLabel(award));
      await drainWaitlist(deps.ledger, deps.clock, award);
    }
    const match = matchStored(c, award);
    if (match.kind === 'conflict') {
      await deps.ledger.recordIntakeIssue({
        submission_id: c.request.submission_id, line: c.request.line, award_id: c.record.award_id, outcome: 'CONFLICT', errors: [match.error], at: now,
      });
    }
    settled.push({ id: c.id, settlement: { ok: true, result: match.result }, readBack: match.kind === 'redelivery' && award.status === 'WAITLISTED' });
  }
  return { settled, again: [] };
}

/** The rules on new awards, then reservation per envelope. */
async function decideFresh(deps: IntakeDeps, fresh: readonly Candidate[], schemes: Map<string, Scheme | undefined>, now: string): Promise<RoundResult> {
  const settled: Settled[] = [];
  const again: Candidate[] = [];
  const groups = new Map<string, { key: EnvelopeKey; members: EligibleAward[] }>();
  // One envelope read per (measure, approved year) in a round, not one per award.
  const routes = new Map<string, Promise<EnvelopeKey>>();
  const route = (measure: number, approvedDate: string): Promise<EnvelopeKey> => {
    const id = `${measure}#${approvedDate.slice(0, 4)}`;
    if (!routes.has(id)) routes.set(id, chargeableEnvelope(deps.ledger, measure, approvedDate));
    return routes.get(id)!;
  };
  const eligible: { c: Candidate; trace: TraceStep[]; key: EnvelopeKey }[] = [];
  for (const c of fresh) {
    const verdict = applyRules(c, await lookupScheme(deps.ledger, schemes, c.record.scheme_id), now);
    if (verdict.kind === 'rejected') {
      const written = await deps.ledger.insertRejected(verdict.award);
      if (written.ok) {
        settled.push({ id: c.id, settlement: { ok: true, result: { award_id: verdict.award.award_id, line: c.request.line, outcome: 'REJECTED', reason: verdict.award.reason! } } });
      } else {
        again.push(c); // someone stored this award_id meanwhile: classify it next round
      }
      continue;
    }
    // A closed year charges the next (issue 15); the controls count the award where it is charged.
    eligible.push({ c, trace: verdict.trace, key: await route(c.record.measure, c.record.approved_date) });
  }

  // Issue 14: caps reject, holds hold; what is clear goes on to reservation with its gate.
  const screened = await screenControls(deps, eligible, schemes, now);
  for (const d of screened.decided) settled.push({ id: d.c.id, settlement: { ok: true, result: d.result } });
  again.push(...screened.again);
  for (const { c, trace, gate, key } of screened.clear) {
    const group = groups.get(envelopeLabel(key)) ?? { key, members: [] };
    group.members.push({ c, trace, gate });
    groups.set(envelopeLabel(key), group);
  }

  // Envelopes are independent, so their groups are written side by side, a few at a time.
  const limit = pLimit(deps.groupConcurrency ?? DEFAULT_GROUP_CONCURRENCY);
  const perGroup = await Promise.all([...groups.values()].map(({ key, members }) => limit(async (): Promise<RoundResult> => {
    try {
      return fromDecisions(members, await reserveEnvelope(deps, key, members, now));
    } catch (error) {
      return { settled: members.map((m) => ({ id: m.c.id, settlement: { ok: false, error: error as Error } })), again: [] };
    }
  })));
  for (const r of perGroup) { settled.push(...r.settled); again.push(...r.again); }
  return { settled, again };
}

function fromDecisions(members: readonly EligibleAward[], decisions: ReadonlyMap<string, ReservationDecision>): RoundResult {
  const settled: Settled[] = [];
  const again: Candidate[] = [];
  for (const { c } of members) {
    const d = decisions.get(c.id);
    const base = { award_id: c.record.award_id, line: c.request.line };
    if (!d || d.kind === 'exists') again.push(c);
    else if (d.kind === 'reserved') settled.push({ id: c.id, settlement: { ok: true, result: { ...base, outcome: 'RESERVED' } } });
    else if (d.kind === 'served-from-queue') settled.push({ id: c.id, settlement: { ok: true, result: { ...base, outcome: 'RESERVED' } }, readBack: true });
    else settled.push({ id: c.id, settlement: { ok: true, result: { ...base, outcome: 'WAITLISTED', reason: d.reason } }, readBack: true });
  }
  return { settled, again };
}

async function lookupScheme(ledger: Ledger, cache: Map<string, Scheme | undefined>, schemeId: string | undefined) {
  if (schemeId === undefined) return undefined;
  if (!cache.has(schemeId)) cache.set(schemeId, await ledger.getScheme(schemeId));
  return cache.get(schemeId);
}

/**
 * Finding 1b: the intake outcome of an award that waited is final only once every delivery that may
 * serve it "at intake" is done; this call's own writes are, so the stored intake_outcome is what it
 * reports. The reason this call decided is kept while the outcome agrees (a served award loses its
 * stored wait reason).
 */
async function readBackOutcomes(
  ledger: Ledger, requests: ReadonlyMap<string, IntakeRequest>, results: Map<string, IntakeSettlement>, ids: ReadonlySet<string>,
): Promise<void> {
  const wanted = [...ids].flatMap((id) => {
    const s = results.get(id);
    return s?.ok && s.result.award_id ? [{ id, result: s.result }] : [];
  });
  if (wanted.length === 0) return;
  const stored = await ledger.getAwards(wanted.map((w) => w.result.award_id!));
  for (const { id, result } of wanted) {
    const award = stored.get(result.award_id!);
    const request = requests.get(id)!;
    if (!award || award.submission_id !== request.submission_id || award.line !== request.line) continue;
    const outcome = award.intake_outcome;
    const reason = outcome === result.outcome ? result.reason : award.reason;
    const { reason: _old, ...rest } = result;
    results.set(id, { ok: true, result: { ...rest, outcome, ...(reason ? { reason } : {}) } });
  }
}
