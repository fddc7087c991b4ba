/**
 * What may happen to a run, and who may do it.
 *
 *   PREPARING → PREPARED → APPROVED → EXPORTED → SETTLED
 *
 * Four eyes (maker-checker): the person who prepared a run may not approve it. Names are compared
 * after Unicode NFKC normalisation, trimming, collapsing inner whitespace and ignoring case, so
 * 'Wang Fang', ' wang  fang ' and 'ＷＡＮＧ FANG' are one person. In AWS the actor is the caller's
 * IAM principal ARN, compared the same way.
 */
import { BursarError, ValidationError } from './errors.ts';
import type { Reissue, RunStatus } from './run.ts';

export interface RunState {
  run_id: string;
  status: RunStatus;
  prepared_by: string;
  sealed_by?: string;
  approved_by?: string;
  reissue?: Reissue;
}

export function normaliseActor(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

export function samePerson(a: string, b: string): boolean {
  return normaliseActor(a) === normaliseActor(b);
}

/** Who acts, as recorded: trimmed, required, kept short and free of control characters. */
export function checkActor(by: string | undefined, option = '--by NAME'): string {
  const name = (by ?? '').normalize('NFKC').trim();
  if (name === '') throw new ValidationError('MISSING_ACTOR', `who acts is required (${option})`, { field: 'by' });
  // eslint-disable-next-line no-control-regex
  if (name.length > 200 || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new ValidationError('BAD_ACTOR', 'the name of who acts must be at most 200 characters without control characters', { field: 'by' });
  }
  return name;
}

/** Throws unless `by` may approve the run now. Returns false when it is approved already (nothing to do). */
export function checkApproval(run: RunState, by: string): boolean {
  if (samePerson(run.prepared_by, by)) {
    throw new BursarError('SAME_PERSON', `${run.run_id} was prepared by ${run.prepared_by}; a second person must approve it`, {
      run_id: run.run_id, prepared_by: run.prepared_by,
    });
  }
  if (run.sealed_by !== undefined && samePerson(run.sealed_by, by)) {
    throw new BursarError('SAME_PERSON', `${run.run_id} was sealed by ${run.sealed_by}; a person who took part in preparing it may not approve it`, {
      run_id: run.run_id, sealed_by: run.sealed_by,
    });
  }
  if (run.status === 'PREPARING') {
    throw new BursarError('RUN_INCOMPLETE', `${run.run_id} is still being prepared; prepare its period again to finish it`, { run_id: run.run_id });
  }
  return run.status === 'PREPARED';
}

/** A re-issue waiting for its approval, if any. */
export function pendingReissue(run: RunState): Reissue | undefined {
  return run.reissue && run.reissue.approved_by === undefined ? run.reissue : undefined;
}

/** Throws unless `by` may approve the run's pending re-issue: anyone but the re-issuer. */
export function checkReissueApproval(run: RunState, reissue: Reissue, by: string): void {
  if (samePerson(reissue.requested_by, by)) {
    throw new BursarError('SAME_PERSON', `re-issue ${reissue.number} of ${run.run_id} was asked for by ${reissue.requested_by}; a second person must approve it`, {
      run_id: run.run_id, requested_by: reissue.requested_by,
    });
  }
}

/**
 * What an export of the run would be: its first export (APPROVED), or an approved re-issue not yet
 * exported. Anything else is refused before a byte is written: a run is exported once
 * (ALREADY_EXPORTED); a second file needs `run reissue` and a new approval.
 */
export function checkExportable(run: RunState): { kind: 'first' } | { kind: 'reissue'; reissue: Reissue } {
  if (run.status === 'PREPARING' || run.status === 'PREPARED') {
    throw new BursarError('NOT_APPROVED', `${run.run_id} is ${run.status}; only an approved run can be exported`, {
      run_id: run.run_id, status: run.status,
    });
  }
  if (run.status === 'APPROVED') return { kind: 'first' };
  const reissue = run.reissue;
  if (reissue && reissue.approved_by === undefined) {
    throw new BursarError('NOT_APPROVED', `re-issue ${reissue.number} of ${run.run_id} waits for a reviewer's approval`, { run_id: run.run_id, reissue: reissue.number });
  }
  if (reissue && reissue.exported_at === undefined) return { kind: 'reissue', reissue };
  throw new BursarError('ALREADY_EXPORTED', `${run.run_id} was exported already${reissue ? ` (and re-issue ${reissue.number} too)` : ''}; a new file needs \`run reissue\` and a second approval`, {
    run_id: run.run_id, status: run.status,
  });
}

/**
 * Throws unless the run's payment file may be re-issued now. A re-issue not yet exported may be
 * replaced by a new one (e.g. when a settlement since made its digest stale).
 */
export function checkReissuable(run: RunState): void {
  if (run.status !== 'EXPORTED' && run.status !== 'SETTLED') {
    throw new BursarError('NOT_EXPORTED', `${run.run_id} is ${run.status}; only an exported run's file can be re-issued`, { run_id: run.run_id, status: run.status });
  }
  if (run.status === 'SETTLED') {
    throw new BursarError('NOTHING_TO_REISSUE', `${run.run_id} is settled: every payment has a result, nothing is left to pay`, { run_id: run.run_id });
  }
}

export function checkSettleable(run: RunState): void {
  if (run.status !== 'EXPORTED' && run.status !== 'SETTLED') {
    throw new BursarError('NOT_EXPORTED', `${run.run_id} is ${run.status}; bank results can only be imported for an exported run`, {
      run_id: run.run_id, status: run.status,
    });
  }
}
