/**
 * Issue 15 §3 over HTTP: GET /years for every signed-in role; a clerk proposes a close, a second
 * person with the reviewer role executes it (SAME_PERSON for the proposer); outputs as `bursar year`.
 */
import { DynamoYearClose } from '../../shared/adapters/dynamo/dynamo-year-close.ts';
import { ROLES, type Role } from '../../shared/ports/identity.ts';
import { yearStatus } from '../../shared/services/year-close.ts';
import { awardFields } from '../support/records.ts';
import { awardsCsv, startTestServer, type ApiClient, type TestServer } from './support/api-server.ts';

let server: TestServer;
const as: Partial<Record<Role, ApiClient>> = {};
let carol: ApiClient; // clerk and reviewer: proposes, and so may not approve
let bob: ApiClient; // reviewer

beforeAll(async () => {
  server = await startTestServer();
  for (const role of ROLES) {
    await server.addUser(`u-${role}`, [role], role === 'bureau' ? 'EITB' : undefined);
    as[role] = await server.signIn(`u-${role}`);
  }
  await server.addUser('carol', ['clerk', 'reviewer']);
  await server.addUser('bob', ['reviewer']);
  carol = await server.signIn('carol');
  bob = await server.signIn('bob');
  expect((await as.clerk!.put('/api/v1/envelopes/2025/7', { amount_yuan: '2500.00' })).status).toBe(200);
  // Two fit (2,000.00 reserved), the third waits: 500.00 would lapse.
  const res = await as.clerk!.csv('/api/v1/submissions', awardsCsv([awardFields(1), awardFields(2), awardFields(3)]));
  expect(res.body).toMatchObject({ reserved: 2, waitlisted: 1 });
});
afterAll(async () => server.close());

const closesOf = () => new DynamoYearClose(server.table.doc, server.table.tableName, 10);
const serviceStatus = () => yearStatus({ ledger: server.runtime.ledger, closes: closesOf(), clock: { now: () => new Date(Date.parse('2025-06-10T02:00:00Z')).toISOString() } });

test('every signed-in role reads the years, as `year status` answers; signed out is 401', async () => {
  for (const role of ROLES) {
    const res = await as[role]!.get('/api/v1/years');
    expect(res.status).toBe(200);
    // The test clock stands at 2025-06-10 (Asia/Shanghai): 2025-06-10 .. 2026-12-31, both days counted.
    expect(res.body).toEqual({ years: [{ fiscal_year: 2025, status: 'OPEN' }], policy_ends: '2026-12-31', policy_days_left: 570 });
    expect(res.body).toEqual(await serviceStatus());
  }
  const anonymous = await server.anonymous().get('/api/v1/years');
  expect(anonymous.status).toBe(401);
  expect(anonymous.body.error.code).toBe('UNAUTHENTICATED');
});

test('only a clerk proposes and only a reviewer approves: everyone else is 403 FORBIDDEN naming the role', async () => {
  for (const role of ROLES.filter((r) => r !== 'clerk')) {
    const res = await as[role]!.post('/api/v1/years/2025/close');
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('clerk') });
  }
  for (const role of ROLES.filter((r) => r !== 'reviewer')) {
    const res = await as[role]!.post('/api/v1/years/2025/approve');
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('reviewer') });
  }
  // Nothing was proposed by the refused calls.
  expect((await as.auditor!.get('/api/v1/years')).body.years).toEqual([{ fiscal_year: 2025, status: 'OPEN' }]);
});

test('bad input: the year in the path and the body are checked', async () => {
  const badYear = await as.clerk!.post('/api/v1/years/25/close');
  expect(badYear.status).toBe(400);
  expect(badYear.body.error.code).toBe('BAD_FISCAL_YEAR');
  const extra = await as.clerk!.post('/api/v1/years/2025/close', { by: 'someone-else' });
  expect(extra.status).toBe(400);
  expect(extra.body.error.code).toBe('UNKNOWN_FIELD');
  const notProposed = await bob.post('/api/v1/years/2024/approve');
  expect(notProposed.status).toBe(409);
  expect(notProposed.body.error.code).toBe('NOT_PROPOSED');
});

