/** Sign-in, lock-out, session lifetimes (with the server's clock moved by the test) and sign-out. */
import { SESSION_POLICY } from '../../shared/services/sessions.ts';
import { PASSWORD, startTestServer, type TestServer } from './support/api-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  await server.addUser('alice', ['clerk']);
  await server.addUser('lena', ['auditor']);
  await server.addUser('tim', ['auditor']);
});
afterAll(async () => server.close());

const signIn = (username: string, password: string) => server.anonymous().post('/api/v1/session', { username, password });

test('sign-in sets an HttpOnly SameSite=Strict session cookie and a readable CSRF cookie; the response names the user', async () => {
  const client = server.anonymous();
  const res = await client.post('/api/v1/session', { username: 'alice', password: PASSWORD('alice') });
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ user: { username: 'alice', roles: ['clerk'], unit: null, disabled: false } });
  const cookies = res.headers.getSetCookie();
  const session = cookies.find((c) => c.startsWith('bursar_session='))!;
  const csrf = cookies.find((c) => c.startsWith('bursar_csrf='))!;
  expect(session).toMatch(/HttpOnly/);
  expect(session).toMatch(/SameSite=Strict/);
  expect(session).toMatch(/Path=\//);
  expect(session).not.toMatch(/Secure/); // plain HTTP on loopback
  expect(csrf).not.toMatch(/HttpOnly/);
  expect(csrf).toMatch(/SameSite=Strict/);
  // The session id is 32 random bytes and stored only hashed.
  const [user, id] = decodeURIComponent(client.cookies.get('bursar_session')!).split(':') as [string, string];
  expect(user).toBe('alice');
  expect(Buffer.from(id, 'base64url')).toHaveLength(32);
  const stored = JSON.stringify(await server.table.doc.send(new (await import('@aws-sdk/lib-dynamodb')).ScanCommand({ TableName: server.table.tableName })));
  expect(stored).not.toContain(id);
  expect(stored).not.toContain(PASSWORD('alice'));
  expect((await client.get('/api/v1/me')).body).toEqual({ username: 'alice', roles: ['clerk'], unit: null });
});

