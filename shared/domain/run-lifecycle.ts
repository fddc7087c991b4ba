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
import type { RunStatus } from './run.ts';

export interface RunState {
  run_id: string;
  status: RunStatus;
  prepared_by: string;
  approved_by?: string;
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
  if (run.status === 'PREPARING') {
    throw new BursarError('RUN_INCOMPLETE', `${run.run_id} is still being prepared; prepare its period again to finish it`, { run_id: run.run_id });
  }
  return run.status === 'PREPARED';
}

export function checkExportable(run: RunState): void {
  if (run.status === 'PREPARING' || run.status === 'PREPARED') {
    throw new BursarError('NOT_APPROVED', `${run.run_id} is ${run.status}; only an approved run can be exported`, {
      run_id: run.run_id, status: run.status,
    });
  }
}

export function checkSettleable(run: RunState): void {
  if (run.status !== 'EXPORTED' && run.status !== 'SETTLED') {
    throw new BursarError('NOT_EXPORTED', `${run.run_id} is ${run.status}; bank results can only be imported for an exported run`, {
      run_id: run.run_id, status: run.status,
    });
  }
}
