/**
 * What the year-end page offers on one fiscal year, and the totals of a close's plan or report.
 * Pure: the page renders these; the API decides (a reviewer who proposed gets 403 SAME_PERSON there
 * too). Four eyes compares persons as the server does (run-lifecycle's samePerson).
 */
import type { Envelope, MeasureClosePlan, YearRow } from '../../api/types.ts';
import type { Abilities } from '../../app/permissions.ts';
import { samePerson } from '../../../../shared/domain/run-lifecycle.ts';
import { sumFen } from '../../format/money.ts';
import type { YearStatus } from '../overview/year-end.ts';

/** Why a reviewer's approve button is disabled (a message key), or null when it is not. */
export type ApproveBlock = 'yearApproveSamePerson' | 'yearApproveInProgress' | null;

export type YearAction =
  /** Clerk: propose the close of an OPEN year, or refresh the plan of a PROPOSED one (the first proposer stays). */
  | { kind: 'propose'; again: boolean }
  /** Reviewer: approve and execute a PROPOSED close (resume: a close this reviewer started and that stopped). */
  | { kind: 'approve'; resume: boolean; blocked: ApproveBlock };

export function yearActions(row: YearRow, can: Pick<Abilities, 'proposeClose' | 'approveClose'>, username: string): YearAction[] {
  const actions: YearAction[] = [];
  if (can.proposeClose && row.status === 'OPEN') actions.push({ kind: 'propose', again: false });
  if (can.proposeClose && row.status === 'PROPOSED' && !row.executing) actions.push({ kind: 'propose', again: true });
  if (can.approveClose && row.status === 'PROPOSED') {
    const proposer = row.proposed_by !== undefined && samePerson(row.proposed_by, username);
    const other = row.executing === true && row.approved_by !== undefined && !samePerson(row.approved_by, username);
    actions.push({ kind: 'approve', resume: row.executing === true, blocked: proposer ? 'yearApproveSamePerson' : other ? 'yearApproveInProgress' : null });
  }
  return actions;
}

/** The measures a close touches: any money carried or lapsing, or any award moving. */
export function closeRows(plan: readonly MeasureClosePlan[]): MeasureClosePlan[] {
  return plan.filter((m) => m.carried_fen !== 0 || m.lapsed_fen !== 0 || m.carried_awards.length > 0 || m.queued_awards.length > 0);
}

export interface CloseTotals { carried_fen: bigint; lapsed_fen: bigint; carried_awards: number; queued_awards: number }

/** Exact totals (BigInt fen) of a plan or a report. */
export function closeTotals(plan: readonly MeasureClosePlan[]): CloseTotals {
  return {
    carried_fen: sumFen(plan.map((m) => m.carried_fen)),
    lapsed_fen: sumFen(plan.map((m) => m.lapsed_fen)),
    carried_awards: plan.reduce((n, m) => n + m.carried_awards.length, 0),
    queued_awards: plan.reduce((n, m) => n + m.queued_awards.length, 0),
  };
}

/**
 * The overview's year badge: the envelopes' status, shown as 'yearProposed' while GET /years says a
 * close of `fy` awaits approval. The overview reads the years only after its figures, so the badge
 * never holds them up; until then the envelopes' status stands.
 */
export function overviewYearStatus(fromEnvelopes: YearStatus | null, years: readonly YearRow[] | undefined, fy: number): YearStatus | 'yearProposed' | null {
  const row = years?.find((y) => y.fiscal_year === fy);
  return row?.status === 'PROPOSED' && fromEnvelopes === 'yearOpen' ? 'yearProposed' : fromEnvelopes;
}

/** One measure of a proposed year as its envelope stands now: what an approval would carry and let lapse. */
export interface ClosePreviewRow { measure: number; reserved_fen: number; held_count: number; waitlisted_count: number; available_fen: number }

/**
 * The proposed year's envelopes as they stand now. An approval executes the store as it then is
 * (not the plan stored with the proposal): the reserved money (held awards' included) carries, the
 * queue moves, the available balance lapses; so the reviewer is shown these figures, read fresh.
 */
export function closePreview(envelopes: readonly Envelope[], fy: number): ClosePreviewRow[] {
  return envelopes
    .filter((e) => e.fiscal_year === fy && e.status !== 'CLOSED' && (e.reserved_fen !== 0 || e.available_fen !== 0 || e.waitlisted_count > 0 || (e.held_count ?? 0) > 0))
    .sort((a, b) => a.measure - b.measure)
    .map((e) => ({ measure: e.measure, reserved_fen: e.reserved_fen, held_count: e.held_count ?? 0, waitlisted_count: e.waitlisted_count, available_fen: e.available_fen }));
}
