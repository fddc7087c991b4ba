import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { startTestServer, type ApiClient, type TestServer } from './support/api-server.ts';

let server: TestServer;
let clerk: ApiClient;
let reviewer: ApiClient;
beforeAll(async () => {
  server = await startTestServer();
  await server.addUser('alice', ['clerk']);
  await server.addUser('bob', ['reviewer']);
  clerk = await server.signIn('alice');
  reviewer = await server.signIn('bob');
});
afterAll(async () => server.close());

test('POST /api/v1/transfers: clerk only, as budget transfer, idempotent on transfer_id, refusals with their codes', async () => {
  expect((await clerk.put('/api/v1/envelopes/2025/7', { amount_yuan: '1000.00' })).status).toBe(200);
  const body = { fiscal_year: '2025', from_measure: '7', to_measure: '12', amount_yuan: '250.00', reason: '调剂', transfer_id: 'T-API-1' };
  expect((await reviewer.post('/api/v1/transfers', body)).status).toBe(403);
  const ok = await clerk.post('/api/v1/transfers', body);
  expect(ok.status).toBe(200);
  expect(ok.body).toMatchObject({ transfer_id: 'T-API-1', from: { measure: 7, budget_fen: 75_000 }, to: { measure: 12, budget_fen: 25_000 }, drained: [], changed: true });
  expect((await clerk.post('/api/v1/transfers', body)).body).toMatchObject({ changed: false, from: { budget_fen: 75_000 } });
  const conflict = await clerk.post('/api/v1/transfers', { ...body, amount_yuan: '1.00' });
  expect([conflict.status, conflict.body.error.code]).toEqual([409, 'TRANSFER_ID_CONFLICT']);
  const short = await clerk.post('/api/v1/transfers', { ...body, transfer_id: 'T-API-2', amount_yuan: '750.01' });
  expect([short.status, short.body.error.code]).toEqual([409, 'INSUFFICIENT_AVAILABLE']);
  const same = await clerk.post('/api/v1/transfers', { ...body, to_measure: '7' });
  expect([same.status, same.body.error.code]).toEqual([409, 'SAME_ENVELOPE']);
  const number = await clerk.post('/api/v1/transfers', { ...body, amount_yuan: 5 });
  expect(number.status).toBe(400);
});
