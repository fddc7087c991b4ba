import { BursarError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { checkRunId } from '../domain/run-batching.ts';
import { checkActor, checkReissuable } from '../domain/run-lifecycle.ts';
import type { Reissue, Run, RunBatch } from '../domain/run.ts';
import type { RunStore } from '../ports/run-store.ts';
import type { Clock } from './clock.ts';
import { digestPayments, runPaymentsByBatch } from './run-digests.ts';

const MAX_REASON = 500;

/**
 * `run reissue`: ask for a new payment file of an exported run (the bank lost or rejected the
 * first). The re-issue holds only the payments without a result yet — PAID and FAILED ones are
 * left out, so nothing already settled can be paid again — with its own digest, and must be
 * approved by a reviewer other than whoever asked (`run approve`) before it can be exported, once.
 * A run with nothing left unsettled cannot be re-issued (NOTHING_TO_REISSUE). Asking again before
 * the re-issue is exported replaces it (it needs approving again).
 */
export async function reissueRun(deps: { runs: RunStore; clock: Clock }, cmd: { run_id: string; reason: string; by: string }): Promise<Run> {
  const runId = checkRunId(cmd.run_id);
  const by = checkActor(cmd.by);
  const reason = (cmd.reason ?? '').normalize('NFKC').trim();
  // eslint-disable-next-line no-control-regex
  if (reason === '' || reason.length > MAX_REASON || /[\u0000-\u001f\u007f]/.test(reason)) {
    throw new ValidationError('BAD_REASON', `a re-issue needs a reason (--reason TEXT), at most ${MAX_REASON} characters without control characters`, { field: 'reason' });
  }
  const run = await deps.runs.getRun(runId);
  if (!run) throw new NotFoundError('run', runId);
  checkReissuable(run);

  const { batches, digest } = await digestPayments(runPaymentsByBatch(deps.runs, runId, run.batches, { unsettledOnly: true }));
  if (batches.length === 0) {
    throw new BursarError('NOTHING_TO_REISSUE', `${runId}: every payment has a result, nothing is left to pay`, { run_id: runId });
  }
  const byId = new Map(run.batches.map((b) => [b.batch_id, b]));
  const reissueBatches: RunBatch[] = batches.map((d) => {
    const b = byId.get(d.batch_id)!;
    return { batch_id: b.batch_id, measure: b.measure, unit: b.unit, count: d.count, total_fen: d.total_fen, digest: d.digest };
  });
  const reissue: Reissue = {
    number: (run.reissue?.number ?? 0) + 1,
    reason, requested_by: by, requested_at: deps.clock.now(),
    award_count: reissueBatches.reduce((n, b) => n + b.count, 0),
    total_fen: reissueBatches.reduce((n, b) => n + b.total_fen, 0),
    batches: reissueBatches, digest,
  };
  if (!await deps.runs.requestReissue(runId, reissue)) {
    throw new BursarError('RUN_CHANGED', `${runId} changed while the re-issue was being prepared (another re-issue, an export or a settlement); try again`, { run_id: runId });
  }
  const updated = await deps.runs.getRun(runId);
  if (!updated) throw new NotFoundError('run', runId);
  return updated;
}
