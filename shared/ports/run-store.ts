import type { Award } from '../domain/award.ts';
import type { EnvelopeKey } from '../domain/envelope.ts';
import type { RunPayment } from '../domain/payment-file.ts';
import type { BatchTotals } from '../domain/run-batching.ts';
import type { PaymentOutcome } from '../domain/settlement.ts';
import type { Reissue, Run, RunItem } from '../domain/run.ts';

/**
 * The contract between disbursement runs (which write runs) and reconciliation (which checks them):
 * reconciliation only reads through it.
 */
export interface RunReader {
  listRuns(): Promise<Run[]>;
  getRun(runId: string): Promise<Run | undefined>;
  /** Every item of a run, paginated underneath; never all in memory at once. */
  listRunItems(runId: string): AsyncIterable<RunItem>;
}

/** The run header as the writer sees it: the run plus what a resumed prepare needs. */
export interface RunHeader extends Run {
  batch_size: number;
  through_date: string;
  /** Set once a prepare stopped moving awards in and is computing the control totals. */
  sealing: boolean;
}

export interface SealedTotals {
  award_count: number;
  total_fen: number;
  /** Per batch, with the digest of its payment rows. */
  batches: (BatchTotals & { digest: string })[];
  digest: string;
  sealed_by: string;
}

export interface ExportClaim {
  id: string;
  at: string;
  /** ISO time: a claim taken before it is a crashed export's and may be taken over. */
  stale_before: string;
  /** The re-issue being exported; absent for the run's first export. */
  reissue?: number;
}

export interface NewRun {
  run_id: string;
  period: string;
  through_date: string;
  batch_size: number;
  prepared_by: string;
  prepared_at: string;
}

/** One award moving into a run, at its place. */
export interface RunMove {
  award: Award;
  batch_id: string;
  seq: number;
}

/** Why a write was refused, so the caller can re-plan. */
export type RunWriteResult =
  | { ok: true }
  | {
    ok: false;
    /** Awards whose condition failed: no longer RESERVED and free (prepare) or not BATCHED in this run (settle). */
    staleAwards: string[];
    /** Run items that already exist (prepare) or were settled meanwhile (settle). */
    staleItems: string[];
    /** The series counter moved: another prepare of this run is numbering the same series. */
    counterMoved: boolean;
    /** The run is no longer accepting awards (sealed, or not PREPARING). */
    runClosed: boolean;
    /** The envelope does not hold the money the write would move: figures are inconsistent. */
    envelopeShort: boolean;
    /** Another transaction touched the same items; retry. */
    collided: boolean;
  };

/** A run item with what settlement needs to decide a results line. */
export interface StoredRunItem extends RunItem {
  measure: number;
  fiscal_year: number;
  unit: string;
}

export interface SettleEntry {
  award_id: string;
  amount_fen: number;
  outcome: PaymentOutcome;
  reference: string;
  reason: string;
}

export interface SettlementTotals {
  item_count: number;
  paid_count: number;
  paid_fen: number;
  failed_count: number;
  failed_fen: number;
}

export interface PaidMonth {
  month: string;
  measure: number;
  paid_fen: number;
  paid_count: number;
}

/**
 * The store behind disbursement runs (the write side of RunReader). Moves between award states are
 * single transactions that also move the envelope's figures, so statuses and figures never part.
 */
export interface RunStore extends RunReader {
  readonly maxTransactionItems: number;

  getRunHeader(runId: string): Promise<RunHeader | undefined>;
  /** Create the run header (PREPARING) unless the run exists; false when it did. */
  createRun(run: NewRun): Promise<boolean>;
  /** RESERVED awards of an envelope approved on or before `through` and in no run, queue order, page by page. */
  batchableAwards(key: EnvelopeKey, through: string, pageSize: number): AsyncIterable<Award[]>;
  /** The series counter: how many payments of a series the run holds. */
  seriesCount(runId: string, series: string): Promise<number>;
  /**
   * One transaction: every award RESERVED → BATCHED (conditioned on RESERVED and in no run), a run
   * item per award, the envelope's reserved → batched, the series counter from `expectedCount` to
   * `expectedCount + moves.length`, and a check that the run still takes awards.
   */
  moveIntoRun(runId: string, series: string, expectedCount: number, key: EnvelopeKey, moves: readonly RunMove[], at: string): Promise<RunWriteResult>;
  /** Stop taking awards (PREPARING → PREPARING + sealing). False when the run was not PREPARING. */
  startSealing(runId: string, at: string): Promise<boolean>;
  /** Counts and sums of the run's items per batch, read back from the store; and the series counters. */
  readControlTotals(runId: string): Promise<{ batches: BatchTotals[]; series: Map<string, number> }>;
  /** PREPARING + sealing → PREPARED with the control totals, digests and who sealed. False when the run was not sealing. */
  sealRun(runId: string, totals: SealedTotals, at: string): Promise<boolean>;
  /** PREPARED → APPROVED, binding `digest` when given (refused when the stored digest differs). False when not done. */
  approveRun(runId: string, by: string, at: string, digest?: string): Promise<boolean>;
  /**
   * Take the run's one export (APPROVED, or the approved re-issue `reissue`) for this export attempt;
   * while claimed, settlement waits. A claim older than `stale_before` (a crashed export) may be taken over.
   */
  claimExport(runId: string, claim: ExportClaim): Promise<boolean>;
  releaseExportClaim(runId: string, claimId: string): Promise<void>;
  /**
   * APPROVED → EXPORTED (or the re-issue marked exported), only under the export's claim when given;
   * records where the files went. False when the run was exported meanwhile.
   */
  recordExport(runId: string, at: string, files: readonly { name: string; location: string; sha256: string }[], claim?: { id: string; reissue?: number }): Promise<boolean>;
  /** Record re-issue `reissue.number` (one after the last) of an EXPORTED run. False when another came first. */
  requestReissue(runId: string, reissue: Reissue): Promise<boolean>;
  /** Approve re-issue `number` whose digest is `digest`. False when it changed or was approved already. */
  approveReissue(runId: string, number: number, digest: string, by: string, at: string): Promise<boolean>;
  /** A batch's payments in sequence order, paginated. */
  listBatchPayments(runId: string, batchId: string): AsyncIterable<RunPayment>;
  getRunItemsByAward(runId: string, awardIds: readonly string[]): Promise<Map<string, StoredRunItem>>;
  /**
   * One transaction for payments of one envelope: awards BATCHED → PAID or back to RESERVED (leaving
   * the run), run items marked, the envelope's batched → paid / reserved, and the month's paid total.
   */
  settlePayments(runId: string, key: EnvelopeKey, entries: readonly SettleEntry[], month: string, at: string, by: string): Promise<RunWriteResult>;
  /**
   * One transaction for FAILED payments of one envelope: awards RETURNED → RESERVED (leaving the run),
   * run items marked released, the envelope's returned → reserved.
   */
  releaseReturned(runId: string, key: EnvelopeKey, entries: readonly { award_id: string; amount_fen: number }[], by: string, at: string): Promise<RunWriteResult>;
  /** Settlement figures read back from the run's items. */
  readSettlementTotals(runId: string): Promise<SettlementTotals>;
  /** Record settlement figures; the run becomes SETTLED when every payment is settled. */
  recordSettlement(runId: string, totals: SettlementTotals, at: string): Promise<void>;
  /** Money paid per month from a fiscal year's envelopes. */
  paidByMonth(fiscalYear: number): Promise<PaidMonth[]>;
}
