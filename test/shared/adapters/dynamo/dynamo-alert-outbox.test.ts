/** DynamoAlertOutbox against DynamoDB Local: exactly-once firing, re-arming, alerts and their deliveries. */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { DynamoAlertOutbox } from '../../../../shared/adapters/dynamo/dynamo-alert-outbox.ts';
import { DynamoLedger } from '../../../../shared/adapters/dynamo/dynamo-ledger.ts';
import { thresholdAlert, waitlistAlert } from '../../../../shared/domain/build-alert.ts';
import type { Envelope, EnvelopeKey } from '../../../../shared/domain/envelope.ts';
import { freshTable, type TestTable } from '../../../support/dynamo.ts';
import { listAlerts } from '../../../support/alerts.ts';

const KEY: EnvelopeKey = { measure: 7, fiscal_year: 2025 };

let table: TestTable;
let ledger: DynamoLedger;
let outbox: DynamoAlertOutbox;
let envelope: Envelope;

beforeEach(async () => {
  table = await freshTable();
  ledger = new DynamoLedger(table.doc, table.tableName, { maxTransactionItems: 10 });
  outbox = new DynamoAlertOutbox(table.doc, table.tableName, { maxTransactionItems: 10 });
  await ledger.writeBudget(KEY, undefined, { budget_fen: 10_000, available_fen: 10_000, alert_at: [80, 90, 100] },
    { at: '2025-05-01T00:00:00.000Z', by: 'officer', old_budget_fen: null, new_budget_fen: 10_000 });
  envelope = (await ledger.getEnvelope(KEY))!;
});
afterEach(async () => { await table.drop(); });

describe('thresholds', () => {
  test('fireThreshold stores the alert and marks the threshold fired once; a second fire or a stale version changes nothing', async () => {
    expect(await outbox.readAlertState(KEY)).toEqual({ envelope, fired: [] });
    const alert = thresholdAlert(envelope, 80, '2025-05-02T00:00:00.000Z');
    expect(await outbox.fireThreshold(KEY, envelope.version, 80, alert)).toBe('written');
    expect((await outbox.readAlertState(KEY))!.fired).toEqual([80]);
    const stored = await outbox.getAlert(alert.alert_id);
    expect(stored!.alert).toEqual(alert);
    expect(stored!.deliveries.map((d) => d.unit).sort()).toEqual([...alert.units].sort());
    expect(stored!.deliveries.every((d) => d.sent_at === undefined)).toBe(true);

    expect(await outbox.fireThreshold(KEY, envelope.version, 80, { ...alert, alert_id: 'other-id' })).toBe('changed');
    expect(await outbox.fireThreshold(KEY, envelope.version - 1, 90, thresholdAlert(envelope, 90, '2025-05-02T00:00:00.000Z'))).toBe('changed');
    expect(await outbox.getAlert('other-id')).toBeUndefined();
    expect((await outbox.readAlertState(KEY))!.fired).toEqual([80]);
    // Firing never bumps the envelope's version (it stays the money lock).
    expect((await ledger.getEnvelope(KEY))!.version).toBe(envelope.version);
  });

  test('racing fires of one threshold: exactly one is written', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) =>
      outbox.fireThreshold(KEY, envelope.version, 100, { ...thresholdAlert(envelope, 100, '2025-05-02T00:00:00.000Z'), alert_id: `race-${i}` })));
    expect(results.filter((r) => r === 'written')).toHaveLength(1);
    expect(await listAlerts(outbox)).toHaveLength(1);
  });

  test('rearmThresholds removes fired thresholds at the version read only', async () => {
    await outbox.fireThreshold(KEY, envelope.version, 80, thresholdAlert(envelope, 80, '2025-05-02T00:00:00.000Z'));
    await outbox.fireThreshold(KEY, envelope.version, 90, thresholdAlert(envelope, 90, '2025-05-02T00:00:00.000Z'));
    expect(await outbox.rearmThresholds(KEY, envelope.version + 1, [90])).toBe('changed');
    expect(await outbox.rearmThresholds(KEY, envelope.version, [90])).toBe('written');
    expect((await outbox.readAlertState(KEY))!.fired).toEqual([80]);
    expect(await outbox.rearmThresholds(KEY, 12345, [])).toBe('written');
  });
});

describe('alerts and deliveries', () => {
  test('putAlert stores once; listAlerts by unit and since, oldest first', async () => {
    const a = waitlistAlert(envelope, 'BUDGET_EXHAUSTED', '2025-05-02T01:00:00.000Z');
    const b = { ...thresholdAlert(envelope, 80, '2025-05-03T01:00:00.000Z'), units: ['FIN' as const] };
    expect(await outbox.putAlert(a)).toBe('written');
    expect(await outbox.putAlert(a)).toBe('exists');
    expect(await outbox.putAlert(b)).toBe('written');
    expect((await listAlerts(outbox)).map((x) => x.alert_id)).toEqual([a.alert_id, b.alert_id]);
    expect((await listAlerts(outbox, { since: '2025-05-03T00:00:00.000Z' })).map((x) => x.alert_id)).toEqual([b.alert_id]);
    expect(a.units).toContain('EITB');
    expect((await listAlerts(outbox, { unit: 'EITB' })).map((x) => x.alert_id)).toEqual([a.alert_id]);
    expect((await listAlerts(outbox, { unit: 'FIN' })).map((x) => x.alert_id)).toEqual([a.alert_id, b.alert_id]);
  });

  test('a delivery is claimed by one notifier at a time, released on failure, and never claimed once delivered', async () => {
    const a = { ...waitlistAlert(envelope, 'NO_ENVELOPE', '2025-05-02T01:00:00.000Z'), units: ['FIN' as const] };
    await outbox.putAlert(a);
    expect(await outbox.claimDelivery(a.alert_id, 'FIN', '2025-05-02T01:00:00.000Z', '2025-05-02T01:05:00.000Z')).toBe(true);
    expect(await outbox.claimDelivery(a.alert_id, 'FIN', '2025-05-02T01:01:00.000Z', '2025-05-02T01:06:00.000Z')).toBe(false);
    // An expired lease may be taken over.
    expect(await outbox.claimDelivery(a.alert_id, 'FIN', '2025-05-02T01:10:00.000Z', '2025-05-02T01:15:00.000Z')).toBe(true);
    await outbox.releaseDelivery(a.alert_id, 'FIN');
    expect(await outbox.claimDelivery(a.alert_id, 'FIN', '2025-05-02T01:11:00.000Z', '2025-05-02T01:16:00.000Z')).toBe(true);
    await outbox.markDelivered(a.alert_id, 'FIN', '2025-05-02T01:12:00.000Z', 'sns-1');
    expect((await outbox.getAlert(a.alert_id))!.deliveries).toEqual([
      { alert_id: a.alert_id, unit: 'FIN', created_at: a.created_at, sent_at: '2025-05-02T01:12:00.000Z', sns_message_id: 'sns-1' },
    ]);
    expect(await outbox.claimDelivery(a.alert_id, 'FIN', '2025-05-03T00:00:00.000Z', '2025-05-03T00:05:00.000Z')).toBe(false);
    await outbox.releaseDelivery(a.alert_id, 'FIN'); // a late release after delivery is harmless
    expect(await outbox.claimDelivery(a.alert_id, 'EITB', '2025-05-03T00:00:00.000Z', '2025-05-03T00:05:00.000Z')).toBe(false);
  });
});
