/**
 * A budget envelope: the money for one measure in one fiscal year. The stored figures always satisfy
 *   budget = available + reserved + batched + paid + returned
 * (returned: payments that FAILED, still committed until a reviewer releases them to reserved or
 * the award is cancelled)
 * and every change moves money between these buckets in one conditional write, so the store itself
 * refuses anything that would overspend (available may never go below zero).
 * Held awards (issue 14) are inside reserved (held_fen, when held at run preparation) or outside
 * every bucket (held at intake: no money reserved).
 * Year end (issue 15) adds two buckets that money leaves into when the year closes:
 *   budget = available + reserved + batched + paid + carried_out + lapsed
 * (both zero while the year is open; carried_in is part of budget and needs no term of its own).
 */
export interface Envelope {
  measure: number;
  fiscal_year: number;
  /** False for an envelope that exists only because awards wait for a budget that was never set. */
  budget_set: boolean;
  budget_fen: number;
  reserved_fen: number;
  batched_fen: number;
  paid_fen: number;
  /** integrity: money of RETURNED awards (failed payments awaiting a reviewer). */
  returned_fen: number;
  available_fen: number;
  waitlisted_fen: number;
  waitlisted_count: number;
  // -- controls (issue 14): held awards. held_fen is money HELD awards keep reserved (inside reserved_fen).
  held_fen: number;
  held_count: number;
  /** Per-enterprise cap of this measure and fiscal year (fen), when set with `budget set --enterprise-cap-yuan`. */
  enterprise_cap_fen?: number;
  /** Thresholds (percent of budget committed) that raise an alert when crossed. */
  alert_at: number[];
  /** Bumped by every change; budget changes are made conditional on it (optimistic locking). */
  version: number;
  /** Bumped whenever an award joins the queue, so a drain can prove it served the true head. */
  queue_seq: number;
  updated_at: string;
  // ---- year end (issue 15) ----
  /** OPEN, or CLOSED once its fiscal year is closed: nothing reserves, budgets or transfers against it again. */
  status: EnvelopeStatus;
  /** Reservations carried in from the previous year's close (part of budget and reserved). */
  carried_in_fen: number;
  /** Reservations carried out to the next year at this year's close (left budget, not spent here). */
  carried_out_fen: number;
  /** The unspent balance that lapsed at this year's close (结余). */
  lapsed_fen: number;
  /** Money recovered after this year closed: returned to the treasury, not to the envelope. */
  recovered_fen: number;
  /**
   * Money recovered while this year was open (追回, issue 15): settled back into the envelope, so
   * already taken out of paid_fen and put back in available_fen. A running total, for the summary.
   */
  refunded_fen: number;
}

export type EnvelopeStatus = 'OPEN' | 'CLOSED';

export const DEFAULT_ALERT_THRESHOLDS = [80, 90, 100] as const;

export interface EnvelopeKey {
  measure: number;
  fiscal_year: number;
}

/** One envelope's identity as a map key (`<fy>#<measure>`): the one spelling every lookup by envelope uses. */
export const envelopeId = (key: EnvelopeKey): string => `${key.fiscal_year}#${key.measure}`;

export function envelopeLabel(key: EnvelopeKey): string {
  return `measure ${key.measure} FY${key.fiscal_year}`;
}

export function committedFen(e: Pick<Envelope, 'reserved_fen' | 'batched_fen' | 'paid_fen'> & { returned_fen?: number }): number {
  return e.reserved_fen + e.batched_fen + e.paid_fen + (e.returned_fen ?? 0);
}

/** An empty envelope as reported for a (measure, year) that has no stored item. */
export function emptyEnvelope(key: EnvelopeKey): Envelope {
  return {
    ...key, budget_set: false, budget_fen: 0, reserved_fen: 0, batched_fen: 0, paid_fen: 0, returned_fen: 0, available_fen: 0,
    waitlisted_fen: 0, waitlisted_count: 0, held_fen: 0, held_count: 0, alert_at: [...DEFAULT_ALERT_THRESHOLDS], version: 0, queue_seq: 0, updated_at: '',
    status: 'OPEN', carried_in_fen: 0, carried_out_fen: 0, lapsed_fen: 0, recovered_fen: 0, refunded_fen: 0,
  };
}
