/** The shapes of the front-door API (issue 11), as the console reads them. Amounts are integer fen. */
import type { UnitCode } from '../../../shared/domain/units.ts';

export type Role = 'bureau' | 'clerk' | 'reviewer' | 'auditor' | 'admin';
export const ROLES: readonly Role[] = ['bureau', 'clerk', 'reviewer', 'auditor', 'admin'];

export interface Me {
  username: string;
  roles: Role[];
  unit: UnitCode | null;
}

/** GET /forecasts (issue 15 §4): `forecast_exhaustion_date` is a date or "not this year". */
export interface Forecast {
  measure: number;
  fiscal_year: number;
  burn_rate_fen_per_day: number;
  burn_rate_year_fen_per_day: number;
  forecast_exhaustion_date: string;
}
export interface Forecasts { fiscal_year: number; as_of: string; forecasts: Forecast[] }

export interface Envelope {
  measure: number;
  fiscal_year: number;
  budget_set: boolean;
  budget_fen: number;
  reserved_fen: number;
  batched_fen: number;
  paid_fen: number;
  available_fen: number;
  waitlisted_fen: number;
  waitlisted_count: number;
  alert_at: number[];
  /** Failed payments awaiting a reviewer (issue 13): still committed. */
  returned_fen: number;
  /** HELD awards (issue 14): how many, and the money they keep reserved (inside reserved_fen). */
  held_fen: number;
  held_count: number;
  enterprise_cap_fen?: number;
  /** Year end (issue 15): CLOSED once the fiscal year is closed. */
  status: EnvelopeStatus;
  carried_in_fen: number;
  carried_out_fen: number;
  lapsed_fen: number;
  recovered_fen: number;
}
export type { EnvelopeStatus } from '../../../shared/domain/envelope.ts';
import type { EnvelopeStatus } from '../../../shared/domain/envelope.ts';

/** The statuses are the domain's own (one definition: a new status fails the console's type check until it is shown). */
export type { AwardStatus } from '../../../shared/domain/award.ts';
import type { AwardStatus } from '../../../shared/domain/award.ts';
export const AWARD_STATUSES: readonly AwardStatus[] = ['RESERVED', 'WAITLISTED', 'HELD', 'REJECTED', 'CANCELLED', 'BATCHED', 'PAID', 'RETURNED'];
export type { HoldReason } from '../../../shared/domain/award.ts';
export { HOLD_REASONS } from '../../../shared/domain/award.ts';
import type { HoldReason } from '../../../shared/domain/award.ts';
/** While HELD (issue 14): why, since when, and whether it keeps a reservation (held at run preparation). */
export interface AwardHold { reason: HoldReason; at: string; keeps_reservation: boolean }

export interface TraceStep { rule: string; ok: boolean; detail: string }
export interface HistoryEntry { at: string; status: AwardStatus; by?: string; note?: string }

export interface Award {
  award_id: string;
  measure: number;
  recipient_name: string;
  recipient_uscc: string;
  amount_fen: number;
  qualifying_date: string;
  approved_date: string;
  approving_unit: UnitCode;
  scheme_id?: string;
  project_ref?: string;
  payee_bank: string;
  payee_account: string;
  fiscal_year: number;
  status: AwardStatus;
  reason?: string;
  trace?: TraceStep[];
  history?: HistoryEntry[];
  created_at?: string;
  updated_at?: string;
  submission_id?: string;
  line?: number;
  run_id?: string;
  hold?: AwardHold;
}

export interface AwardPage { awards: Award[]; next_cursor: string | null }

export interface FieldError { field: string; message: string }
export interface SubmitLine { award_id?: string; line: number; outcome: string; reason?: string; errors?: FieldError[] }
export interface SubmitReport {
  submission_id: string;
  submitted: number;
  reserved: number;
  waitlisted: number;
  /** Issue 14: held for a person's decision (see the holds page). */
  held?: number;
  rejected: number;
  duplicates: number;
  conflicts: number;
  invalid: number;
  dead_lettered?: number;
  results: SubmitLine[];
}

