/**
 * Disbursement runs: a run gathers RESERVED awards of a period into batches of payments, is approved
 * by a second person, exported to the bank and settled from the bank's results (run-lifecycle.ts
 * says who may move it when). These are the types every layer shares.
 */
/**
 * PREPARING: awards are being moved into the run and its control totals are not fixed yet (a prepare
 * that stopped half-way leaves it so; preparing the period again finishes it).
 */
export type RunStatus = 'PREPARING' | 'PREPARED' | 'APPROVED' | 'EXPORTED' | 'SETTLED';

export interface RunBatch {
  batch_id: string;
  measure: number;
  unit: string;
  /** Control totals, fixed when the run was prepared. */
  count: number;
  total_fen: number;
}

export interface Run {
  run_id: string;
  period: string;
  status: RunStatus;
  prepared_by: string;
  prepared_at: string;
  approved_by?: string;
  approved_at?: string;
  award_count: number;
  total_fen: number;
  batches: RunBatch[];
  /** The cut-off: awards approved on or before this date (the period's last day, Asia/Shanghai). */
  through_date?: string;
  /** Most payments one batch may hold, fixed when the run was created. */
  batch_size?: number;
  exported_at?: string;
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
  /** Set by settlement. A FAILED item's award went back to RESERVED (and may be in a later run). */
  outcome?: RunItemOutcome;
  reference?: string;
  reason?: string;
  settled_at?: string;
}

/** How a payment of a run ended, once the bank's results are imported. */
export type RunItemOutcome = 'PAID' | 'FAILED';