test('a clerk proposes (the plan as `year close`), the proposer may not approve, another reviewer closes once', async () => {
  const plan = [{ measure: 7, carried_fen: 200_000, carried_awards: ['A-00001', 'A-00002'], queued_awards: ['A-00003'], lapsed_fen: 50_000 }];
  const proposed = await carol.post('/api/v1/years/2025/close');
  expect(proposed.status).toBe(200);
  expect(proposed.body).toEqual({ fiscal_year: 2025, status: 'PROPOSED', proposed_by: 'carol', plan, changed: true });
  // Proposed again by another clerk: the plan is the same, carol stays the proposer.
  expect((await as.clerk!.post('/api/v1/years/2025/close')).body).toMatchObject({ proposed_by: 'carol', changed: false });
  expect((await as.bureau!.get('/api/v1/years')).body.years).toEqual([{ fiscal_year: 2025, status: 'PROPOSED' }]);
  // Finance roles also see who proposed (the console disables approval for them); a bureau user does not.
  expect((await as.reviewer!.get('/api/v1/years')).body.years).toEqual([{ fiscal_year: 2025, status: 'PROPOSED', proposed_by: 'carol' }]);

  const same = await carol.post('/api/v1/years/2025/approve');
  expect(same.status).toBe(403);
  expect(same.body.error.code).toBe('SAME_PERSON');
  expect((await closesOf().get(2025))!.status).toBe('PROPOSED');

  const approved = await bob.post('/api/v1/years/2025/approve');
  expect(approved.status).toBe(200);
  expect(approved.body).toEqual({ fiscal_year: 2025, status: 'CLOSED', approved_by: 'bob', closed: plan, drained: [], changed: true });
  const again = await bob.post('/api/v1/years/2025/approve');
  expect(again.status).toBe(200);
  expect(again.body).toMatchObject({ status: 'CLOSED', closed: plan, drained: [], changed: false });

  expect((await as.admin!.get('/api/v1/years')).body.years).toEqual([{ fiscal_year: 2025, status: 'CLOSED' }, { fiscal_year: 2026, status: 'OPEN' }]);
  expect((await as.auditor!.get('/api/v1/years')).body.years[0]).toEqual({ fiscal_year: 2025, status: 'CLOSED', proposed_by: 'carol', approved_by: 'bob' });
  const next = (await as.clerk!.get('/api/v1/envelopes?fiscal_year=2026')).body.envelopes.find((e: { measure: number }) => e.measure === 7);
  expect(next).toMatchObject({ budget_fen: 200_000, reserved_fen: 200_000, waitlisted_count: 1 });
  expect((await as.clerk!.get('/api/v1/awards/A-00001')).body).toMatchObject({ fiscal_year: 2026, status: 'RESERVED' });

  const closedAgain = await as.clerk!.post('/api/v1/years/2025/close');
  expect(closedAgain.status).toBe(409);
  expect(closedAgain.body.error.code).toBe('FISCAL_YEAR_CLOSED');

  // Each decision is in the audit log once, with the signed-in person.
  const entries = (await as.auditor!.get('/api/v1/audit')).body.entries as { kind: string; actor: string; subject: string }[];
  expect(entries.filter((e) => e.kind === 'year-close')).toEqual([expect.objectContaining({ actor: 'carol', subject: 'FY2025' })]);
  expect(entries.filter((e) => e.kind === 'year-approve')).toEqual([expect.objectContaining({ actor: 'bob', subject: 'FY2025' })]);
});

test('a close is refused (409 OPEN_RUNS, naming the run) while a run of the year is not settled', async () => {
  // February 2026: the carried reservations (FY2026 now) go into January's run, which stays PREPARED.
  server.clock.advance(Date.parse('2026-02-01T02:00:00Z') - Date.parse('2025-06-10T02:00:00Z'));
  const clerk = await server.signIn('u-clerk');
  expect((await clerk.post('/api/v1/runs', { period: '2026-01' })).status).toBe(202);
  await server.deps.runOps.idle();
  expect((await clerk.get('/api/v1/runs/RUN-2026-01')).body).toMatchObject({ status: 'PREPARED' });
  const refused = await clerk.post('/api/v1/years/2026/close');
  expect(refused.status).toBe(409);
  expect(refused.body.error).toMatchObject({ code: 'OPEN_RUNS', message: expect.stringContaining('RUN-2026-01') });
  expect(await closesOf().get(2026)).toBeUndefined();
  expect((await clerk.get('/api/v1/years')).body).toMatchObject({ years: [{ fiscal_year: 2025, status: 'CLOSED' }, { fiscal_year: 2026, status: 'OPEN' }], policy_days_left: 334 });
});
