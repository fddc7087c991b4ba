/**
 * Disbursement runs: a run gathers RESERVED awards of a period into batches of payments, is approved
 * by a second person, exported to the bank and settled from the bank's results (run-lifecycle.ts
 * says who may move it when). These are the types every layer shares.
 */
/**
 * PREPARING: awards are being moved into the run and its control totals are not fixed yet (a prepare
 * that stopped half-way leaves it so; preparing the period again finishes it).
 */
/** An export claim older than this belongs to an export that died: another may take over, settlement goes on. */
export const EXPORT_CLAIM_LEASE_MS = 15 * 60_000;

export type RunStatus = 'PREPARING' | 'PREPARED' | 'APPROVED' | 'EXPORTED' | 'SETTLED';

export interface RunBatch {
  batch_id: string;
  measure: number;
  unit: string;
  /** Control totals, fixed when the run was prepared. */
  count: number;
  total_fen: number;
  /** Digest of the batch's canonical payment rows, fixed when the run was sealed (run-digest.ts). */
  digest?: string;
}

export interface Run {
  run_id: string;
  period: string;
  status: RunStatus;
  prepared_by: string;
  prepared_at: string;
  /** Who sealed the run when a second person finished an interrupted prepare (neither may approve). */
  sealed_by?: string;
  approved_by?: string;
  approved_at?: string;
  /** The run digest fixed at seal (run-digest.ts), and the one the approver approved. */
  digest?: string;
  approved_digest?: string;
  award_count: number;
  total_fen: number;
  batches: RunBatch[];
  /** The cut-off: awards approved on or before this date (the period's last day, Asia/Shanghai). */
  through_date?: string;
  /** Most payments one batch may hold, fixed when the run was created. */
  batch_size?: number;
  exported_at?: string;
  /** The latest re-issue of the run's payment file, if any (see Reissue). */
  reissue?: Reissue;
  settled_at?: string;
  /** Settlement so far (bank results imported); the rest of the run's payments are still BATCHED. */
  paid_count?: number;
  paid_fen?: number;
  failed_count?: number;
  failed_fen?: number;
}

/** One payment of a run: an award in a batch, with its sequence number in that batch. */
export interface RunItem {
  run_id: string;
  batch_id: string;
  seq: number;
  award_id: string;
  amount_fen: number;
  measure?: number;
  fiscal_year?: number;
  unit?: string;
  /** Set by settlement. A FAILED item's award is RETURNED until a reviewer releases it (or it is cancelled). */
  outcome?: RunItemOutcome;
  reference?: string;
  reason?: string;
  settled_at?: string;
  /** Who imported the result (four eyes: may not release a FAILED payment's award). */
  settled_by?: string;
  /** A FAILED payment whose RETURNED award a reviewer released for the next run. */
  released_by?: string;
  released_at?: string;
}

/** How a payment of a run ended, once the bank's results are imported. */
export type RunItemOutcome = 'PAID' | 'FAILED';

/**
 * A re-issue of an exported run's payment file: only the payments not settled when it was asked
 * for, with their own digest, approved by a second person before it can be exported once.
 */
export interface Reissue {
  /** 1 for the first re-issue of the run, 2 for the next… (files are named RUN-…-R<n>-…). */
  number: number;
  reason: string;
  requested_by: string;
  requested_at: string;
  award_count: number;
  total_fen: number;
  batches: RunBatch[];
  digest: string;
  approved_by?: string;
  approved_at?: string;
  exported_at?: string;
}
