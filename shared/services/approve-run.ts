import { NotFoundError } from '../domain/errors.ts';
import { checkActor, checkApproval, checkReissueApproval, pendingReissue } from '../domain/run-lifecycle.ts';
import { checkRunId } from '../domain/run-batching.ts';
import type { Run } from '../domain/run.ts';
import type { RunDeps } from './prepare-run.ts';
import { digestMismatch } from './run-digests.ts';

export interface ApproveResult {
  run: Run;
  /** False when the run was approved already (approving again changes nothing). */
  changed: boolean;
}

/**
 * `run approve`: the second pair of eyes, bound to content. The approver approves the run's digest
 * (computed at seal over its payment rows, run-digest.ts): given `digest`, it must be the run's
 * current one (else DIGEST_MISMATCH); without it (the CLI's default) the digest the store holds at
 * this moment is bound, and the conditional write refuses it if it changed meanwhile. Refused with
 * SAME_PERSON for whoever prepared or sealed the run. On an exported run with a re-issue waiting,
 * this approves the re-issue, refused for whoever asked for it. Approving again changes nothing.
 */
export async function approveRun(deps: Pick<RunDeps, 'runs' | 'clock'>, cmd: { run_id: string; by: string; digest?: string }): Promise<ApproveResult> {
  const runId = checkRunId(cmd.run_id);
  const by = checkActor(cmd.by);
  const run = await deps.runs.getRun(runId);
  if (!run) throw new NotFoundError('run', runId);

  const reissue = pendingReissue(run);
  if (reissue && (run.status === 'EXPORTED')) {
    checkReissueApproval(run, reissue, by);
    if (cmd.digest !== undefined && cmd.digest !== reissue.digest) throw digestMismatch(runId, `re-issue ${reissue.number}'s payments`, cmd.digest, reissue.digest);
    const changed = await deps.runs.approveReissue(runId, reissue.number, reissue.digest, by, deps.clock.now());
    const updated = await deps.runs.getRun(runId);
    if (!updated) throw new NotFoundError('run', runId);
    if (!changed && updated.reissue?.digest !== reissue.digest) throw digestMismatch(runId, `re-issue ${reissue.number}'s payments`, reissue.digest, updated.reissue?.digest ?? 'none');
    return { run: updated, changed };
  }

  if (!checkApproval(run, by)) return { run, changed: false };
  const digest = cmd.digest ?? run.digest;
  if (cmd.digest !== undefined && cmd.digest !== run.digest) throw digestMismatch(runId, 'its payments', cmd.digest, run.digest ?? 'none');
  const changed = await deps.runs.approveRun(runId, by, deps.clock.now(), digest);
  const updated = await deps.runs.getRun(runId);
  if (!updated) throw new NotFoundError('run', runId);
  if (!changed) {
    // Lost a race with another approval (report the run as it now stands), or the digest moved.
    if (updated.status === 'PREPARED' && updated.digest !== digest) throw digestMismatch(runId, 'its payments', digest, updated.digest ?? 'none');
    checkApproval(updated, by);
  }
  return { run: updated, changed };
}
