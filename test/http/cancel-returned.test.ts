/**
 * POST /api/v1/awards/{id}/cancel on a RETURNED award (issue 13, finding 4), through the real HTTP
 * server on DynamoDB Local: a failed payment is a reviewer's decision, never its importer's; the
 * RESERVED/WAITLISTED contract (bureau: own unit, clerk: any) is unchanged.
 */
import { awardFields } from '../support/records.ts';
import { awardsCsv, startTestServer, type ApiClient, type TestServer } from './support/api-server.ts';

let server: TestServer;
let clerk: ApiClient;
let both: ApiClient;
let reviewer: ApiClient;
let bureau: ApiClient;

beforeAll(async () => {
  server = await startTestServer();
  await server.addUser('alice', ['clerk']);
  await server.addUser('carol', ['clerk', 'reviewer']);
  await server.addUser('bob', ['reviewer']);
  await server.addUser('eitb', ['bureau'], 'EITB');
  clerk = await server.signIn('alice');
  both = await server.signIn('carol');
  reviewer = await server.signIn('bob');
  bureau = await server.signIn('eitb');

  expect((await clerk.put('/api/v1/envelopes/2025/7', { amount_yuan: '50000.00' })).status).toBe(200);
  expect((await clerk.csv('/api/v1/submissions', awardsCsv([1, 2, 3].map((n) => awardFields(n))))).body.reserved).toBe(3);
  expect((await clerk.post('/api/v1/runs', { period: '2025-04' })).status).toBe(202);
  let run: { status: string; digest: string } | undefined;
  for (let i = 0; i < 200 && run?.status !== 'PREPARED'; i++) {
    run = (await reviewer.get('/api/v1/runs/RUN-2025-04')).body;
    if (run?.status !== 'PREPARED') await new Promise((r) => setTimeout(r, 100));
  }
  expect((await reviewer.post('/api/v1/runs/RUN-2025-04/approve', { digest: run!.digest })).status).toBe(200);
  expect((await clerk.post('/api/v1/runs/RUN-2025-04/export')).status).toBe(200);
  // carol imports the results: A-00003's payment failed.
  const settled = await both.csv('/api/v1/runs/RUN-2025-04/settlement',
    'award_id,status,reference,reason\nA-00001,PAID,B1,\nA-00003,FAILED,,account closed\n');
  expect(settled.body).toMatchObject({ paid: 1, failed: 1 });
  // A fourth award, RESERVED, for the unchanged contract.
  expect((await clerk.csv('/api/v1/submissions', awardsCsv([awardFields(4)]))).body.reserved).toBe(1);
});
afterAll(async () => server.close());

test('only a reviewer who did not import the failure cancels a RETURNED award; the money is available again, once', async () => {
  expect((await clerk.get('/api/v1/awards/A-00003')).body.status).toBe('RETURNED');
  const envelopeBefore = (await clerk.get('/api/v1/envelopes?fiscal_year=2025')).body;

  for (const [who, client] of [['bureau', bureau], ['clerk', clerk]] as const) {
    const refused = await client.post('/api/v1/awards/A-00003/cancel', { reason: 'not mine to decide' });
    expect([who, refused.status, refused.body.error.code]).toEqual([who, 403, 'FORBIDDEN']);
    expect(refused.body.error.message).toContain('reviewer');
  }
  const importer = await both.post('/api/v1/awards/A-00003/cancel', { reason: 'I imported it' });
  expect(importer.status).toBe(403);
  expect(importer.body.error.code).toBe('SAME_PERSON');
  expect((await clerk.get('/api/v1/envelopes?fiscal_year=2025')).body).toEqual(envelopeBefore);

  const smuggled = await reviewer.post('/api/v1/awards/A-00003/cancel', { reason: 'x', by: 'mallory' });
  expect(smuggled.status).toBe(400);

  const cancelled = await reviewer.post('/api/v1/awards/A-00003/cancel', { reason: 'enterprise dissolved' });
  expect(cancelled.status).toBe(200);
  expect(cancelled.body).toMatchObject({ changed: true, award: { status: 'CANCELLED' } });
  expect(cancelled.body.award.history.at(-1)).toMatchObject({ status: 'CANCELLED', by: 'bob', note: 'enterprise dissolved' });
  const envelope = await server.runtime.ledger.getEnvelope({ measure: 7, fiscal_year: 2025 });
  expect(envelope).toMatchObject({ returned_fen: 0, available_fen: 4_700_000 }) // 50,000 yuan less A-00001..A-00002 and A-00004;

  const again = await reviewer.post('/api/v1/awards/A-00003/cancel', { reason: 'enterprise dissolved' });
  expect(again.status).toBe(200);
  expect(again.body.changed).toBe(false);
  expect(await server.runtime.ledger.getEnvelope({ measure: 7, fiscal_year: 2025 })).toEqual(envelope);

  const audit = await server.deps.audit.list({ kind: 'award-cancel', limit: 10 });
  expect(audit).toEqual([expect.objectContaining({ actor: 'bob', subject: 'A-00003' })]);
});

test('the RESERVED/WAITLISTED contract is unchanged: a reviewer alone may not cancel a RESERVED award; bureau (own unit) and clerk may', async () => {
  const refused = await reviewer.post('/api/v1/awards/A-00004/cancel', { reason: 'no' });
  expect(refused.status).toBe(403);
  expect(refused.body.error.code).toBe('FORBIDDEN');
  expect((await clerk.get('/api/v1/awards/A-00004')).body.status).toBe('RESERVED');
  const own = await bureau.post('/api/v1/awards/A-00004/cancel', { reason: 'withdrawn by the bureau' });
  expect(own.status).toBe(200);
  expect(own.body.award.status).toBe('CANCELLED');
});
