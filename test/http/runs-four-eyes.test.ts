/**
 * The money path through the API: budget, submission, prepare in the background (202, PREPARING →
 * PREPARED), four eyes by person, export, files, audited download, settlement; the signed-in user
 * is the actor everywhere, and the audit log says who did what.
 */
import { awardFields } from '../support/records.ts';
import { awardsCsv, startTestServer, type ApiClient, type TestServer } from './support/api-server.ts';

let server: TestServer;
let clerk: ApiClient;
let both: ApiClient;
let reviewer: ApiClient;
let auditor: ApiClient;

beforeAll(async () => {
  server = await startTestServer();
  await server.addUser('alice', ['clerk']);
  await server.addUser('carol', ['clerk', 'reviewer']);
  await server.addUser('bob', ['reviewer']);
  await server.addUser('audra', ['auditor']);
  clerk = await server.signIn('alice');
  both = await server.signIn('carol');
  reviewer = await server.signIn('bob');
  auditor = await server.signIn('audra');
});
afterAll(async () => server.close());

async function waitFor(client: ApiClient, runId: string, status: string) {
  for (let i = 0; i < 200; i++) {
    const res = await client.get(`/api/v1/runs/${runId}`);
    if (res.status === 200 && res.body.status === status) return res.body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${runId} never reached ${status}`);
}

test('prepare, four eyes by person, export, download, settle', async () => {
  expect((await clerk.put('/api/v1/envelopes/2025/7', { amount_yuan: '50000.00' })).status).toBe(200);
  const submitted = await clerk.csv('/api/v1/submissions', awardsCsv([1, 2, 3].map((n) => awardFields(n))));
  expect(submitted.status).toBe(200);
  expect(submitted.body.reserved).toBe(3);

  // carol holds clerk and reviewer: she prepares, so she may never approve.
  const prepared = await both.post('/api/v1/runs', { period: '2025-04' });
  expect(prepared.status).toBe(202);
  expect(prepared.body).toEqual({ run_id: 'RUN-2025-04', status: expect.stringMatching(/^(PREPARING|PREPARED)$/) });
  const run = await waitFor(auditor, 'RUN-2025-04', 'PREPARED');
  expect(run.prepared_by).toBe('carol');
  expect(run.award_count).toBe(3);
  expect(run.batches.length).toBeGreaterThan(0);

  const same = await both.post('/api/v1/runs/RUN-2025-04/approve', { digest: run.digest });
  expect(same.status).toBe(403);
  expect(same.body.error.code).toBe('SAME_PERSON');
  const notReviewer = await clerk.post('/api/v1/runs/RUN-2025-04/approve', { digest: run.digest });
  expect(notReviewer.status).toBe(403);
  expect(notReviewer.body.error.code).toBe('FORBIDDEN');
  expect(notReviewer.body.error.message).toContain('reviewer');

  // An approve body may not smuggle an actor in.
  const smuggled = await reviewer.post('/api/v1/runs/RUN-2025-04/approve', { digest: run.digest, by: 'alice' });
  expect(smuggled.status).toBe(400);
  expect(smuggled.body.error.code).toBe('UNKNOWN_FIELD');

  // The approver approves the digest `run show` gave: a stale one is refused (issue 13, finding 2).
  expect(run.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  const stale = await reviewer.post('/api/v1/runs/RUN-2025-04/approve', { digest: `sha256:${'0'.repeat(64)}` });
  expect(stale.status).toBe(409);
  expect(stale.body.error.code).toBe('DIGEST_MISMATCH');
  const approved = await reviewer.post('/api/v1/runs/RUN-2025-04/approve', { digest: run.digest });
  expect(approved.status).toBe(200);
  expect(approved.body).toMatchObject({ status: 'APPROVED', approved_by: 'bob', prepared_by: 'carol' });

  // Reviewers do not export; clerks do.
  expect((await reviewer.post('/api/v1/runs/RUN-2025-04/export')).status).toBe(403);
  const exported = await clerk.post('/api/v1/runs/RUN-2025-04/export');
  expect(exported.status).toBe(200);
  expect(exported.body.run.status).toBe('EXPORTED');
  const names = exported.body.files.map((f: { name: string }) => f.name);
  expect(names).toEqual(['RUN-2025-04-payments.csv', 'RUN-2025-04-payments.xlsx', 'RUN-2025-04-manifest.json']);

  const files = await reviewer.get('/api/v1/runs/RUN-2025-04/files');
  expect(files.status).toBe(200);
  expect(files.body.files).toEqual(exported.body.files);
  // The auditor downloads nothing that carries full account numbers.
  expect((await auditor.get('/api/v1/runs/RUN-2025-04/files')).status).toBe(403);
  expect((await auditor.get('/api/v1/runs/RUN-2025-04/files/RUN-2025-04-payments.csv')).status).toBe(403);

  const download = await clerk.get('/api/v1/runs/RUN-2025-04/files/RUN-2025-04-payments.csv');
  expect(download.status).toBe(200);
  expect(download.headers.get('content-type')).toMatch(/^text\/csv/);
  expect(download.headers.get('content-disposition')).toContain('RUN-2025-04-payments.csv');
  expect(download.text).toContain('A-00001');
  expect((await clerk.get('/api/v1/runs/RUN-2025-04/files/other.csv')).status).toBe(404);
  expect((await clerk.get('/api/v1/runs/RUN-2025-04/files/..%2F..%2Fetc%2Fpasswd')).status).toBe(400);

  const settled = await clerk.csv('/api/v1/runs/RUN-2025-04/settlement',
    'award_id,status,reference,reason\nA-00001,PAID,B1,\nA-00002,PAID,B2,\nA-00003,FAILED,,account closed\n');
  expect(settled.status).toBe(200);
  expect(settled.body).toMatchObject({ paid: 2, failed: 1, run_status: 'SETTLED' });
  const paid = await clerk.get('/api/v1/awards/A-00001');
  expect(paid.body.status).toBe('PAID');
  expect(paid.body.history.at(-1).by).toBe('alice');
  expect(paid.body.payee_account).toMatch(/^\*+\d{4}$/);

  const audit = await auditor.get('/api/v1/audit');
  expect(audit.status).toBe(200);
  const seen = audit.body.entries.map((e: { kind: string; actor: string; subject: string }) => `${e.kind} ${e.actor} ${e.subject}`);
  for (const line of [
    'budget-set alice 2025/7', 'run-prepare carol RUN-2025-04', 'run-approve bob RUN-2025-04', 'run-export alice RUN-2025-04',
    'file-download alice RUN-2025-04/RUN-2025-04-payments.csv', 'run-settle alice RUN-2025-04', 'sign-in bob bob',
  ]) expect(seen).toContain(line);
  // Newest first, and filterable by kind and date.
  const ats = audit.body.entries.map((e: { at: string }) => e.at);
  expect([...ats].sort().reverse()).toEqual(ats);
  const approvals = await reviewer.get('/api/v1/audit?kind=run-approve&since=2025-06-01');
  expect(approvals.body.entries).toHaveLength(1);
  expect((await reviewer.get('/api/v1/audit?since=2099-01-01')).body.entries).toEqual([]);
});

test('a run that is already prepared answers 202 with its status and prepares nothing again', async () => {
  const again = await clerk.post('/api/v1/runs', { period: '2025-04' });
  expect(again.status).toBe(202);
  expect(again.body.status).toBe('SETTLED');
});

test('budget history and award history name the signed-in user, never a request field', async () => {
  const withBy = await clerk.put('/api/v1/envelopes/2025/8', { amount_yuan: '100.00', by: 'mallory' });
  expect(withBy.status).toBe(400);
  expect(withBy.body.error.code).toBe('UNKNOWN_FIELD');
  expect((await clerk.put('/api/v1/envelopes/2025/8', { amount_yuan: '100.00' })).status).toBe(200);
  const history = await server.runtime.ledger.listBudgetAudit({ measure: 8, fiscal_year: 2025 });
  expect(history.map((h) => h.by)).toEqual(['alice']);
});
