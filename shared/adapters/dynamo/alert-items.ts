import type { Alert } from '../../domain/alert.ts';
import type { UnitCode } from '../../domain/units.ts';
import type { AlertDelivery } from '../../ports/alert-outbox.ts';
import type { Item } from './items.ts';

/**
 * Alert outbox items (layout beside table-schema.ts):
 *
 *   pk                 sk             item
 *   ALERT#<alert_id>   ALERT          the alert            gsi2pk ALERTS             gsi2sk <created_at>#<alert_id>
 *   ALERT#<alert_id>   UNIT#<code>    its delivery to one  gsi2pk ALERTUNIT#<code>   gsi2sk <created_at>#<alert_id>
 *                                     unit (a copy of the alert, plus sent_at once published)
 *
 * So `alerts list` is a GSI2 query on ALERTS, `alerts list --unit X` one on ALERTUNIT#X, and
 * `--since` a range condition on gsi2sk (created_at is an ISO UTC instant, which sorts as text).
 * Envelope items carry `alerts_fired`, a number set of thresholds that fired and were not re-armed.
 */
export const alertPk = (alertId: string) => `ALERT#${alertId}`;
export const ALERT_SK = 'ALERT';
export const DELIVERY_PREFIX = 'UNIT#';
export const deliverySk = (unit: UnitCode) => `${DELIVERY_PREFIX}${unit}`;
export const ALERT_LIST_PK = 'ALERTS';
export const unitAlertListPk = (unit: UnitCode) => `ALERTUNIT#${unit}`;
export const alertListSk = (alert: Pick<Alert, 'created_at' | 'alert_id'>) => `${alert.created_at}#${alert.alert_id}`;

const ALERT_FIELDS = ['alert_id', 'kind', 'measure', 'fiscal_year', 'threshold', 'wait_reason', 'units', 'created_at', 'subject', 'message', 'award_id', 'forecast_exhaustion_date'] as const;

export function alertItem(alert: Alert): Item {
  return { pk: alertPk(alert.alert_id), sk: ALERT_SK, type: 'ALERT', ...alert, gsi2pk: ALERT_LIST_PK, gsi2sk: alertListSk(alert) };
}

export function deliveryItem(alert: Alert, unit: UnitCode): Item {
  return {
    pk: alertPk(alert.alert_id), sk: deliverySk(unit), type: 'ALERT_DELIVERY', ...alert, unit,
    gsi2pk: unitAlertListPk(unit), gsi2sk: alertListSk(alert),
  };
}

export function itemToAlert(item: Item): Alert {
  const alert: Record<string, unknown> = {};
  for (const field of ALERT_FIELDS) if (item[field] !== undefined) alert[field] = item[field];
  return alert as unknown as Alert;
}

export function itemToDelivery(item: Item): AlertDelivery {
  return {
    alert_id: String(item.alert_id),
    unit: item.unit as UnitCode,
    created_at: String(item.created_at),
    ...(typeof item.sent_at === 'string' ? { sent_at: item.sent_at } : {}),
    ...(typeof item.sns_message_id === 'string' ? { sns_message_id: item.sns_message_id } : {}),
  };
}
