/** Alerts built from an envelope's figures (read consistently by the caller) or a reconciliation report. */
import type { WaitReason } from './award.ts';
import { alertUnits, reconciliationAlertId, thresholdAlertId, waitlistAlertId, type Alert } from './alert.ts';
import { reconciliationAlertText, thresholdAlertText, waitlistAlertText, type ReconciliationAlertFacts } from './alert-message.ts';
import { shanghaiDate } from './dates.ts';
import type { Envelope } from './envelope.ts';
import { FINANCE_UNIT } from './units.ts';

export function thresholdAlert(envelope: Envelope, threshold: number, createdAt: string): Alert {
  return {
    alert_id: thresholdAlertId(envelope, threshold, envelope.version),
    kind: 'THRESHOLD',
    measure: envelope.measure,
    fiscal_year: envelope.fiscal_year,
    threshold,
    units: alertUnits(envelope.measure),
    created_at: createdAt,
    ...thresholdAlertText(envelope, threshold),
  };
}

/** Keyed by the Shanghai calendar day of `createdAt`: at most one per envelope per day. */
export function waitlistAlert(envelope: Envelope, reason: WaitReason, createdAt: string): Alert {
  return {
    alert_id: waitlistAlertId(envelope, shanghaiDate(new Date(createdAt))),
    kind: 'WAITLIST',
    measure: envelope.measure,
    fiscal_year: envelope.fiscal_year,
    threshold: null,
    wait_reason: reason,
    units: alertUnits(envelope.measure),
    created_at: createdAt,
    ...waitlistAlertText(envelope, reason),
  };
}

/** To the finance bureau only: reconciliation is about the whole store, not one measure. */
export function reconciliationAlert(facts: ReconciliationAlertFacts, createdAt: string): Alert {
  return {
    alert_id: reconciliationAlertId(facts.report_id),
    kind: 'RECONCILIATION',
    measure: null,
    fiscal_year: null,
    threshold: null,
    units: [FINANCE_UNIT],
    created_at: createdAt,
    ...reconciliationAlertText(facts),
  };
}
