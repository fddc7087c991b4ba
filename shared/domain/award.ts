import type { UnitCode } from './units.ts';
import type { TraceStep } from './rules.ts';

/** The CSV columns of an approved-award file, in the documented order. */
export const AWARD_COLUMNS = [
  'award_id', 'measure', 'recipient_name', 'recipient_uscc', 'amount_yuan', 'qualifying_date',
  'approved_date', 'approving_unit', 'scheme_id', 'payee_bank', 'payee_account', 'project_ref',
] as const;
export type AwardColumn = (typeof AWARD_COLUMNS)[number];
export const OPTIONAL_AWARD_COLUMNS: readonly AwardColumn[] = ['scheme_id', 'project_ref'];

/** An award record that passed field validation; amounts are integer fen, dates ISO strings. */
export interface AwardRecord {
  award_id: string;
  measure: number;
  recipient_name: string;
  recipient_uscc: string;
  amount_fen: number;
  qualifying_date: string;
  approved_date: string;
  approving_unit: UnitCode;
  scheme_id?: string;
  payee_bank: string;
  payee_account: string;
  /** The project's name or number as the bureau records it (trimmed); see project-ref.ts. */
  project_ref?: string;
}

/**
 * Every award status, in lifecycle order. RETURNED (issue 13): the payment FAILED; the money stays
 * committed until a second person releases or cancels it. HELD (issue 14): waits for a person
 * (credit restriction, possible duplicate).
 */
export const AWARD_STATUSES = ['RESERVED', 'WAITLISTED', 'REJECTED', 'CANCELLED', 'BATCHED', 'PAID', 'RETURNED', 'HELD'] as const;
export type AwardStatus = (typeof AWARD_STATUSES)[number];

export type RejectReason =
  | 'UNKNOWN_MEASURE' | 'UNIT_NOT_RESPONSIBLE' | 'UNKNOWN_SCHEME' | 'SCHEME_NOT_FOR_MEASURE' | 'OUTSIDE_WINDOW'
  | 'ENTERPRISE_CAP_EXCEEDED';
/** Why an award waits for a person (issue 14), in the order the checks apply. */
export type HoldReason = 'CREDIT_RESTRICTED' | 'DUPLICATE_PROJECT' | 'POSSIBLE_DUPLICATE';
export const HOLD_REASONS: readonly HoldReason[] = ['CREDIT_RESTRICTED', 'DUPLICATE_PROJECT', 'POSSIBLE_DUPLICATE'];
export type WaitReason = 'NO_ENVELOPE' | 'BUDGET_EXHAUSTED';

/** What intake says about one submitted record. */
export type IntakeOutcome = 'RESERVED' | 'WAITLISTED' | 'REJECTED' | 'HELD' | 'DUPLICATE' | 'CONFLICT' | 'INVALID';

export interface FieldError {
  field: string;
  message: string;
}

export interface HistoryEntry {
  at: string;
  status: AwardStatus;
  by?: string;
  note?: string;
}

/** An award as stored: the record plus where it stands. */
export interface Award extends AwardRecord {
  fiscal_year: number;
  status: AwardStatus;
  reason?: RejectReason | WaitReason | string;
  trace: TraceStep[];
  content_hash: string;
  submission_id: string;
  line: number;
  intake_outcome: 'RESERVED' | 'WAITLISTED' | 'REJECTED' | 'HELD';
  created_at: string;
  updated_at: string;
  history: HistoryEntry[];
  run_id?: string;
  /** Year end (issue 15): the fiscal years this award was carried out of, oldest first. */
  carried_from?: number[];
  /** Recoveries (issue 15): claimed (DUE + SETTLED), settled, and settled back into the open envelope. */
  recovery_claimed_fen?: number;
  /**
   * The number of the award's last recovery (REC-<award>-<n>), moved with recovery_claimed_fen in the
   * transaction that opens one: its recoveries are read by id, consistently. Absent on awards whose
   * recoveries were all opened before it was kept (then they are found through the index).
   */
  recovery_count?: number;
  recovered_fen?: number;
  refunded_fen?: number;
  /** project_ref normalised (project-ref.ts): the duplicate-project guard's key. */
  project_key?: string;
  /** Set when intake counted the award in its enterprise's controls (caps, duplicate guards). */
  controls_counted?: boolean;
  /** While HELD: why, since when, and whether it keeps a reservation (held at run preparation). */
  hold?: AwardHold;
}

export interface AwardHold {
  reason: HoldReason;
  at: string;
  keeps_reservation: boolean;
}

/** Only the last four digits of an account number leave the payment files. */
export function maskAccount(account: string): string {
  return account.length <= 4 ? '****' : `${'*'.repeat(Math.min(account.length - 4, 8))}${account.slice(-4)}`;
}