export type { RunStatus } from '../../../shared/domain/run.ts';
import type { RunStatus } from '../../../shared/domain/run.ts';
export interface RunBatch { batch_id: string; measure: number; unit: UnitCode; count: number; total_fen: number }
export interface Run {
  run_id: string;
  period: string;
  status: RunStatus;
  prepared_by: string;
  award_count: number;
  total_fen: number;
  batches?: RunBatch[];
  /** The digest of the run's payment rows (sha256:…), bound by approval (issue 13). */
  digest?: string;
  approved_digest?: string;
  prepared_at?: string;
  through_date?: string;
  approved_by?: string;
  approved_at?: string;
  exported_at?: string;
  paid_count?: number;
  paid_fen?: number;
  failed_count?: number;
  failed_fen?: number;
  settled_at?: string;
  sealed_by?: string;
  reissue?: Reissue;
}
/** A re-issue of an exported run's file (issue 13): the domain's own shape. */
export type { Reissue } from '../../../shared/domain/run.ts';
import type { Reissue } from '../../../shared/domain/run.ts';
export interface ReleaseFailedResult { run_id: string; released: number; released_fen: number; award_ids: string[] }
export interface VerifyResult {
  run_id: string;
  ok: boolean;
  checked: string[];
  differences: { file: string; problem: string; detail: string }[];
}
export interface HoldDecision { award: Award; changed: boolean; drained: string[] }
export interface RunFile { name: string; bytes: number; sha256: string }

export interface SettleResult {
  run_id: string;
  paid: number;
  failed: number;
  paid_fen: number;
  failed_fen: number;
  unchanged: number;
  run_status: RunStatus;
  outstanding: number;
}

export interface SummaryFigures {
  budget_fen: number; reserved_fen: number; batched_fen: number; paid_fen: number;
  available_fen: number; waitlisted_fen: number; execution_rate: number | null;
}
export interface FiscalSummary {
  fiscal_year: number;
  policy: string;
  measures: (SummaryFigures & { measure: number; section: string; title_zh: string; title_en: string; units: UnitCode[]; has_envelope: boolean })[];
  sections: (SummaryFigures & { section: string; title_zh: string; title_en: string; measures: number[] })[];
  units: (SummaryFigures & { unit: UnitCode; name_zh: string; name_en: string; measures: number[] })[];
  total: SummaryFigures;
  monthly_paid: { month: string; paid_fen: number }[];
}

export interface AlertItem {
  alert_id: string;
  kind: 'THRESHOLD' | 'WAITLIST' | 'RECONCILIATION';
  measure: number | null;
  fiscal_year: number | null;
  threshold: number | null;
  units: UnitCode[];
  created_at: string;
  message: string;
}

export interface ReconciliationReport {
  report_id: string;
  date: string;
  created_at: string;
  fiscal_year: number | null;
  clean: boolean;
  checked_envelopes: number;
  checked_awards: number;
  checked_runs: number;
  mismatches: { measure: number; fiscal_year: number; field: string; stored_fen: number; recomputed_fen: number }[];
  run_mismatches: { run_id: string; batch_id: string | null; field: string; stored: number; recomputed: number }[];
  stuck: { kind: string; measure: number; fiscal_year: number; award_id: string | null; run_id: string | null; status: string | null; detail: string }[];
}

export interface AuditEntry { at: string; actor: string; kind: string; subject: string; detail: unknown }

export interface User { username: string; roles: Role[]; unit: UnitCode | null; disabled: boolean }

/** GET /years (issue 15 §3): each fiscal year's close status; who proposed/approved only for finance roles. */
export type YearState = 'OPEN' | 'PROPOSED' | 'CLOSED';
export interface YearRow { fiscal_year: number; status: YearState; executing?: boolean; proposed_by?: string; approved_by?: string }
export interface YearsStatus { years: YearRow[]; policy_ends: string; policy_days_left: number }
/** One measure of a close's plan or report: the domain's own shape (carried_fen, lapsed_fen in fen). */
export type { MeasureClosePlan } from '../../../shared/domain/year-close.ts';
import type { MeasureClosePlan } from '../../../shared/domain/year-close.ts';
/** POST /years/{fy}/close: the proposal and its plan, as `year close`. */
export interface YearCloseProposal { fiscal_year: number; status: 'PROPOSED'; proposed_by: string; plan: MeasureClosePlan[]; changed: boolean }
/** POST /years/{fy}/approve: what the close did, as `year approve` (`changed: false` when it was already closed). */
export interface YearCloseApproval { fiscal_year: number; status: 'CLOSED'; approved_by: string; closed: MeasureClosePlan[]; drained: string[]; changed: boolean }
