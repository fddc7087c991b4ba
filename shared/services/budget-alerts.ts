import type { Alert } from '../domain/alert.ts';
import type { WaitReason } from '../domain/award.ts';
import { decideThresholds } from '../domain/alert-thresholds.ts';
import { thresholdAlert, waitlistAlert } from '../domain/build-alert.ts';
import { holdAlert } from '../domain/hold-alert.ts';
import { envelopeLabel, type EnvelopeKey } from '../domain/envelope.ts';
import { TransientError } from '../domain/errors.ts';
import type { AlertOutbox } from '../ports/alert-outbox.ts';
import type { AlertSender } from '../ports/alert-sender.ts';
import type { EnvelopeEvents } from '../ports/envelope-events.ts';
import { backoff } from '../retry/backoff.ts';
import type { Clock } from './clock.ts';

export interface BudgetAlertDeps {
  outbox: AlertOutbox;
  clock: Clock;
  /** In AWS, the alert queue to the notifier. Locally there is none: the outbox is the record. */
  sender?: AlertSender;
  /**
   * Told when alerts could not be evaluated or sent. With it, envelopeChanged never throws: an alert
   * problem must not fail the intake, budget or cancel that called it, and nothing is lost (see
   * below). Without it (tests), errors propagate.
   */
  onError?: (error: unknown, context: { key: EnvelopeKey; stage: 'evaluate' | 'send'; alert_ids?: string[] }) => void;
}

const MAX_CONFLICTS = 20;

/**
 * Budget alerts, plugged in where envelopes change (the EnvelopeEvents port).
 *
 * Each call re-reads the envelope (strongly consistent) and brings its fired-threshold set in line
 * with its figures: crossed thresholds that have not fired fire now (one conditional transaction
 * each, which also stores the alert in the outbox), and fired thresholds that are no longer crossed
 * are re-armed. Every write is conditional on the envelope version the decision came from, so calls
 * may repeat and race freely: each crossing fires once, and after the last change the set matches
 * the last state. Awards that joined the queue raise a waitlist alert, at most one per envelope per
 * Shanghai day (its id is the day; the put is conditional).
 *
 * Delivery: once an alert is stored, its id is sent to the alert queue. A send that fails (or a
 * process that dies before sending) leaves the alert unsent in the outbox, and the nightly
 * reconciliation re-sends unsent alerts; the notifier publishes each (alert, unit) once.
 */
export function createBudgetAlerts(deps: BudgetAlertDeps): EnvelopeEvents {
  return {
    // Issue 14: a HOLD alert per held award; its id is the award's, so it is stored at most once.
    async awardHeld(award) {
      const alert = holdAlert(award, new Date(deps.clock.now()).toISOString());
      try {
        if ((await deps.outbox.putAlert(alert)) === 'written' && deps.sender) await deps.sender.send([alert.alert_id]);
      } catch (error) {
        if (!deps.onError) throw error;
        deps.onError(error, { key: award, stage: 'send', alert_ids: [alert.alert_id] });
      }
    },
    async envelopeChanged(key, change) {
      let alerts: Alert[];
      try {
        alerts = await evaluateEnvelopeAlerts(deps, key, change.waitlisted?.reason);
      } catch (error) {
        if (!deps.onError) throw error;
        deps.onError(error, { key, stage: 'evaluate' });
        return;
      }
      if (alerts.length === 0 || !deps.sender) return;
      const ids = alerts.map((a) => a.alert_id);
      try {
        await deps.sender.send(ids);
      } catch (error) {
        if (!deps.onError) throw error;
        deps.onError(error, { key, stage: 'send', alert_ids: ids });
      }
    },
  };
}

/** Fire and re-arm thresholds, then raise a waitlist alert if asked; returns the alerts stored by this call. */
export async function evaluateEnvelopeAlerts(deps: BudgetAlertDeps, key: EnvelopeKey, waitReason?: WaitReason): Promise<Alert[]> {
  const stored: Alert[] = [];
  const createdAt = () => new Date(deps.clock.now()).toISOString();
  let conflicts = 0;
  const conflict = async () => {
    if (++conflicts > MAX_CONFLICTS) throw new TransientError(`${envelopeLabel(key)}: alert state kept changing`);
    await backoff(conflicts);
  };

  for (;;) {
    const state = await deps.outbox.readAlertState(key);
    if (!state) return stored; // no envelope, nothing to measure against
    const { envelope } = state;
    const decision = decideThresholds(envelope, state.fired);
    if (decision.rearm.length > 0) {
      // A set can't be added to and deleted from in one update: re-arm first, then look again.
      if ((await deps.outbox.rearmThresholds(key, envelope.version, decision.rearm)) === 'changed') await conflict();
      continue;
    }
    const threshold = decision.fire[0];
    if (threshold !== undefined) {
      const alert = thresholdAlert(envelope, threshold, createdAt());
      if ((await deps.outbox.fireThreshold(key, envelope.version, threshold, alert)) === 'written') stored.push(alert);
      else await conflict(); // someone else fired it, or the envelope moved: look again
      continue;
    }
    // Thresholds are in line with this state; it is also the figures a waitlist alert reports.
    if (waitReason !== undefined && envelope.waitlisted_count > 0) {
      const alert = waitlistAlert(envelope, waitReason, createdAt());
      if ((await deps.outbox.putAlert(alert)) === 'written') stored.push(alert);
    }
    return stored;
  }
}
