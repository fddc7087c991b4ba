import type { Alert } from '../domain/alert.ts';
import type { Envelope, EnvelopeKey } from '../domain/envelope.ts';
import type { UnitCode } from '../domain/units.ts';

/** An envelope as the alerts see it: its figures and the thresholds that have fired and not re-armed since. */
export interface EnvelopeAlertState {
  envelope: Envelope;
  fired: number[];
}

/** One alert to one unit; `sent_at` is set once the notifier has published it. */
export interface AlertDelivery {
  alert_id: string;
  unit: UnitCode;
  created_at: string;
  sent_at?: string;
  sns_message_id?: string;
}

export interface AlertQuery {
  unit?: UnitCode;
  /** ISO instant; only alerts created at or after it. */
  since?: string;
}

/** 'changed': the envelope is no longer at the version the decision was made from (or a write collided). */
export type ConditionalWrite = 'written' | 'changed';

/**
 * The alert outbox: alerts and their per-unit deliveries, kept in the store so that firing an alert
 * and recording that it fired are one atomic write, and so alerts can be listed and re-sent.
 */
export interface AlertOutbox {
  /** Strongly consistent. */
  readAlertState(key: EnvelopeKey): Promise<EnvelopeAlertState | undefined>;
  /**
   * Mark `threshold` fired on the envelope and store its alert, in one transaction, only if the
   * envelope is still at `version` and the threshold is not already in its fired set.
   */
  fireThreshold(key: EnvelopeKey, version: number, threshold: number, alert: Alert): Promise<ConditionalWrite>;
  /** Take thresholds out of the fired set, only if the envelope is still at `version`. */
  rearmThresholds(key: EnvelopeKey, version: number, thresholds: readonly number[]): Promise<ConditionalWrite>;
  /**
   * Mark the envelope forecast-alerted on `day` and store the alert, in one transaction, only if its
   * last forecast alert was on or before `notAfter` (or never): at most one per envelope per window.
   */
  fireForecast(key: EnvelopeKey, day: string, notAfter: string, alert: Alert): Promise<ConditionalWrite>;
  /** Store an alert with its deliveries unless an alert with its id exists ('exists'). */
  putAlert(alert: Alert): Promise<'written' | 'exists'>;
  getAlert(alertId: string): Promise<{ alert: Alert; deliveries: AlertDelivery[] } | undefined>;
  /** Oldest first. */
  listAlerts(query: AlertQuery): AsyncIterable<Alert>;
}

/** What the notifier needs to publish each delivery once. */
export interface AlertDeliveryStore {
  getAlert(alertId: string): Promise<{ alert: Alert; deliveries: AlertDelivery[] } | undefined>;
  /**
   * Claim an unsent delivery for publishing until `leaseUntil`; false if it was sent already or
   * another notifier holds an unexpired claim.
   */
  claimDelivery(alertId: string, unit: UnitCode, now: string, leaseUntil: string): Promise<boolean>;
  markDelivered(alertId: string, unit: UnitCode, at: string, messageId: string): Promise<void>;
  /** Give up a claim after a failed publish, so a retry may claim it at once. */
  releaseDelivery(alertId: string, unit: UnitCode): Promise<void>;
}
