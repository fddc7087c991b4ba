import { BursarError } from '../domain/errors.ts';
import type { UnitCode } from '../domain/units.ts';
import type { AlertDeliveryStore } from '../ports/alert-outbox.ts';
import type { AlertPublisher } from '../ports/alert-publisher.ts';
import type { Clock } from './clock.ts';

export interface DeliverAlertDeps {
  store: AlertDeliveryStore;
  publisher: AlertPublisher;
  clock: Clock;
  /** How long a claim on a delivery holds before another notifier may take it over (default 2 min). */
  leaseMs?: number;
}

export interface DeliveryResult {
  alert_id: string;
  published: UnitCode[];
  /** Sent before, or being sent by another notifier right now. */
  skipped: UnitCode[];
}

/**
 * Publish an alert once per unit. Each (alert, unit) delivery is claimed with a conditional write
 * before publishing and marked sent after, so a redelivered or duplicated queue message publishes
 * nothing twice. A publish that fails releases its claim and fails the call (the queue retries the
 * message; the units already published are skipped). The one gap left: a process that dies between
 * SNS accepting the message and the sent marker is written; once the lease runs out that delivery
 * is published again (at least once, never lost).
 */
export async function deliverAlert(deps: DeliverAlertDeps, alertId: string): Promise<DeliveryResult> {
  const found = await deps.store.getAlert(alertId);
  if (!found) throw new BursarError('ALERT_NOT_FOUND', `alert ${alertId} is not in the outbox`, { alert_id: alertId });
  const { alert, deliveries } = found;
  const result: DeliveryResult = { alert_id: alertId, published: [], skipped: [] };
  const failures: unknown[] = [];
  for (const delivery of deliveries) {
    if (delivery.sent_at) { result.skipped.push(delivery.unit); continue; }
    const now = new Date(deps.clock.now());
    const leaseUntil = new Date(now.getTime() + (deps.leaseMs ?? 120_000)).toISOString();
    if (!(await deps.store.claimDelivery(alertId, delivery.unit, now.toISOString(), leaseUntil))) {
      result.skipped.push(delivery.unit);
      continue;
    }
    try {
      const messageId = await deps.publisher.publish({
        unit: delivery.unit, alert_id: alertId, kind: alert.kind, subject: alert.subject, message: alert.message,
      });
      await deps.store.markDelivered(alertId, delivery.unit, new Date(deps.clock.now()).toISOString(), messageId);
      result.published.push(delivery.unit);
    } catch (error) {
      failures.push(error);
      await deps.store.releaseDelivery(alertId, delivery.unit);
    }
  }
  if (failures.length > 0) {
    throw new BursarError('ALERT_NOT_DELIVERED', `alert ${alertId}: ${failures.length} unit(s) could not be published`, {
      alert_id: alertId, published: result.published,
    }, { cause: failures[0] });
  }
  return result;
}
