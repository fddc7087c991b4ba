import { afterAll, expect, test } from '@jest/globals';
import { freshTable, type TestTable } from '../../support/dynamo.ts';
import { awardFields, ledgerOn } from '../../support/records.ts';
import { budget, clockAt, reserve } from '../../support/runs.ts';
import { forecastEnvelopes } from '../../../shared/services/forecast-envelopes.ts';

const tables: TestTable[] = [];
afterAll(async () => { await Promise.all(tables.map((t) => t.drop())); });

test('budget show forecast from the stored awards, deterministic with the clock', async () => {
  const t = await freshTable();
  tables.push(t);
  const ledger = ledgerOn(t);
  await budget(ledger, clockAt('2025-05-01T02:00:00Z'), 7, 2025, 10_000);
  // 3,000 yuan committed on 10 May (Shanghai), 1,500 on 20 May.
  await reserve(ledger, clockAt('2025-05-10T02:00:00Z'), [awardFields(1, { amount_yuan: '3000.00' })]);
  await reserve(ledger, clockAt('2025-05-20T02:00:00Z'), [awardFields(2, { amount_yuan: '1500.00' })]);
  const envelopes = await ledger.listEnvelopes(2025);
  const at = async (iso: string) => (await forecastEnvelopes(ledger, clockAt(iso), envelopes)).get('2025#7');
  // 450,000 fen over 30 days = 15,000 a day; 550,000 available lasts 37 days.
  expect(await at('2025-05-31T02:00:00Z')).toEqual({ burn_rate_fen_per_day: 15_000, burn_rate_year_fen_per_day: Math.floor(450_000 / 151), forecast_exhaustion_date: '2025-07-07' });
  expect(await at('2025-05-31T02:00:00Z')).toEqual(await at('2025-05-31T02:00:00Z'));
  expect((await at('2025-07-01T02:00:00Z'))!.forecast_exhaustion_date).toBe('not this year');
});
