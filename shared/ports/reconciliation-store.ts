import type { Envelope, EnvelopeKey } from '../domain/envelope.ts';
import type { AwardFacts, QueueFacts, ReconciliationReport } from '../domain/reconciliation.ts';

export interface LedgerScanVisitor {
  award(facts: AwardFacts): void;
  queueEntry(facts: QueueFacts): void;
}

export interface LedgerScanOptions {
  /** Parallel scan segments. */
  segments: number;
  /** Only awards and waitlist entries of this fiscal year. */
  fiscalYear?: number;
}

/** A stored report as `reconcile history` lists it: the report's head, its findings counted. */
export type ReportSummary = Pick<ReconciliationReport,
  'report_id' | 'date' | 'created_at' | 'fiscal_year' | 'clean' | 'checked_envelopes' | 'checked_awards' | 'checked_runs'> & {
  mismatches: number;
  run_mismatches: number;
  stuck: number;
  repaired_by?: string;
};

export interface RepairAudit {
  at: string;
  by: string;
  report_id: string;
  before: Record<string, number>;
  after: Record<string, number>;
}

/** The envelope figures a repair may set (from the award records). */
export type RepairFigures = Pick<Envelope,
  'reserved_fen' | 'batched_fen' | 'paid_fen' | 'returned_fen' | 'available_fen' | 'waitlisted_fen' | 'waitlisted_count'>;

export interface ReconciliationStore {
  /** Every award and waitlist entry, read once, page by page, segments in parallel. */
  scanLedger(visit: LedgerScanVisitor, options: LedgerScanOptions): Promise<void>;
  saveReport(report: ReconciliationReport, repairedBy?: string): Promise<void>;
  /** Newest first. */
  listReports(limit: number): Promise<ReportSummary[]>;
  /** Overwrite an envelope's figures and write an audit entry, only if it is still at `expectedVersion`. */
  repairEnvelope(key: EnvelopeKey, expectedVersion: number, figures: RepairFigures, audit: RepairAudit): Promise<'written' | 'changed'>;
  /** Strongly consistent: does the envelope's waitlist hold this entry? */
  hasQueueEntry(key: EnvelopeKey, entry: { approved_date: string; award_id: string }): Promise<boolean>;
  /** Newest first. */
  listRepairs(limit: number): Promise<(RepairAudit & EnvelopeKey)[]>;
}
