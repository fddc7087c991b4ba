import type { Award, AwardStatus, FieldError, HistoryEntry } from '../domain/award.ts';
import type { Envelope, EnvelopeKey } from '../domain/envelope.ts';
import type { Scheme } from '../domain/scheme.ts';
import type { BudgetTransfer } from '../domain/budget-transfer.ts';
import type { EnterpriseGate } from '../domain/enterprise-controls.ts';
import type { ControlsStore } from './controls-store.ts';

/** A waitlist entry: enough to decide whether the head fits without reading the award. */
export interface QueueEntry {
  award_id: string;
  approved_date: string;
  amount_fen: number;
}

/**
 * `gates` (issue 14): per award id, what its enterprise's controls record must still say; the award is
 * counted there in the same transaction, and `controlsChanged` names awards whose gate failed.
 *
 * The result of one atomic write. When the store refuses it, it says why so the caller can re-plan:
 * the envelope's condition failed (its figures changed), some awards already exist (duplicates or a
 * concurrent delivery), or the write collided with another transaction (retry later).
 */
export type WriteResult =
  | { ok: true }
  | { ok: false; envelopeChanged: boolean; existingAwards: string[]; collided: boolean; controlsChanged?: string[] };

export interface BudgetAuditEntry {
  at: string;
  by: string;
  old_budget_fen: number | null;
  new_budget_fen: number;
  alert_at?: number[];
  /** Set on entries written by a transfer (issue 15): which transfer, why, and the other envelope. */
  transfer?: { transfer_id: string; reason: string; direction: 'OUT' | 'IN'; counterpart_measure: number; amount_fen: number };
  enterprise_cap_fen?: number;
}

export interface IntakeIssue {
  submission_id: string;
  line: number;
  award_id?: string;
  outcome: 'INVALID' | 'CONFLICT';
  errors: FieldError[];
  at: string;
}

export interface AwardQuery {
  status?: AwardStatus;
  measure?: number;
  fiscal_year?: number;
}

/** The store behind budget envelopes, awards and the waitlist. All reads here are strongly consistent. */
export interface Ledger {
  readonly maxTransactionItems: number;
  /** Issue 14: enterprise controls, credit restrictions and holds, in the same store. */
  readonly controls: ControlsStore;

  getEnvelope(key: EnvelopeKey): Promise<Envelope | undefined>;
  listEnvelopes(fiscalYear?: number): Promise<Envelope[]>;
  getAward(awardId: string): Promise<Award | undefined>;
  getAwards(awardIds: readonly string[]): Promise<Map<string, Award>>;
  listAwards(query: AwardQuery): AsyncIterable<Award>;
  /**
   * The stored time and amount of each award of one status in one envelope: all the exhaustion
   * forecast needs, read through the status index without the rest of each award (trace, history).
   */
  listAwardAmounts(query: Required<AwardQuery>): AsyncIterable<{ created_at: string; amount_fen: number }>;

  getScheme(schemeId: string): Promise<Scheme | undefined>;
  putScheme(scheme: Scheme): Promise<'created' | 'updated' | 'unchanged'>;
  listSchemes(): Promise<Scheme[]>;

  /** Store an award that intake rejected; it touches no envelope. */
  insertRejected(award: Award): Promise<WriteResult>;
  /** Create RESERVED awards and take their sum from the envelope, only if no award waits. */
  reserveNew(key: EnvelopeKey, awards: readonly Award[], gates?: ReadonlyMap<string, EnterpriseGate>): Promise<WriteResult>;
  /** Create WAITLISTED awards and append them to the envelope's queue (creating a placeholder envelope). */
  waitlistNew(key: EnvelopeKey, awards: readonly Award[], gates?: ReadonlyMap<string, EnterpriseGate>): Promise<WriteResult>;
  /** The first `limit` queue entries in queue order. */
  queueHead(key: EnvelopeKey, limit: number): Promise<QueueEntry[]>;
  /**
   * Reserve queue entries, provided the queue has not grown since `queueSeq` was read. Awards named
   * in `reservedAtIntake` were queued by the intake call now serving them: their intake outcome
   * becomes RESERVED, so a redelivery of their message reports what the first delivery did.
   */
  reserveFromQueue(
    key: EnvelopeKey, queueSeq: number, entries: readonly QueueEntry[], at: string, reservedAtIntake?: ReadonlySet<string>,
  ): Promise<WriteResult>;
  /** Set the budget (and thresholds) provided the envelope's version is still `expectedVersion`. */
  writeBudget(
    key: EnvelopeKey,
    expectedVersion: number | undefined,
    figures: { budget_fen: number; available_fen: number; alert_at: number[]; enterprise_cap_fen?: number },
    audit: BudgetAuditEntry,
  ): Promise<WriteResult>;
  listBudgetAudit(key: EnvelopeKey): Promise<BudgetAuditEntry[]>;
  /**
   * Move budget between two envelopes of one year in one transaction, recording the transfer under
   * its id; refused (envelopeChanged) unless both envelopes still have the versions read.
   */
  writeTransfer(transfer: BudgetTransfer, versions: { from: number; to: number | undefined }, budgets: { from: number; to: number | null }): Promise<WriteResult>;
  getTransfer(transferId: string): Promise<BudgetTransfer | undefined>;
  cancelReserved(award: Award, entry: HistoryEntry): Promise<WriteResult>;
  cancelWaitlisted(award: Award, entry: HistoryEntry): Promise<WriteResult>;
  /**
   * Cancel a RETURNED award (its payment FAILED in `award.run_id`): its money leaves returned for
   * available, its run item is marked decided (released_by/at), its enterprise controls are freed.
   * Refused unless the award is still exactly as read (status, run and updated_at).
   */
  cancelReturned(award: Award, entry: HistoryEntry): Promise<WriteResult>;

  recordIntakeIssue(issue: IntakeIssue): Promise<void>;
  listIntakeIssues(submissionId: string): Promise<IntakeIssue[]>;
}
