import pLimit from 'p-limit';
import type { Award, AwardRecord, FieldError, IntakeOutcome, WaitReason } from '../domain/award.ts';
import { ID_PATTERN, validateAwardRecord } from '../domain/award-record.ts';
import { awardContentHash } from '../domain/content-hash.ts';
import { fiscalYearOf } from '../domain/dates.ts';
import { envelopeLabel, type EnvelopeKey } from '../domain/envelope.ts';
import { TransientError } from '../domain/errors.ts';
import { chunk, planReservation } from '../domain/reservation-plan.ts';
import { evaluateEligibility, type TraceStep } from '../domain/rules.ts';
import type { Scheme } from '../domain/scheme.ts';
import type { IntakeRequest } from '../domain/queue-messages.ts';
import type { Ledger, WriteResult } from '../ports/ledger.ts';
import type { EnvelopeEvents } from '../ports/envelope-events.ts';
import { backoff } from '../retry/backoff.ts';
import type { Clock } from './clock.ts';
import { drainWaitlist } from './drain-waitlist.ts';


export interface IntakeResult {
  award_id?: string;
  line: number;
  outcome: IntakeOutcome;
  reason?: string;
  errors?: FieldError[];
}

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

const MAX_PLAN_ATTEMPTS = 30;
export const DEFAULT_GROUP_CONCURRENCY = 4;

interface Candidate {
  id: string;
  request: IntakeRequest;
  record: AwardRecord;
  hash: string;
}

/**
 * Process a batch of intake requests (keyed by message id). Invalid records and rule rejections are
 * permanent outcomes; only store contention or outages come back as failures for the queue to retry.
 * Eligible awards are reserved per envelope in groups, one transaction per group, in queue order.
 */
export async function processIntake(
  deps: IntakeDeps,
  requests: ReadonlyMap<string, IntakeRequest>,
): Promise<Map<string, IntakeSettlement>> {
  const settled = new Map<string, IntakeSettlement>();
  const settle = (id: string, result: IntakeResult) => settled.set(id, { ok: true, result });
  const now = deps.clock.now();

  // 1. Field validation: invalid records are recorded and acknowledged, never retried.
  let candidates: Candidate[] = [];
  for (const [id, request] of requests) {
    const checked = validateAwardRecord(request.record);
    if (checked.ok) {
      candidates.push({ id, request, record: checked.record, hash: awardContentHash(checked.record) });
      continue;
    }
    // Named only when it is a well-formed id: anything else may be a long hostile value, never echoed.
    const rawId = request.record.award_id?.trim();
    const awardId = rawId && ID_PATTERN.test(rawId) ? rawId : undefined;
    await deps.ledger.recordIntakeIssue({
      submission_id: request.submission_id, line: request.line, outcome: 'INVALID', errors: checked.errors, at: now,
      ...(awardId ? { award_id: awardId } : {}),
    });
    settle(id, { ...(awardId ? { award_id: awardId } : {}), line: request.line, outcome: 'INVALID', reason: 'INVALID_RECORD', errors: checked.errors });
  }

  // 2. Rounds: an award_id that appears twice in one batch is decided once, then its repeat is seen as existing.
  const schemes = new Map<string, Scheme | undefined>();
  const served = new Set<string>(); // envelopes whose queue this call served for an award found waiting
  for (let round = 0; candidates.length > 0; round++) {
    if (round > MAX_PLAN_ATTEMPTS) {
      for (const c of candidates) settled.set(c.id, { ok: false, error: new TransientError(`award ${c.record.award_id} could not be settled`) });
      break;
    }
    const existing = await deps.ledger.getAwards(candidates.map((c) => c.record.award_id));
    const fresh: Candidate[] = [];
    const seen = new Set<string>();
    const later: Candidate[] = [];
    for (const c of candidates.sort((a, b) => a.request.line - b.request.line)) {
      const stored = existing.get(c.record.award_id);
      if (stored) {
        settle(c.id, await classifyExisting(deps, c, stored, now, served));
      } else if (seen.has(c.record.award_id)) {
        later.push(c);
      } else {
        seen.add(c.record.award_id);
        fresh.push(c);
      }
    }
    const retry = await decideFresh(deps, fresh, schemes, now, settle, settled);
    candidates = [...later, ...retry];
  }
  return settled;
}

