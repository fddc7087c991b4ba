/**
 * What an approver approves: a digest over the run's canonical payment rows, per batch and for the
 * whole run. A row is what the bank acts on — award id, payee name, bank, full account, amount in
 * fen and purpose — so changing any payee detail of a run item after approval changes the digest,
 * and export refuses it (DIGEST_MISMATCH). Rows are hashed in batch order and, within a batch, in
 * sequence order, streaming (a run is never held in memory).
 *
 *   batch digest = SHA-256 over the JSON of each row, one per line, rows in seq order
 *   run digest   = SHA-256 over "<batch_id> <batch digest>" lines, batches in export order
 *
 * Digests are written `sha256:<64 hex>`.
 */
import { createHash, type Hash } from 'node:crypto';
import { paymentPurpose, type RunPayment } from './payment-file.ts';

export const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

export type PaymentRowFields = Pick<RunPayment, 'batch_id' | 'seq' | 'award_id' | 'payee_name' | 'payee_bank' | 'payee_account' | 'amount_fen' | 'measure'>;

/** The canonical row of a payment: its place and what the bank acts on. */
export function canonicalPaymentRow(p: PaymentRowFields): string {
  return JSON.stringify([p.batch_id, p.seq, p.award_id, p.payee_name, p.payee_bank, p.payee_account, p.amount_fen, paymentPurpose(p.measure)]);
}

export interface BatchDigest {
  batch_id: string;
  count: number;
  total_fen: number;
  digest: string;
}

/** Feeds rows batch by batch; `endBatch` gives the batch's digest, `finish` the run's. */
export class RunDigestBuilder {
  private readonly run = createHash('sha256');
  private batch: { id: string; hash: Hash; count: number; total: number } | undefined;
  readonly batches: BatchDigest[] = [];

  beginBatch(batchId: string): void {
    this.batch = { id: batchId, hash: createHash('sha256'), count: 0, total: 0 };
  }

  add(p: PaymentRowFields): void {
    const b = this.batch;
    if (!b || b.id !== p.batch_id) throw new Error(`payment ${p.award_id} of ${p.batch_id} outside its batch`);
    b.hash.update(`${canonicalPaymentRow(p)}\n`);
    b.count++;
    b.total += p.amount_fen;
  }

  endBatch(): BatchDigest {
    const b = this.batch;
    if (!b) throw new Error('no batch begun');
    const done = { batch_id: b.id, count: b.count, total_fen: b.total, digest: `sha256:${b.hash.digest('hex')}` };
    this.run.update(`${done.batch_id} ${done.digest}\n`);
    this.batches.push(done);
    this.batch = undefined;
    return done;
  }

  finish(): string {
    return `sha256:${this.run.digest('hex')}`;
  }
}

/** The run digest of batch digests already computed (in export order). */
export function runDigestOf(batches: readonly Pick<BatchDigest, 'batch_id' | 'digest'>[]): string {
  const h = createHash('sha256');
  for (const b of batches) h.update(`${b.batch_id} ${b.digest}\n`);
  return `sha256:${h.digest('hex')}`;
}
