/**
 * Every route × every role × signed out, through the real HTTP server on DynamoDB Local: a role
 * that may use a route never gets 401/403; one that may not gets 403 FORBIDDEN naming the role
 * needed; nobody signed out gets past 401. Plus a disabled user, an expired session and a missing
 * CSRF token on every unsafe route.
 */
import { ROLES, type Role } from '../../shared/ports/identity.ts';
import { SESSION_POLICY } from '../../shared/services/sessions.ts';
import { ApiClient, awardsCsv, startTestServer, type TestServer } from './support/api-server.ts';

interface Case {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  json?: unknown;
  csv?: string;
  allowed: readonly Role[] | 'all';
}

const READERS = ['bureau', 'clerk', 'reviewer', 'auditor'] as const;
const FINANCE = ['clerk', 'reviewer', 'auditor'] as const;
let userSeq = 0;

const CASES: Case[] = [
  { method: 'GET', path: '/api/v1/me', allowed: 'all' },
  { method: 'GET', path: '/api/v1/envelopes', allowed: READERS },
  { method: 'GET', path: '/api/v1/envelopes?fiscal_year=2025', allowed: READERS },
  { method: 'PUT', path: '/api/v1/envelopes/2025/7', json: { amount_yuan: '1000.00' }, allowed: ['clerk'] },
  { method: 'GET', path: '/api/v1/awards?status=RESERVED&measure=7&limit=5', allowed: READERS },
  { method: 'GET', path: '/api/v1/awards/NOPE-1', allowed: READERS },
  { method: 'POST', path: '/api/v1/awards/NOPE-1/cancel', json: { reason: 'duplicate' }, allowed: ['bureau', 'clerk', 'reviewer'] },
  { method: 'POST', path: '/api/v1/submissions', csv: awardsCsv([]), allowed: ['bureau', 'clerk'] },
  { method: 'GET', path: '/api/v1/runs', allowed: FINANCE },
  { method: 'GET', path: '/api/v1/runs/RUN-2099-01', allowed: FINANCE },
  { method: 'POST', path: '/api/v1/runs', json: { period: '2025-01' }, allowed: ['clerk'] },
  { method: 'POST', path: '/api/v1/runs/RUN-2099-01/approve', allowed: ['reviewer'] },
  { method: 'POST', path: '/api/v1/runs/RUN-2099-01/export', allowed: ['clerk'] },
  { method: 'GET', path: '/api/v1/runs/RUN-2099-01/files', allowed: ['clerk', 'reviewer'] },
  { method: 'GET', path: '/api/v1/runs/RUN-2099-01/files/RUN-2099-01-payments.csv', allowed: ['clerk', 'reviewer'] },
  { method: 'POST', path: '/api/v1/runs/RUN-2099-01/settlement', csv: 'award_id,status,reference,reason\n', allowed: ['clerk'] },
  { method: 'GET', path: '/api/v1/summary?fiscal_year=2025', allowed: READERS },
  { method: 'GET', path: '/api/v1/forecasts?fiscal_year=2025', allowed: READERS },
  { method: 'GET', path: '/api/v1/summary?fiscal_year=2025&format=csv', allowed: READERS },
  { method: 'GET', path: '/api/v1/alerts?since=2025-01-01', allowed: READERS },
  { method: 'GET', path: '/api/v1/reconciliations', allowed: FINANCE },
  { method: 'GET', path: '/api/v1/years', allowed: 'all' },
  { method: 'POST', path: '/api/v1/years/2099/close', allowed: ['clerk'] },
  { method: 'POST', path: '/api/v1/years/2098/approve', allowed: ['reviewer'] }, // never proposed: 409 NOT_PROPOSED
  { method: 'GET', path: '/api/v1/audit', allowed: ['reviewer', 'auditor'] },
  { method: 'GET', path: '/api/v1/users', allowed: ['admin'] },
  { method: 'POST', path: '/api/v1/users', json: () => ({ username: `new${++userSeq}`, roles: ['auditor'], password: 'a-long-password-1' }), allowed: ['admin'] },
  { method: 'POST', path: '/api/v1/users/nobody/disable', allowed: ['admin'] },
  { method: 'POST', path: '/api/v1/users/nobody/enable', allowed: ['admin'] },
  { method: 'DELETE', path: '/api/v1/session', allowed: 'all' },
];

