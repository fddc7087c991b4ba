/**
 * Budget alerts: what they are, who receives them, and their ids.
 *
 * An alert goes to the responsible units (责任单位) of its measure and always to the finance bureau
 * (区财政局, FIN), which runs the disbursements; a reconciliation alert goes to FIN alone.
 */
import type { WaitReason } from './award.ts';
import { findMeasure } from './catalog.ts';
import type { EnvelopeKey } from './envelope.ts';
import { FINANCE_UNIT, type UnitCode } from './units.ts';

export type AlertKind = 'THRESHOLD' | 'WAITLIST' | 'RECONCILIATION' | 'HOLD' | 'FORECAST';

export interface Alert {
  /** Deterministic (see the id builders below), so a repeated or racing write cannot duplicate it. */
  alert_id: string;
  kind: AlertKind;
  /** null for a reconciliation alert, which is about the whole store. */
  measure: number | null;
  fiscal_year: number | null;
  /** The threshold crossed, a whole percentage (THRESHOLD only; null otherwise). */
  threshold: number | null;
  /** Why awards wait (WAITLIST only). */
  wait_reason?: WaitReason;
  /** The held award (HOLD only). */
  award_id?: string;
  /** The projected exhaustion day (FORECAST only). */
  forecast_exhaustion_date?: string;
  units: UnitCode[];
  created_at: string;
  /** One line, for an e-mail subject (SNS allows at most 100 ASCII characters). */
  subject: string;
  /** Chinese text followed by an English line. */
  message: string;
}

/** The units an envelope's alerts go to: the measure's responsible units in document order, then FIN. */
export function alertUnits(measure: number | null): UnitCode[] {
  const units = measure === null ? [] : [...(findMeasure(measure)?.units ?? [])];
  return units.includes(FINANCE_UNIT) ? units : [...units, FINANCE_UNIT];
}

const pad3 = (n: number) => String(n).padStart(3, '0');

/**
 * A threshold alert is identified by the envelope, the threshold and the envelope version it was
 * computed from. The version is what makes a re-armed threshold's second crossing a new alert: the
 * first firing and the re-arming happen at different envelope states, so at different versions.
 */
export function thresholdAlertId(key: EnvelopeKey, threshold: number, version: number): string {
  return `T-${key.fiscal_year}-${pad3(key.measure)}-${pad3(threshold)}-v${version}`;
}

/** At most one waitlist alert per envelope per Shanghai calendar day: the day is the id. */
export function waitlistAlertId(key: EnvelopeKey, shanghaiDay: string): string {
  return `W-${key.fiscal_year}-${pad3(key.measure)}-${shanghaiDay}`;
}

/** A forecast alert is identified by the envelope and the Shanghai day it was raised (at most one per 7 days: see the outbox). */
export function forecastAlertId(key: EnvelopeKey, shanghaiDay: string): string {
  return `F-${key.fiscal_year}-${pad3(key.measure)}-${shanghaiDay}`;
}

/** One reconciliation alert per stored report that was not clean. */
export function reconciliationAlertId(reportId: string): string {
  return `R-${reportId}`;
}

/** An alert as `alerts list` and the API report it. */
export function alertView(a: Alert) {
  return {
    alert_id: a.alert_id, kind: a.kind, measure: a.measure, fiscal_year: a.fiscal_year, threshold: a.threshold,
    units: a.units, created_at: a.created_at, message: a.message,
    ...(a.award_id !== undefined ? { award_id: a.award_id } : {}),
    ...(a.forecast_exhaustion_date !== undefined ? { forecast_exhaustion_date: a.forecast_exhaustion_date } : {}),
  };
}
