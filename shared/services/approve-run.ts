import { NotFoundError } from '../domain/errors.ts';
import { checkActor, checkApproval } from '../domain/run-lifecycle.ts';
import { checkRunId } from '../domain/run-batching.ts';
import type { Run } from '../domain/run.ts';
import type { RunDeps } from './prepare-run.ts';

export interface ApproveResult {
  run: Run;
  /** False when the run was approved already (approving again changes nothing). */
  changed: boolean;
}

/**
 * `run approve`: the second pair of eyes. Refused with SAME_PERSON when the approver prepared the
 * run (see run-lifecycle.ts for how names are compared); approving an approved run changes nothing.
 */
export async function approveRun(deps: Pick<RunDeps, 'runs' | 'clock'>, cmd: { run_id: string; by: string }): Promise<ApproveResult> {
  const runId = checkRunId(cmd.run_id);
  const by = checkActor(cmd.by);
  const run = await deps.runs.getRun(runId);
  if (!run) throw new NotFoundError('run', runId);
  if (!checkApproval(run, by)) return { run, changed: false };
  const changed = await deps.runs.approveRun(runId, by, deps.clock.now());
  const updated = await deps.runs.getRun(runId);
  if (!updated) throw new NotFoundError('run', runId);
  // Lost a race with another approval: report the run as it now stands.
  if (!changed) checkApproval(updated, by);
  return { run: updated, changed };
}
