import { randomUUID } from 'node:crypto';
import {
  GetCommand, UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { Alert } from '../../domain/alert.ts';
import { TransientError } from '../../domain/errors.ts';
import type { EnvelopeKey } from '../../domain/envelope.ts';
import type { UnitCode } from '../../domain/units.ts';
import type {
  AlertDelivery, AlertDeliveryStore, AlertOutbox, AlertQuery, ConditionalWrite, EnvelopeAlertState,
} from '../../ports/alert-outbox.ts';
import { conditionalUpdate, isConditionalCheckFailed, queryItems } from './operations.ts';
import { Transaction } from './transaction.ts';
import { GSI2 } from './table-schema.ts';
import { ENVELOPE_SK, envelopePk, itemToEnvelope } from './items.ts';
import {
  ALERT_LIST_PK, ALERT_SK, DELIVERY_PREFIX, alertItem, alertPk, deliveryItem, deliverySk, itemToAlert, itemToDelivery, unitAlertListPk,
} from './alert-items.ts';


/**
 * The alert outbox and delivery markers on the single table (layout in alert-items.ts).
 *
 * Exactly-once firing: the envelope item's `alerts_fired` number set and the alert items change in
 * one transaction whose condition is `version = :v AND NOT contains(alerts_fired, :t)`. Racing or
 * repeated callers computing from the same state all try the same write; one wins, the others' condition
 * fails and they re-read. The version condition ties every fire/re-arm decision to the exact envelope
 * state it was computed from, so a stale decision is never applied. These writes do not bump
 * `version`: it stays the money/budget lock.
 */
export class DynamoAlertOutbox implements AlertOutbox, AlertDeliveryStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: { maxTransactionItems: number },
  ) {}

  async readAlertState(key: EnvelopeKey): Promise<EnvelopeAlertState | undefined> {
    const out = await this.doc.send(new GetCommand({
      TableName: this.tableName, Key: { pk: envelopePk(key), sk: ENVELOPE_SK }, ConsistentRead: true,
    }));
    if (!out.Item) return undefined;
    const fired = out.Item.alerts_fired instanceof Set ? [...(out.Item.alerts_fired as Set<unknown>)].map(Number) : [];
    return { envelope: itemToEnvelope(out.Item), fired: fired.sort((a, b) => a - b) };
  }

  fireThreshold(key: EnvelopeKey, version: number, threshold: number, alert: Alert): Promise<ConditionalWrite> {
    return this.transact(this.alertPuts(alert).add('envelope', {
        Update: {
          TableName: this.tableName,
          Key: { pk: envelopePk(key), sk: ENVELOPE_SK },
          ConditionExpression: 'version = :v AND NOT contains(alerts_fired, :t)',
          UpdateExpression: 'ADD alerts_fired :set',
          ExpressionAttributeValues: { ':v': version, ':t': threshold, ':set': new Set([threshold]) },
        },
    }));
  }

  fireForecast(key: EnvelopeKey, day: string, notAfter: string, alert: Alert): Promise<ConditionalWrite> {
    return this.transact(this.alertPuts(alert).add('envelope', {
      Update: {
        TableName: this.tableName,
        Key: { pk: envelopePk(key), sk: ENVELOPE_SK },
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(forecast_alerted_on) OR forecast_alerted_on <= :notAfter)',
        UpdateExpression: 'SET forecast_alerted_on = :day',
        ExpressionAttributeValues: { ':day': day, ':notAfter': notAfter },
      },
    }));
  }

  async rearmThresholds(key: EnvelopeKey, version: number, thresholds: readonly number[]): Promise<ConditionalWrite> {
    if (thresholds.length === 0) return 'written';
    const written = await conditionalUpdate(this.doc, {
      TableName: this.tableName,
      Key: { pk: envelopePk(key), sk: ENVELOPE_SK },
      ConditionExpression: 'version = :v',
      UpdateExpression: 'DELETE alerts_fired :set',
      ExpressionAttributeValues: { ':v': version, ':set': new Set(thresholds) },
    });
    return written ? 'written' : 'changed';
  }

  async putAlert(alert: Alert): Promise<'written' | 'exists'> {
    for (let attempt = 0; ; attempt++) {
      const result = await this.transact(this.alertPuts(alert));
      if (result === 'written') return 'written';
      // Either it exists, or the write collided with a concurrent one for the same id: look.
      if (await this.getAlert(alert.alert_id)) return 'exists';
      if (attempt >= 5) throw new TransientError(`alert ${alert.alert_id} could not be stored: writes kept colliding`);
    }
  }

  async getAlert(alertId: string): Promise<{ alert: Alert; deliveries: AlertDelivery[] } | undefined> {
    let alert: Alert | undefined;
    const deliveries: AlertDelivery[] = [];
    for await (const item of queryItems(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': alertPk(alertId) },
      ConsistentRead: true,
    })) {
      if (item.sk === ALERT_SK) alert = itemToAlert(item);
      else if (String(item.sk).startsWith(DELIVERY_PREFIX)) deliveries.push(itemToDelivery(item));
    }
    return alert ? { alert, deliveries } : undefined;
  }

  async *listAlerts(query: AlertQuery): AsyncIterable<Alert> {
    const pk = query.unit ? unitAlertListPk(query.unit) : ALERT_LIST_PK;
    const since = query.since !== undefined;
    for await (const item of queryItems(this.doc, {
      TableName: this.tableName,
      IndexName: GSI2.name,
      KeyConditionExpression: since ? '#pk = :pk AND #sk >= :since' : '#pk = :pk',
      ExpressionAttributeNames: since ? { '#pk': GSI2.pk, '#sk': GSI2.sk } : { '#pk': GSI2.pk },
      ExpressionAttributeValues: since ? { ':pk': pk, ':since': query.since } : { ':pk': pk },
    })) yield itemToAlert(item);
  }

  async claimDelivery(alertId: string, unit: UnitCode, now: string, leaseUntil: string): Promise<boolean> {
    return conditionalUpdate(this.doc, {
      TableName: this.tableName,
      Key: { pk: alertPk(alertId), sk: deliverySk(unit) },
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(sent_at) AND (attribute_not_exists(claimed_until) OR claimed_until < :now)',
      UpdateExpression: 'SET claimed_until = :lease, claim_id = :claim',
      ExpressionAttributeValues: { ':now': now, ':lease': leaseUntil, ':claim': randomUUID() },
    });
  }

  async markDelivered(alertId: string, unit: UnitCode, at: string, messageId: string): Promise<void> {
    await this.doc.send(new UpdateCommand({
      TableName: this.tableName,
      Key: { pk: alertPk(alertId), sk: deliverySk(unit) },
      ConditionExpression: 'attribute_exists(pk)',
      UpdateExpression: 'SET sent_at = :at, sns_message_id = :mid REMOVE claimed_until, claim_id',
      ExpressionAttributeValues: { ':at': at, ':mid': messageId },
    }));
  }

  async releaseDelivery(alertId: string, unit: UnitCode): Promise<void> {
    await this.doc.send(new UpdateCommand({
      TableName: this.tableName,
      Key: { pk: alertPk(alertId), sk: deliverySk(unit) },
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(sent_at)',
      UpdateExpression: 'REMOVE claimed_until, claim_id',
    })).catch((error: unknown) => {
      if (!isConditionalCheckFailed(error)) throw error;
    });
  }

  // ---- plumbing ------------------------------------------------------------------------------

  /** The alert item and one delivery item per unit, each created only if absent. */
  private alertPuts(alert: Alert): Transaction {
    const items = 2 + alert.units.length;
    if (items > this.options.maxTransactionItems) {
      throw new RangeError(`alert ${alert.alert_id} needs ${items} transaction items, more than ${this.options.maxTransactionItems}`);
    }
    const put = (Item: Record<string, unknown>) => ({ Put: { TableName: this.tableName, Item, ConditionExpression: 'attribute_not_exists(pk)' } });
    const tx = new Transaction().add('alert', put(alertItem(alert)), alert.alert_id);
    for (const unit of alert.units) tx.add('alert-delivery', put(deliveryItem(alert, unit)), unit);
    return tx;
  }

  private async transact(tx: Transaction): Promise<ConditionalWrite> {
    return (await tx.run(this.doc)).ok ? 'written' : 'changed';
  }

}

