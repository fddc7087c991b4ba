/**
 * A bureau user never sees another unit's award, envelope, alert or summary row; their submission's
 * records approved by another unit are INVALID naming approving_unit while the good ones go through.
 */
import type { Alert } from '../../shared/domain/alert.ts';
import { awardFields } from '../support/records.ts';
import { awardsCsv, type ApiClient } from './support/api-server.ts';
import { startWithTwoBureaus, type TwoBureaus } from './support/two-bureaus.ts';

// Set in beforeAll.
let { server, eitb, stb, clerk } = {} as TwoBureaus;

beforeAll(async () => {
  ({ server, eitb, stb, clerk } = await startWithTwoBureaus());
  // Measure 7 is EITB's (and IPC's), measure 11 STB's alone.
  for (const m of [7, 11]) expect((await clerk.put(`/api/v1/envelopes/2025/${m}`, { amount_yuan: '100000.00' })).status).toBe(200);
  const stbAward = awardFields(900, { award_id: 'S-00900', measure: '11', approving_unit: 'STB' });
  expect((await stb.csv('/api/v1/submissions', awardsCsv([stbAward]))).body.reserved).toBe(1);
});
afterAll(async () => server.close());

test("a bureau's submission: other units' records are INVALID on approving_unit, its own go through", async () => {
  const rows = [
    awardFields(1),
    awardFields(2, { approving_unit: 'IPC' }),
    awardFields(3, { approving_unit: '区经信局' }),
    awardFields(4, { measure: '11', approving_unit: 'STB' }),
  ];
  const res = await eitb.csv('/api/v1/submissions', awardsCsv(rows));
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ submitted: 4, reserved: 2, invalid: 2 });
  const byLine = new Map(res.body.results.map((r: { line: number }) => [r.line, r]));
  expect(byLine.get(3)).toMatchObject({ award_id: 'A-00002', outcome: 'INVALID', errors: [{ field: 'approving_unit' }] });
  expect(byLine.get(5)).toMatchObject({ award_id: 'A-00004', outcome: 'INVALID', errors: [{ field: 'approving_unit' }] });
  expect(byLine.get(2)).toMatchObject({ outcome: 'RESERVED' });
  expect(byLine.get(4)).toMatchObject({ outcome: 'RESERVED' });
  // Nothing of the refused records was stored.
  expect(await server.runtime.ledger.getAward('A-00002')).toBeUndefined();
  // A clerk submits for any unit.
  const byClerk = await clerk.csv('/api/v1/submissions', awardsCsv([awardFields(2, { approving_unit: 'IPC' })]));
  expect(byClerk.body.reserved).toBe(1);
});

test("another unit's award is 404, as if it did not exist; lists are filtered", async () => {
  expect((await stb.get('/api/v1/awards/A-00001')).status).toBe(404);
  expect((await eitb.get('/api/v1/awards/S-00900')).status).toBe(404);
  expect((await eitb.get('/api/v1/awards/A-00002')).status).toBe(404); // IPC's award on an EITB measure
  expect((await eitb.get('/api/v1/awards/A-00001')).status).toBe(200);

  const all = await eitb.get('/api/v1/awards');
  expect(all.body.awards.map((a: { award_id: string }) => a.award_id).sort()).toEqual(['A-00001', 'A-00003']);
  const asking = await eitb.get('/api/v1/awards?unit=STB');
  expect(asking.body.awards).toEqual([]);
  const indexed = await eitb.get('/api/v1/awards?status=RESERVED&measure=7');
  expect(indexed.body.awards.map((a: { approving_unit: string }) => a.approving_unit)).toEqual(['EITB', 'EITB']);
  const search = await stb.get(`/api/v1/awards?q=${encodeURIComponent('宁波测试制造有限公司')}`);
  expect(search.body.awards.map((a: { award_id: string }) => a.award_id)).toEqual(['S-00900']);
  expect((await clerk.get(`/api/v1/awards?q=${encodeURIComponent('宁波测试制造有限公司')}`)).body.awards).toHaveLength(4);
});

test("a bureau user cannot cancel another unit's award (404); a clerk can cancel any", async () => {
  const refused = await eitb.post('/api/v1/awards/S-00900/cancel', { reason: 'not ours' });
  expect(refused.status).toBe(404);
  expect((await server.runtime.ledger.getAward('S-00900'))?.status).toBe('RESERVED');
  const own = await eitb.post('/api/v1/awards/A-00003/cancel', { reason: 'withdrawn by the bureau' });
  expect(own.status).toBe(200);
  expect(own.body.award.status).toBe('CANCELLED');
  expect(own.body.award.history.at(-1)).toMatchObject({ status: 'CANCELLED', by: 'jxj', note: 'withdrawn by the bureau' });
  const audit = await server.deps.audit.list({ kind: 'award-cancel', limit: 10 });
  expect(audit).toEqual([expect.objectContaining({ actor: 'jxj', subject: 'A-00003' })]);
});

test('envelopes and the summary show only measures the unit is responsible for', async () => {
  const envEitb = await eitb.get('/api/v1/envelopes?fiscal_year=2025');
  expect(envEitb.body.envelopes.map((e: { measure: number }) => e.measure)).toEqual([7]);
  const envStb = await stb.get('/api/v1/envelopes');
  expect(envStb.body.envelopes.map((e: { measure: number }) => e.measure)).toEqual([11]);

  const sum = await stb.get('/api/v1/summary?fiscal_year=2025');
  expect(sum.status).toBe(200);
  expect(sum.body.measures.filter((m: { budget_fen: number }) => m.budget_fen > 0).map((m: { measure: number }) => m.measure)).toEqual([11]);
  expect(sum.body.measures.every((m: { measure: number }) => [4, 11, 12, 21, 23, 27].includes(m.measure))).toBe(true);
  expect(sum.body.units.map((u: { unit: string }) => u.unit)).toEqual(['STB']);
  expect(sum.body.total.budget_fen).toBe(10_000_000);
  const csv = await stb.get('/api/v1/summary?fiscal_year=2025&format=csv');
  expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
  expect(csv.text).not.toContain('EITB');
  const xlsx = await stb.get('/api/v1/summary?fiscal_year=2025&format=xlsx');
  expect(xlsx.status).toBe(200);
  expect(xlsx.headers.get('content-type')).toContain('spreadsheetml');

  const full = await clerk.get('/api/v1/summary?fiscal_year=2025');
  expect(full.body.total.budget_fen).toBe(20_000_000);
});

test("alerts: a bureau user reads only its unit's", async () => {
  const alert = (id: string, units: Alert['units']): Alert => ({
    alert_id: id, kind: 'THRESHOLD', measure: 7, fiscal_year: 2025, threshold: 80, units, created_at: '2025-06-01T00:00:00.000Z',
    message: 'test alert',
  } as Alert);
  const outbox = (await import('../../shared/adapters/dynamo/dynamo-alert-outbox.ts')).DynamoAlertOutbox;
  const store = new outbox(server.table.doc, server.table.tableName, { maxTransactionItems: 10 });
  await store.putAlert(alert('AL-EITB', ['EITB', 'FIN']));
  await store.putAlert(alert('AL-STB', ['STB', 'FIN']));
  const ids = async (c: ApiClient) => (await c.get('/api/v1/alerts?since=2025-01-01')).body.alerts.map((a: { alert_id: string }) => a.alert_id).sort();
  expect(await ids(eitb)).toEqual(['AL-EITB']);
  expect(await ids(stb)).toEqual(['AL-STB']);
  expect(await ids(clerk)).toEqual(['AL-EITB', 'AL-STB']);
});
