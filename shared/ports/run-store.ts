/**
 * The contract between disbursement runs (which write runs) and reconciliation (which checks them).
 * The runs work implements it in shared/adapters/dynamo/; reconciliation only reads through it.
 */
export type RunStatus = 'PREPARED' | 'APPROVED' | 'EXPORTED' | 'SETTLED';

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
}

/** One payment of a run: an award in a batch, with its sequence number in that batch. */
export interface RunItem {
  run_id: string;
  batch_id: string;
  seq: number;
  award_id: string;
  amount_fen: number;
}

export interface RunReader {
  listRuns(): Promise<Run[]>;
  getRun(runId: string): Promise<Run | undefined>;
  /** Every item of a run, paginated underneath; never all in memory at once. */
  listRunItems(runId: string): AsyncIterable<RunItem>;
}
