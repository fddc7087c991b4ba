import type { EnvelopeKey } from '../domain/envelope.ts';
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

/** A stored report as `reconcile history` lists it. */
export interface ReportSummary {
  report_id: string;
  date: string;
  created_at: string;
  fiscal_year: number | null;
  clean: boolean;
  checked_envelopes: number;
  checked_awards: number;
  checked_runs: number;
  mismatches: number;
  run_mismatches: number;
  stuck: number;
  repaired_by?: string;
}

export interface RepairAudit {
  at: string;
  by: string;
  report_id: string;
  before: Record<string, number>;
  after: Record<string, number>;
}

export interface RepairFigures {
  reserved_fen: number;
  batched_fen: number;
  paid_fen: number;
  returned_fen: number;
  available_fen: number;
  waitlisted_fen: number;
  waitlisted_count: number;
}

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