/** A stored award with the same id: the same delivery again, a duplicate, or a conflict. */
async function classifyExisting(deps: IntakeDeps, c: Candidate, stored: Award, now: string, served: Set<string>): Promise<IntakeResult> {
  const base = { award_id: c.record.award_id, line: c.request.line };
  if (stored.status === 'WAITLISTED' && !served.has(envelopeLabel(stored))) {
    // The delivery that queued it may have stopped before serving the queue (a crash, a lost reply, a
    // dead-lettered message submitted again): serve that queue now, once per envelope and call.
    served.add(envelopeLabel(stored));
    await drainWaitlist(deps.ledger, deps.clock, stored);
  }
  if (stored.submission_id === c.request.submission_id && stored.line === c.request.line && stored.content_hash === c.hash) {
    // A redelivery of a message we already applied: report what it did then.
    return { ...base, outcome: stored.intake_outcome, ...(stored.reason ? { reason: stored.reason } : {}) };
  }
  if (stored.content_hash === c.hash) return { ...base, outcome: 'DUPLICATE', reason: `award ${stored.award_id} already submitted (line ${stored.line})` };
  const error = { field: 'award_id', message: `award ${stored.award_id} already exists with different content; the stored award is unchanged` };
  await deps.ledger.recordIntakeIssue({
    submission_id: c.request.submission_id, line: c.request.line, award_id: c.record.award_id, outcome: 'CONFLICT', errors: [error], at: now,
  });
  return { ...base, outcome: 'CONFLICT', reason: 'CONFLICT', errors: [error] };
}

/** Apply the rules to new awards and write them. Returns candidates to look at again next round. */
async function decideFresh(
  deps: IntakeDeps,
  fresh: Candidate[],
  schemes: Map<string, Scheme | undefined>,
  now: string,
  settle: (id: string, r: IntakeResult) => void,
  settled: Map<string, IntakeSettlement>,
): Promise<Candidate[]> {
  const retry: Candidate[] = [];
  type Member = { c: Candidate; trace: TraceStep[] };
  const groups = new Map<string, { key: EnvelopeKey; members: Member[] }>();

  for (const c of fresh) {
    const scheme = await lookupScheme(deps.ledger, schemes, c.record.scheme_id);
    const verdict = evaluateEligibility(c.record, scheme);
    if (!verdict.eligible) {
      const award = buildAward(c, 'REJECTED', verdict.reason, verdict.trace, now);
      const written = await deps.ledger.insertRejected(award);
      if (written.ok) settle(c.id, { award_id: award.award_id, line: c.request.line, outcome: 'REJECTED', reason: verdict.reason });
      else retry.push(c); // someone stored this award_id meanwhile: classify it next round
      continue;
    }
    const key = { measure: c.record.measure, fiscal_year: fiscalYearOf(c.record.approved_date) };
    const label = envelopeLabel(key);
    const group = groups.get(label) ?? { key, members: [] as Member[] };
    group.members.push({ c, trace: verdict.trace });
    groups.set(label, group);
  }

  // Envelopes are independent, so their groups are written side by side, a few at a time.
  const limit = pLimit(deps.groupConcurrency ?? DEFAULT_GROUP_CONCURRENCY);
  await Promise.all([...groups.values()].map(({ key, members }) => limit(async () => {
    try {
      const outcome = await reserveGroup(deps, key, members, now);
      for (const m of members) {
        const decided = outcome.decided.get(m.c.id);
        if (decided) settle(m.c.id, { award_id: m.c.record.award_id, line: m.c.request.line, ...decided });
        else retry.push(m.c);
      }
    } catch (error) {
      for (const m of members) settled.set(m.c.id, { ok: false, error: error as Error });
    }
  })));
  return retry;
}

async function lookupScheme(ledger: Ledger, cache: Map<string, Scheme | undefined>, schemeId: string | undefined) {
  if (schemeId === undefined) return undefined;
  if (!cache.has(schemeId)) cache.set(schemeId, await ledger.getScheme(schemeId));
  return cache.get(schemeId);
}

type Decision = { outcome: 'RESERVED' | 'WAITLISTED'; reason?: string };

/**
 * Reserve what fits and queue the rest for one envelope, re-planning from a fresh read whenever the
 * store refuses a write because the envelope moved. Awards found to exist already are left undecided
 * so the caller classifies them as duplicates, conflicts or redeliveries.
 */
