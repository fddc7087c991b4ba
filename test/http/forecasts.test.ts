/**
 * GET /api/v1/forecasts (issue 15 §4 on the overview): the exhaustion forecast of each open
 * envelope with a budget, the same figures as the summary's (and `budget show`'s), from the award
 * records; a bureau user gets their unit's measures only; the Server-Timing header is there.
 */
import { awardFields } from '../support/records.ts';
import { awardsCsv, startTestServer, type ApiClient, type TestServer } from './support/api-server.ts';

let server: TestServer;
let clerk: ApiClient;
let eitb: ApiClient;
let stb: ApiClient;

beforeAll(async () => {
  server = await startTestServer(); // the clock stands at 2025-06-10 10:00 in Shanghai
  await server.addUser('alice', ['clerk']);
  await server.addUser('jxj', ['bureau'], 'EITB');
  await server.addUser('kjj', ['bureau'], 'STB');
  clerk = await server.signIn('alice');
  eitb = await server.signIn('jxj');
  stb = await server.signIn('kjj');
  // Measure 7 (EITB's and IPC's): 5,000 yuan, 3,000 of it committed today. Measure 11 (STB's): nothing committed.
  expect((await clerk.put('/api/v1/envelopes/2025/7', { amount_yuan: '5000.00' })).status).toBe(200);
  expect((await clerk.put('/api/v1/envelopes/2025/11', { amount_yuan: '1000.00' })).status).toBe(200);
  const report = await eitb.csv('/api/v1/submissions', awardsCsv([1, 2, 3].map((n) => awardFields(n))));
  expect(report.body.reserved).toBe(3);
});
afterAll(async () => server.close());

test('per open envelope: burn rates and the projected day the money runs out, equal to the summary', async () => {
  const res = await clerk.get('/api/v1/forecasts?fiscal_year=2025');
  expect(res.status).toBe(200);
  expect(res.headers.get('server-timing')).toMatch(/^app;dur=\d+(\.\d)?$/);
  // 300,000 fen over 30 days = 10,000 a day; 200,000 left lasts 20 days. Since 1 January: 161 days.
  expect(res.body).toEqual({
    fiscal_year: 2025, as_of: '2025-06-10',
    forecasts: [
      { measure: 7, fiscal_year: 2025, burn_rate_fen_per_day: 10_000, burn_rate_year_fen_per_day: Math.floor(300_000 / 161), forecast_exhaustion_date: '2025-06-30' },
      { measure: 11, fiscal_year: 2025, burn_rate_fen_per_day: 0, burn_rate_year_fen_per_day: 0, forecast_exhaustion_date: 'not this year' },
    ],
  });
  const summary = await clerk.get('/api/v1/summary?fiscal_year=2025');
  for (const f of res.body.forecasts) {
    const m = summary.body.measures.find((x: { measure: number }) => x.measure === f.measure);
    expect(m).toMatchObject({ burn_rate_fen_per_day: f.burn_rate_fen_per_day, forecast_exhaustion_date: f.forecast_exhaustion_date });
  }
});

test("a bureau user gets their unit's measures only; a year without envelopes has no forecasts", async () => {
  expect((await eitb.get('/api/v1/forecasts?fiscal_year=2025')).body.forecasts.map((f: { measure: number }) => f.measure)).toEqual([7]);
  expect((await stb.get('/api/v1/forecasts?fiscal_year=2025')).body.forecasts.map((f: { measure: number }) => f.measure)).toEqual([11]);
  expect((await clerk.get('/api/v1/forecasts?fiscal_year=2026')).body).toEqual({ fiscal_year: 2026, as_of: '2025-06-10', forecasts: [] });
});

test('requests made together get the same answer; a new commitment shows at once', async () => {
  const answers = await Promise.all([clerk, eitb, clerk, stb].map((c) => c.get('/api/v1/forecasts?fiscal_year=2025')));
  expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
  expect(answers[0]!.body).toEqual(answers[2]!.body);
  expect(answers[1]!.body.forecasts).toEqual(answers[0]!.body.forecasts.filter((f: { measure: number }) => f.measure === 7));
  // A remembered forecast is one for the envelope's version: a new commitment changes it at once.
  expect((await eitb.csv('/api/v1/submissions', awardsCsv([awardFields(4)]))).body.reserved).toBe(1);
  const after = await clerk.get('/api/v1/forecasts?fiscal_year=2025');
  expect(after.body.forecasts[0]).toMatchObject({ measure: 7, burn_rate_fen_per_day: 13_333, forecast_exhaustion_date: '2025-06-18' });
  // A new day computes afresh: 31 days on, nothing was committed in the last 30.
  server.clock.advance(31 * 86_400_000);
  const later = await (await server.signIn('alice')).get('/api/v1/forecasts?fiscal_year=2025'); // the old session has expired

  expect(later.body.as_of).toBe('2025-07-11');
  expect(later.body.forecasts[0]).toMatchObject({ measure: 7, burn_rate_fen_per_day: 0, forecast_exhaustion_date: 'not this year' });
});
