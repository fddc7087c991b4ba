import { BursarError } from './errors.ts';
import { envelopeLabel, type EnvelopeKey } from './envelope.ts';

/** The refusal for anything that would change an envelope of a closed fiscal year. */
export function fiscalYearClosed(e: EnvelopeKey): BursarError {
  return new BursarError('FISCAL_YEAR_CLOSED', `${envelopeLabel(e)}: fiscal year ${e.fiscal_year} is closed`, { measure: e.measure, fiscal_year: e.fiscal_year });
}

/** A fiscal year's close (年终结转): proposed by one person, approved and executed by another. */
export type YearCloseStatus = 'PROPOSED' | 'CLOSING' | 'CLOSED';

/** What the close does to one measure's envelope. */
export interface MeasureClosePlan {
  measure: number;
  /** Reservations carried into the next year's envelope (结转). */
  carried_fen: number;
  carried_awards: string[];
  /** Waiting awards that join the next year's queue, in queue order. */
  queued_awards: string[];
  /** The unspent balance that lapses (结余). */
  lapsed_fen: number;
}

export interface YearClose {
  fiscal_year: number;
  status: YearCloseStatus;
  proposed_by: string;
  proposed_at: string;
  plan: MeasureClosePlan[];
  approved_by?: string;
  approved_at?: string;
  closed_at?: string;
}

/** The awards of one envelope a close must move, as the planner needs them. */
export interface EnvelopeCloseFacts {
  measure: number;
  available_fen: number;
  reserved: { award_id: string; amount_fen: number; approved_date: string }[];
  /** HELD awards (issue 14): carried still HELD; only those keeping a reservation carry money. */
  held?: { award_id: string; amount_fen: number; approved_date: string; keeps_reservation: boolean }[];
  /** In queue order. */
  queued: { award_id: string }[];
}

/** The plan, one line per envelope, in measure order; award ids in queue order (approved date, id). */
export function planYearClose(envelopes: readonly EnvelopeCloseFacts[]): MeasureClosePlan[] {
  return [...envelopes].sort((a, b) => a.measure - b.measure).map((e) => {
    const held = e.held ?? [];
    const carried = [...e.reserved, ...held].sort((a, b) => (a.approved_date === b.approved_date ? (a.award_id < b.award_id ? -1 : 1) : a.approved_date < b.approved_date ? -1 : 1));
    return {
      measure: e.measure,
      carried_fen: e.reserved.reduce((s, a) => s + a.amount_fen, 0) + held.filter((a) => a.keeps_reservation).reduce((s, a) => s + a.amount_fen, 0),
      carried_awards: carried.map((a) => a.award_id),
      queued_awards: e.queued.map((q) => q.award_id),
      lapsed_fen: e.available_fen,
    };
  });
}

/** The history line a carried award gets. */
export const carryNote = (fiscalYear: number) => `carried forward from FY${fiscalYear} to FY${fiscalYear + 1} (年终结转)`;

/** The trace line of an award approved in a closed year and so charged to the next open one. */
export function lateAwardStep(approvedYear: number, chargedYear: number): { rule: string; ok: boolean; detail: string } {
  return {
    rule: 'FISCAL_YEAR_CLOSED',
    ok: true,
    detail: `approved in FY${approvedYear}, which is closed: charged to FY${chargedYear}'s envelope`,
  };
}

/** Runs of year Y that block its close: not settled, and of a period in Y or holding Y's money. */
export function blockingRuns(
  runs: readonly { run_id: string; period: string; status: string }[], fiscalYear: number, yearHasBatchedMoney: boolean,
): string[] {
  return runs
    .filter((r) => r.status !== 'SETTLED' && (r.period.startsWith(`${fiscalYear}-`) || yearHasBatchedMoney))
    .map((r) => r.run_id)
    .sort();
}

/** The policy's end (附则: in force until 2026-12-31); a close does not move it. */
export const POLICY_ENDS = '2026-12-31';

/** Whole Asia/Shanghai days from `today` to the policy's last day, that day counted; 0 after it. */
export function policyDaysLeft(today: string, policyEnds: string = POLICY_ENDS): number {
  const days = Math.round((Date.parse(`${policyEnds}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000) + 1;
  return Math.max(0, days);
}
