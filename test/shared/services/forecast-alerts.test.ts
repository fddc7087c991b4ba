import { afterAll, beforeEach, expect, test } from '@jest/globals';
import { freshTable, type TestTable } from '../../support/dynamo.ts';
import { awardFields, ledgerOn } from '../../support/records.ts';
import { budget, clockAt, reserve } from '../../support/runs.ts';
import { outboxOn } from '../../support/alerts.ts';
import type { DynamoAlertOutbox } from '../../../shared/adapters/dynamo/dynamo-alert-outbox.ts';
import { DynamoReconciliationStore } from '../../../shared/adapters/dynamo/dynamo-reconciliation-store.ts';
import type { DynamoLedger } from '../../../shared/adapters/dynamo/dynamo-ledger.ts';
import type { Alert } from '../../../shared/domain/alert.ts';
import { forecastAlertDaysFromEnv, raiseForecastAlerts } from '../../../shared/services/forecast-alerts.ts';
import { runReconciliation } from '../../../shared/services/run-reconciliation.ts';

const tables: TestTable[] = [];
let table: TestTable;
let ledger: DynamoLedger;
let outbox: DynamoAlertOutbox;
afterAll(async () => { await Promise.all(tables.map((t) => t.drop())); });

beforeEach(async () => {
  table = await freshTable();
  tables.push(table);
  ledger = ledgerOn(table);
  outbox = outboxOn(table);
  await budget(ledger, clockAt('2025-05-01T02:00:00Z'), 7, 2025, 10_000);
  // 4,500 yuan committed in May: 15,000 fen a day over the last 30 days; 5,500 yuan left lasts 37 days.
  await reserve(ledger, clockAt('2025-05-10T02:00:00Z'), [awardFields(1, { amount_yuan: '3000.00' })]);
  await reserve(ledger, clockAt('2025-05-20T02:00:00Z'), [awardFields(2, { amount_yuan: '1500.00' })]);
});

const raise = (iso: string, days?: number) => raiseForecastAlerts({ ledger, outbox, clock: clockAt(iso), ...(days !== undefined ? { days } : {}) });
async function forecastAlerts(): Promise<Alert[]> {
  const out: Alert[] = [];
  for await (const a of outbox.listAlerts({})) if (a.kind === 'FORECAST') out.push(a);
  return out;
}

test('a FORECAST alert goes to the units and FIN when the envelope runs out within the window, at most once per 7 days', async () => {
  // Runs out on 7 July: outside the default 30 days on 31 May, inside a 40-day window.
  expect(await raise('2025-05-31T02:00:00Z')).toEqual([]);
  expect(await raise('2025-05-31T02:00:00Z', 40)).toEqual(['F-2025-007-2025-05-31']);
  const [alert] = await forecastAlerts();
  expect(alert).toMatchObject({ kind: 'FORECAST', measure: 7, fiscal_year: 2025, forecast_exhaustion_date: '2025-07-07', threshold: null });
  expect(alert!.units.at(-1)).toBe('FIN');
  expect(alert!.message).toContain('2025-07-07');
  // Again the same day, the next day and six days later: nothing; a week after: a new one.
  expect(await raise('2025-05-31T09:00:00Z', 40)).toEqual([]);
  expect(await raise('2025-06-01T02:00:00Z', 40)).toEqual([]);
  expect(await raise('2025-06-06T02:00:00Z', 40)).toEqual([]);
  expect(await raise('2025-06-07T02:00:00Z', 40)).toEqual(['F-2025-007-2025-06-07']);
  expect((await forecastAlerts()).map((a) => [a.alert_id, a.forecast_exhaustion_date])).toEqual([
    ['F-2025-007-2025-05-31', '2025-07-07'], ['F-2025-007-2025-06-07', '2025-07-14'],
  ]);
});

test('racing runs raise one alert; no alert after the year end, for an exhausted envelope, or without commitments', async () => {
  const raced = await Promise.all([raise('2025-05-31T02:00:00Z', 40), raise('2025-05-31T02:00:00Z', 40), raise('2025-05-31T02:00:00Z', 40)]);
  expect(raced.flat()).toEqual(['F-2025-007-2025-05-31']);
  expect(await forecastAlerts()).toHaveLength(1);
  // A projected date after 31 December is "not this year": no warning.
  expect(await raise('2025-11-20T02:00:00Z', 60)).toEqual([]);
  // Measure 12 has a budget and no awards: nothing is being committed.
  await budget(ledger, clockAt('2025-05-01T02:00:00Z'), 12, 2025, 1_000);
  expect(await raise('2025-06-30T02:00:00Z', 366)).toEqual([]);
  // Exhausted: the 100% threshold alert has said so already.
  await reserve(ledger, clockAt('2025-06-20T02:00:00Z'), [awardFields(3, { amount_yuan: '5500.00' })]);
  expect((await ledger.getEnvelope({ measure: 7, fiscal_year: 2025 }))!.available_fen).toBe(0);
  expect(await raise('2025-06-30T02:00:00Z', 366)).toEqual([]);
});

test('the nightly reconciliation raises them (with an outbox and the award records); the window is a setting', async () => {
  const deps = { ledger, store: new DynamoReconciliationStore(table.doc, table.tableName), clock: clockAt('2025-05-31T02:00:00Z'), outbox };
  expect((await runReconciliation(deps)).forecast_alert_ids).toBeUndefined();
  expect((await runReconciliation({ ...deps, forecast: { ledger, days: 40 } })).forecast_alert_ids).toEqual(['F-2025-007-2025-05-31']);
  expect(forecastAlertDaysFromEnv(undefined)).toBe(30);
  expect(forecastAlertDaysFromEnv('45')).toBe(45);
  expect(() => forecastAlertDaysFromEnv('0')).toThrow(/BURSAR_FORECAST_ALERT_DAYS/);
  expect(() => forecastAlertDaysFromEnv('2.5')).toThrow(/BURSAR_FORECAST_ALERT_DAYS/);
});