async function reserveGroup(
  deps: IntakeDeps,
  key: EnvelopeKey,
  members: { c: Candidate; trace: TraceStep[] }[],
  now: string,
): Promise<{ decided: Map<string, Decision> }> {
  const decided = new Map<string, Decision>();
  const byAwardId = new Map(members.map((m) => [m.c.record.award_id, m]));
  let pending = members.map((m) => ({ id: m.c.id, award_id: m.c.record.award_id, approved_date: m.c.record.approved_date, amount_fen: m.c.record.amount_fen }));
  const removeExisting = (result: WriteResult) => {
    if (result.ok) return;
    const gone = new Set(result.existingAwards);
    pending = pending.filter((p) => !gone.has(p.award_id));
  };
  const toAward = (awardId: string, status: 'RESERVED' | 'WAITLISTED', reason?: WaitReason) => {
    const m = byAwardId.get(awardId)!;
    return buildAward(m.c, status, reason, m.trace, now);
  };
  let waitlisted = false;
  const waitReasons = new Map<WaitReason, number>();

  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt >= MAX_PLAN_ATTEMPTS) throw new TransientError(`${envelopeLabel(key)}: too much contention, will retry`);
    if (attempt > 0) await backoff(attempt);
    const plan = planReservation(await deps.ledger.getEnvelope(key), pending);
    let replan = false;

    for (const group of chunk(plan.reserve, deps.ledger.maxTransactionItems - 1)) {
      const result = await deps.ledger.reserveNew(key, group.map((p) => toAward(p.award_id, 'RESERVED')));
      if (result.ok) {
        for (const p of group) decided.set(p.id, { outcome: 'RESERVED' });
        pending = pending.filter((p) => !group.includes(p));
      } else {
        removeExisting(result);
        replan = true;
        break;
      }
    }
    if (replan) continue;

    // Each waiting award costs two items (award, queue entry) plus one for the envelope.
    for (const group of chunk(plan.waitlist, Math.floor((deps.ledger.maxTransactionItems - 1) / 2))) {
      const result = await deps.ledger.waitlistNew(key, group.map((w) => toAward(w.award.award_id, 'WAITLISTED', w.reason)));
      if (result.ok) {
        for (const w of group) {
          decided.set(w.award.id, { outcome: 'WAITLISTED', reason: w.reason });
          waitReasons.set(w.reason, (waitReasons.get(w.reason) ?? 0) + 1);
        }
        const ids = new Set(group.map((w) => w.award.id));
        pending = pending.filter((p) => !ids.has(p.id));
        waitlisted = true;
      } else {
        removeExisting(result);
        replan = true;
        break;
      }
    }
  }

  if (waitlisted) {
    // Joining the queue can make an affordable award its head (or money appeared meanwhile): serve it now.
    // Awards this call queued and now serves were, for their sender, reserved at intake.
    const queuedHere = new Set(members.filter((m) => decided.get(m.c.id)?.outcome === 'WAITLISTED').map((m) => m.c.record.award_id));
    const drained = new Set(await drainWaitlist(deps.ledger, deps.clock, key, queuedHere));
    for (const m of members) {
      if (drained.has(m.c.record.award_id) && decided.get(m.c.id)?.outcome === 'WAITLISTED') decided.set(m.c.id, { outcome: 'RESERVED' });
    }
  }
  if (deps.events && decided.size > 0) {
    // One call per reason that made awards wait (at most two), or one plain call when all were reserved.
    const changes = waitReasons.size === 0 ? [{}] : [...waitReasons].map(([reason, count]) => ({ waitlisted: { reason, count } }));
    for (const change of changes) await deps.events.envelopeChanged(key, change);
  }
  return { decided };
}

function buildAward(
  c: Candidate,
  status: 'RESERVED' | 'WAITLISTED' | 'REJECTED',
  reason: string | undefined,
  trace: TraceStep[],
  now: string,
): Award {
  return {
    ...c.record,
    fiscal_year: fiscalYearOf(c.record.approved_date),
    status,
    ...(reason ? { reason } : {}),
    trace,
    content_hash: c.hash,
    submission_id: c.request.submission_id,
    line: c.request.line,
    intake_outcome: status,
    created_at: now,
    updated_at: now,
    history: [{ at: now, status, ...(reason ? { note: reason } : {}) }],
  };
}
