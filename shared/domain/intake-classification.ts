/**
 * Intake's classification, pure: what a delivered record is before anything about money is
 * decided. A record is invalid (field errors), or a candidate; a candidate whose award_id is stored
 * already is a redelivery of the same message, a duplicate (same content, other line) or a conflict
 * (other content); a new candidate is rejected by the rules or eligible for reservation.
 */
import type { Award, AwardRecord, FieldError, IntakeOutcome } from './award.ts';
import { ID_PATTERN, validateAwardRecord } from './award-record.ts';
import { awardContentHash } from './content-hash.ts';
import { fiscalYearOf } from './dates.ts';
import type { IntakeRequest } from './queue-messages.ts';
import { evaluateEligibility, type TraceStep } from './rules.ts';
import type { Scheme } from './scheme.ts';

/** What one delivery reports for its message. */
export interface IntakeResult {
  award_id?: string;
  line: number;
  outcome: IntakeOutcome;
  reason?: string;
  errors?: FieldError[];
}

/** A valid record, with the content hash that tells a redelivery or duplicate from a conflict. */
export interface Candidate {
  /** The message id. */
  id: string;
  request: IntakeRequest;
  record: AwardRecord;
  hash: string;
}

export type RecordCheck =
  | { kind: 'candidate'; candidate: Candidate }
  | { kind: 'invalid'; result: IntakeResult; award_id?: string; errors: FieldError[] };

export function checkRecord(id: string, request: IntakeRequest): RecordCheck {
  const checked = validateAwardRecord(request.record);
  if (checked.ok) return { kind: 'candidate', candidate: { id, request, record: checked.record, hash: awardContentHash(checked.record) } };
  // Named only when it is a well-formed id: anything else may be a long hostile value, never echoed.
  const rawId = request.record.award_id?.trim();
  const awardId = rawId && ID_PATTERN.test(rawId) ? rawId : undefined;
  return {
    kind: 'invalid',
    ...(awardId ? { award_id: awardId } : {}),
    errors: checked.errors,
    result: { ...(awardId ? { award_id: awardId } : {}), line: request.line, outcome: 'INVALID', reason: 'INVALID_RECORD', errors: checked.errors },
  };
}

export type StoredMatch =
  /** The same message again: report what its first delivery did (read from the stored award). */
  | { kind: 'redelivery'; result: IntakeResult }
  | { kind: 'duplicate'; result: IntakeResult }
  /** Other content under a stored award_id: the stored award is unchanged, an intake issue is recorded. */
  | { kind: 'conflict'; result: IntakeResult; error: FieldError };

export function matchStored(c: Candidate, stored: Award): StoredMatch {
  const base = { award_id: c.record.award_id, line: c.request.line };
  if (stored.submission_id === c.request.submission_id && stored.line === c.request.line && stored.content_hash === c.hash) {
    return { kind: 'redelivery', result: { ...base, outcome: stored.intake_outcome, ...(stored.reason ? { reason: stored.reason } : {}) } };
  }
  if (stored.content_hash === c.hash) {
    return { kind: 'duplicate', result: { ...base, outcome: 'DUPLICATE', reason: `award ${stored.award_id} already submitted (line ${stored.line})` } };
  }
  const error = { field: 'award_id', message: `award ${stored.award_id} already exists with different content; the stored award is unchanged` };
  return { kind: 'conflict', error, result: { ...base, outcome: 'CONFLICT', reason: 'CONFLICT', errors: [error] } };
}

export type RuleVerdict =
  | { kind: 'rejected'; award: Award }
  | { kind: 'eligible'; trace: TraceStep[] };

/** The policy's rules on a new candidate: a REJECTED award to store, or eligible with its trace. */
export function applyRules(c: Candidate, scheme: Scheme | undefined, now: string): RuleVerdict {
  const verdict = evaluateEligibility(c.record, scheme);
  if (!verdict.eligible) return { kind: 'rejected', award: buildAward(c, 'REJECTED', verdict.reason, verdict.trace, now) };
  return { kind: 'eligible', trace: verdict.trace };
}

/** The award as stored at intake. */
export function buildAward(
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