test('unknown user and wrong password are the same 401, in similar time', async () => {
  const unknown = await signIn('nobody', 'whatever-password');
  const wrong = await signIn('tim', 'not-his-password');
  expect(unknown.status).toBe(401);
  expect(wrong.status).toBe(401);
  expect(unknown.body).toEqual(wrong.body);
  expect(unknown.body.error.code).toBe('BAD_CREDENTIALS');
  const time = async (username: string) => {
    const t = process.hrtime.bigint();
    await signIn(username, 'wrong-password-x');
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const u: number[] = [];
  const k: number[] = [];
  // Alternate, and stay under the lock-out (4 failures per name).
  for (let i = 0; i < 4; i++) { u.push(await time(`ghost${i}`)); k.push(await time(i % 2 ? 'tim' : 'lena')); }
  // Both pay one scrypt; without the dummy hash an unknown name would answer in a fraction of it.
  expect(median(u) / median(k)).toBeGreaterThan(0.5);
  expect(median(u) / median(k)).toBeLessThan(2);
});

test('five failures lock the name for 15 minutes: the fifth is 401, then 429 even with the right password', async () => {
  await server.addUser('bob', ['reviewer']);
  for (let i = 1; i <= 5; i++) {
    const res = await signIn('bob', `wrong-${i}-password`);
    expect(res.status).toBe(401);
  }
  const locked = await signIn('bob', PASSWORD('bob'));
  expect(locked.status).toBe(429);
  expect(locked.body.error.code).toBe('LOCKED_OUT');
  const lockouts = await server.deps.audit.list({ kind: 'lock-out', limit: 10 });
  expect(lockouts).toEqual([expect.objectContaining({ subject: 'bob', kind: 'lock-out' })]);
  server.clock.advance(SESSION_POLICY.lockMs - 1000);
  expect((await signIn('bob', PASSWORD('bob'))).status).toBe(429);
  server.clock.advance(2000);
  expect((await signIn('bob', PASSWORD('bob'))).status).toBe(200);
  // The count started again: one failure does not lock.
  expect((await signIn('bob', 'wrong-again-password')).status).toBe(401);
  expect((await signIn('bob', PASSWORD('bob'))).status).toBe(200);
});

test('failures older than 15 minutes do not count; unknown names lock too', async () => {
  for (let i = 0; i < 4; i++) expect((await signIn('ghost-x', 'nope-nope-nope')).status).toBe(401);
  server.clock.advance(SESSION_POLICY.failureWindowMs);
  expect((await signIn('ghost-x', 'nope-nope-nope')).status).toBe(401);
  expect((await signIn('ghost-x', 'nope-nope-nope')).status).toBe(401);
  for (let i = 0; i < 3; i++) expect((await signIn('ghost-x', 'nope-nope-nope')).status).toBe(401);
  expect((await signIn('ghost-x', 'nope-nope-nope')).status).toBe(429);
});

test('concurrent guesses cannot slip past the count', async () => {
  await server.addUser('carl', ['auditor']);
  const results = await Promise.all(Array.from({ length: 8 }, (_, i) => signIn('carl', `guess-${i}-guess`)));
  const statuses = results.map((r) => r.status).sort();
  expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
  expect((await signIn('carl', PASSWORD('carl'))).status).toBe(429);
});

test('a session ends after 30 idle minutes', async () => {
  const client = await server.signIn('alice');
  server.clock.advance(SESSION_POLICY.idleMs - 1000);
  expect((await client.get('/api/v1/me')).status).toBe(200); // activity keeps it alive
  server.clock.advance(SESSION_POLICY.idleMs - 1000);
  expect((await client.get('/api/v1/me')).status).toBe(200);
  server.clock.advance(SESSION_POLICY.idleMs);
  const expired = await client.get('/api/v1/me');
  expect(expired.status).toBe(401);
  expect(expired.body.error.code).toBe('UNAUTHENTICATED');
});

test('a session ends after 12 hours however active', async () => {
  const client = await server.signIn('alice');
  for (let t = 0; t < SESSION_POLICY.absoluteMs - 20 * 60_000; t += 20 * 60_000) {
    server.clock.advance(20 * 60_000);
    expect((await client.get('/api/v1/me')).status).toBe(200);
  }
  server.clock.advance(20 * 60_000);
  expect((await client.get('/api/v1/me')).status).toBe(401);
});

test('sign-out ends the session and is audited', async () => {
  const client = await server.signIn('lena');
  const cookie = client.cookies.get('bursar_session')!;
  const forged = server.anonymous();
  forged.cookies.set('bursar_session', cookie.replace(/^lena/, 'tim')); // another user's name on lena's id
  expect((await forged.get('/api/v1/me')).status).toBe(401);
  const out = await client.delete('/api/v1/session');
  expect(out.status).toBe(200);
  const replay = server.anonymous();
  replay.cookies.set('bursar_session', cookie);
  expect((await replay.get('/api/v1/me')).status).toBe(401);
  expect((await server.deps.audit.list({ kind: 'sign-out', limit: 5 }))[0]).toMatchObject({ actor: 'lena' });
});

test('a password change ends the sessions of that user', async () => {
  const client = await server.signIn('tim');
  const { changePassword } = await import('../../shared/services/users.ts');
  const identity = server.deps.identity;
  if (identity.kind !== 'session') throw new Error('local identity expected');
  await changePassword({ users: identity.users, sessions: identity.sessions, clock: server.deps.clock }, 'test', 'tim', 'a-brand-new-password');
  expect((await client.get('/api/v1/me')).status).toBe(401);
  expect((await signIn('tim', 'a-brand-new-password')).status).toBe(200);
});