const UNIT_OF: Partial<Record<Role, string>> = { bureau: 'EITB' };

function send(client: ApiClient, c: Case, o: { csrf?: boolean } = {}) {
  const json = typeof c.json === 'function' ? (c.json as () => unknown)() : c.json;
  if (c.csv !== undefined) return client.request(c.method, c.path, { body: c.csv, contentType: 'text/csv', ...o });
  return client.request(c.method, c.path, { ...(json !== undefined ? { json } : {}), ...o });
}

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  for (const role of ROLES) await server.addUser(`u-${role}`, [role], UNIT_OF[role]);
});
afterAll(async () => server.close());

describe.each(ROLES)('as %s', (role) => {
  test.each(CASES.map((c) => [`${c.method} ${c.path}`, c] as const))('%s', async (_name, c) => {
    // A fresh session per request: DELETE /session ends it, and no case depends on another.
    const client = await server.signIn(`u-${role}`);
    const res = await send(client, c);
    const allowed = c.allowed === 'all' || c.allowed.includes(role);
    if (allowed) {
      expect([401, 403]).not.toContain(res.status);
      expect(res.status).toBeLessThan(500);
    } else {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
      const needed = c.allowed === 'all' ? [] : c.allowed;
      for (const r of needed) expect(res.body.error.message).toContain(r);
    }
  });
});

describe('signed out', () => {
  test.each(CASES.map((c) => [`${c.method} ${c.path}`, c] as const))('%s answers 401', async (_name, c) => {
    const res = await send(server.anonymous(), c);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });

  test('a made-up session cookie is 401', async () => {
    const client = server.anonymous();
    client.cookies.set('bursar_session', 'x'.repeat(43));
    expect((await client.get('/api/v1/me')).status).toBe(401);
  });
});

describe('a disabled user', () => {
  test.each(CASES.map((c) => [`${c.method} ${c.path}`, c] as const))('%s answers 401 once disabled', async (_name, c) => {
    const username = `gone${++userSeq}`;
    await server.addUser(username, ['clerk', 'reviewer', 'auditor', 'admin']);
    const client = await server.signIn(username);
    const admin = await server.signIn('u-admin');
    expect((await admin.post(`/api/v1/users/${username}/disable`)).status).toBe(200);
    const res = await send(client, c);
    expect(res.status).toBe(401);
    // …and cannot sign in again, with the same answer as a wrong password.
    const again = await server.anonymous().post('/api/v1/session', { username, password: `pw-${username}-0123456789` });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('BAD_CREDENTIALS');
  });
});

describe('an expired session', () => {
  test.each(CASES.map((c) => [`${c.method} ${c.path}`, c] as const))('%s answers 401 after 30 idle minutes', async (_name, c) => {
    const client = await server.signIn('u-clerk');
    server.clock.advance(SESSION_POLICY.idleMs);
    const res = await send(client, c);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });
});

describe('a missing or wrong CSRF token', () => {
  const unsafe = CASES.filter((c) => c.method !== 'GET');
  test.each(unsafe.map((c) => [`${c.method} ${c.path}`, c] as const))('%s answers 403 CSRF', async (_name, c) => {
    const allowedRole = c.allowed === 'all' ? 'clerk' : c.allowed[0]!;
    const client = await server.signIn(`u-${allowedRole}`);
    const missing = await send(client, c, { csrf: false });
    expect(missing.status).toBe(403);
    expect(missing.body.error.code).toBe('CSRF');
    const wrong = await client.request(c.method, c.path, { headers: { 'x-csrf-token': 'A'.repeat(43) }, csrf: false, ...(c.csv ? { body: c.csv, contentType: 'text/csv' } : {}) });
    expect(wrong.status).toBe(403);
    // The session still works afterwards: the refusal changed nothing.
    expect((await client.get('/api/v1/me')).status).toBe(200);
  });
});
