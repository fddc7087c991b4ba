import { BursarError, TransientError } from '../domain/errors.ts';
import { formatYuan } from '../domain/money.ts';
import type { RunPayment } from '../domain/payment-file.ts';
import { compareBatches } from '../domain/run-batching.ts';
import { RunDigestBuilder, type BatchDigest } from '../domain/run-digest.ts';
import type { RunBatch } from '../domain/run.ts';
import type { RunStore } from '../ports/run-store.ts';

/**
 * A run's payments batch by batch, in export order, each batch whole (a batch holds at most the
 * batch size, so one batch at a time is bounded memory). The listing is an index read; each batch
 * is checked against the control totals read strongly, so a lagging index is a transient failure,
 * never a silently short file. With `unsettledOnly`, every payment's settlement is re-read
 * strongly and settled ones (PAID or FAILED) are left out: what a re-issue may pay.
 */
export async function* runPaymentsByBatch(
  runs: Pick<RunStore, 'listBatchPayments' | 'getRunItemsByAward'>, runId: string, batches: readonly RunBatch[], options: { unsettledOnly?: boolean } = {},
): AsyncIterable<{ batch: RunBatch; payments: RunPayment[] }> {
  for (const batch of [...batches].sort(compareBatches)) {
    const payments: RunPayment[] = [];
    for await (const p of runs.listBatchPayments(runId, batch.batch_id)) payments.push(p);
    checkBatchTotals(runId, batch, payments);
    if (!options.unsettledOnly) { yield { batch, payments }; continue; }
    const settled = await runs.getRunItemsByAward(runId, payments.map((p) => p.award_id));
    yield { batch, payments: payments.filter((p) => settled.get(p.award_id)?.outcome === undefined) };
  }
}

/** Digests of the given payments, batch by batch (batches left empty are left out). */
export async function digestPayments(source: AsyncIterable<{ batch: RunBatch; payments: RunPayment[] }>): Promise<{ batches: BatchDigest[]; digest: string }> {
  const builder = new RunDigestBuilder();
  for await (const { batch, payments } of source) {
    if (payments.length === 0) continue;
    builder.beginBatch(batch.batch_id);
    for (const p of payments) builder.add(p);
    builder.endBatch();
  }
  return { batches: builder.batches, digest: builder.finish() };
}

function checkBatchTotals(runId: string, batch: RunBatch, payments: readonly RunPayment[]): void {
  const count = payments.length;
  const total = payments.reduce((s, p) => s + p.amount_fen, 0);
  if (count === batch.count && total === batch.total_fen) return;
  // The batch listing is an index read: right after prepare it may still be catching up.
  if (count < batch.count) throw new TransientError(`${batch.batch_id}: ${count} of ${batch.count} payments visible yet; try again shortly`);
  throw new BursarError('CONTROL_TOTALS_MISMATCH', `${batch.batch_id} holds ${count} payments of ${formatYuan(total)} yuan, its control totals say ${batch.count} of ${formatYuan(batch.total_fen)}`, {
    run_id: runId, batch_id: batch.batch_id, expected_count: batch.count, count, expected_fen: batch.total_fen, total_fen: total,
  });
}

/** DIGEST_MISMATCH: what the store holds now is not what was approved. */
export function digestMismatch(runId: string, what: string, approved: string | undefined, now: string, context: Record<string, unknown> = {}): BursarError {
  return new BursarError('DIGEST_MISMATCH', `${runId}: ${what} differ from what was approved (approved ${approved ?? 'nothing'}, now ${now}); nothing was written`, {
    run_id: runId, approved_digest: approved ?? null, digest: now, ...context,
  });
}
