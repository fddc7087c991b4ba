/**
 * Bad input and abuse: each a clear 4xx with a code, never a stack trace, nothing half-written;
 * security headers on every answer; paging; the OpenAPI document; the console's files.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { awardFields } from '../support/records.ts';
import { API_ROUTES } from '../../shared/http/route-table.ts';
import { awardsCsv, startTestServer, type ApiClient, type TestServer } from './support/api-server.ts';

let server: TestServer;
let clerk: ApiClient;
let webDir: string;

beforeAll(async () => {
  webDir = mkdtempSync(path.join(os.tmpdir(), 'bursar-web-'));
  mkdirSync(path.join(webDir, 'assets'));
  writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>Bursar</title><script type="module" src="/assets/index-abc123.js"></script>');
  writeFileSync(path.join(webDir, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(path.join(webDir, 'assets', 'index-abc123.css'), 'body{}');
  server = await startTestServer({ staticDir: webDir });
  await server.addUser('alice', ['clerk']);
  clerk = await server.signIn('alice');
});
afterAll(async () => {
  await server.close();
  rmSync(webDir, { recursive: true, force: true });
});

function expectError(res: { status: number; body: any; text: string }, status: number, code: string) { // eslint-disable-line @typescript-eslint/no-explicit-any
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(typeof res.body.error.message).toBe('string');
  expect(res.text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
}

test('a body over its limit is 413: JSON over 64 KB, CSV over 5 MB', async () => {
  expectError(await clerk.put('/api/v1/envelopes/2025/7', { amount_yuan: '1.00', alert_at: [80], pad: 'x'.repeat(70_000) }), 413, 'BODY_TOO_LARGE');
  const big = awardsCsv([awardFields(1)]) + 'x'.repeat(5 * 1024 * 1024);
  expectError(await clerk.csv('/api/v1/submissions', big), 413, 'BODY_TOO_LARGE');
  expect(await server.runtime.ledger.getAward('A-00001')).toBeUndefined();
  // Chunked, without a Content-Length, is counted as it arrives.
  const stream = new ReadableStream({
    start(controller) {
      for (let i = 0; i < 6; i++) controller.enqueue(new Uint8Array(1024 * 1024).fill(65));
      controller.close();
    },
  });
  const res = await fetch(`${server.url}/api/v1/submissions`, {
    method: 'POST', body: stream, duplex: 'half',
    headers: { 'content-type': 'text/csv', cookie: [...clerk.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'x-csrf-token': clerk.csrf! },
  } as RequestInit);
  expect(res.status).toBe(413);
});

test('malformed JSON is 400 BAD_JSON; a JSON number for an amount is refused; unknown fields are refused', async () => {
  expectError(await clerk.request('PUT', '/api/v1/envelopes/2025/7', { body: '{"amount_yuan": "1.00"', contentType: 'application/json' }), 400, 'BAD_JSON');
  expectError(await clerk.put('/api/v1/envelopes/2025/7', { amount_yuan: 9000 }), 400, 'BAD_AMOUNT');
  expectError(await clerk.put('/api/v1/envelopes/2025/7', { amount_yuan: '9,000.00' }), 400, 'BAD_AMOUNT');
  expectError(await clerk.put('/api/v1/envelopes/2025/7', { amount_yuan: '1e3' }), 400, 'BAD_AMOUNT');
  expectError(await clerk.put('/api/v1/envelopes/2025/7', { amount_yuan: '100.00', extra: 1 }), 400, 'UNKNOWN_FIELD');
  expectError(await clerk.put('/api/v1/envelopes/2025/7', {}), 400, 'BAD_AMOUNT');
  expectError(await clerk.put('/api/v1/envelopes/2025/7', [1, 2]), 400, 'BAD_REQUEST');
  expectError(await clerk.post('/api/v1/runs', { period: '2025-13' }), 400, 'BAD_PERIOD');
  expectError(await clerk.post('/api/v1/awards/A-1/cancel', { reason: '' }), 400, 'MISSING_REASON');
  // Nothing was written by any of them.
  expect(await server.runtime.ledger.getEnvelope({ measure: 7, fiscal_year: 2025 })).toBeUndefined();
});

test('a wrong content type is 415', async () => {
  expectError(await clerk.request('PUT', '/api/v1/envelopes/2025/7', { body: 'amount_yuan=1.00', contentType: 'application/x-www-form-urlencoded' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  expectError(await clerk.request('PUT', '/api/v1/envelopes/2025/7', { body: '{"amount_yuan":"1.00"}', contentType: 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  expectError(await clerk.post('/api/v1/submissions', { rows: [] }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  expectError(await clerk.request('POST', '/api/v1/runs/RUN-2025-04/settlement', { body: 'award_id,status\n', contentType: 'application/octet-stream' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
});

test('path parameters that are not ids and huge or unknown query values are 400', async () => {
  expectError(await clerk.get('/api/v1/awards/%00bad'), 400, 'BAD_ID');
  expectError(await clerk.get(`/api/v1/awards/${'A'.repeat(300)}`), 400, 'BAD_ID');
  expectError(await clerk.get('/api/v1/runs/RUN-2025-4'), 400, 'BAD_ID');
  expectError(await clerk.get('/api/v1/runs/..%2Fetc'), 400, 'BAD_ID');
  expectError(await clerk.put('/api/v1/envelopes/1999/7', { amount_yuan: '1.00' }), 400, 'BAD_FISCAL_YEAR');
  expectError(await clerk.put('/api/v1/envelopes/2025/abc', { amount_yuan: '1.00' }), 400, 'UNKNOWN_MEASURE');
  expectError(await clerk.put('/api/v1/envelopes/2025/99', { amount_yuan: '1.00' }), 400, 'UNKNOWN_MEASURE');
  expectError(await clerk.get(`/api/v1/awards?q=${'x'.repeat(5000)}`), 400, 'BAD_REQUEST');
  expectError(await clerk.get('/api/v1/awards?limit=201'), 400, 'BAD_REQUEST');
  expectError(await clerk.get('/api/v1/awards?limit=-1'), 400, 'BAD_REQUEST');
  expectError(await clerk.get('/api/v1/awards?status=LOST'), 400, 'BAD_REQUEST');
  expectError(await clerk.get('/api/v1/awards?cursor=bm90LWEtY3Vyc29y'), 400, 'BAD_CURSOR');
  expectError(await clerk.get('/api/v1/awards?sort=desc'), 400, 'UNKNOWN_FIELD');
  expectError(await clerk.get('/api/v1/summary'), 400, 'BAD_FISCAL_YEAR');
  expectError(await clerk.get('/api/v1/forecasts'), 400, 'BAD_FISCAL_YEAR');
  expectError(await clerk.get('/api/v1/forecasts?fiscal_year=25'), 400, 'BAD_FISCAL_YEAR');
  expectError(await clerk.get('/api/v1/forecasts?fiscal_year=2025&measure=7'), 400, 'UNKNOWN_FIELD');
  expectError(await clerk.get('/api/v1/alerts?since=yesterday'), 400, 'BAD_DATE');
  expectError(await clerk.get('/api/v1/nothing-here'), 404, 'NOT_FOUND');
});

test('security headers on every answer: success, refusal, not found, and the console', async () => {
  for (const res of [
    await clerk.get('/api/v1/me'), await server.anonymous().get('/api/v1/me'), await clerk.get('/api/v1/nothing'),
    await clerk.get('/api/v1/awards?limit=999'), await server.anonymous().get('/'),
  ]) {
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('cache-control')).toBe('no-store');
  }
});

test('awards are paged with a cursor, each award once', async () => {
  expect((await clerk.put('/api/v1/envelopes/2025/7', { amount_yuan: '100000.00' })).status).toBe(200);
  const sub = await clerk.csv('/api/v1/submissions', awardsCsv(Array.from({ length: 23 }, (_, i) => awardFields(100 + i, { approved_date: `2025-04-${String(1 + (i % 20)).padStart(2, '0')}` }))));
  expect(sub.body.reserved).toBe(23);
  for (const query of ['status=RESERVED&measure=7&limit=5', 'status=RESERVED&measure=7&fiscal_year=2025&limit=7', 'limit=4', 'measure=7&limit=6']) {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: { awards: { award_id: string; approved_date: string }[]; next_cursor: string | null } } =
        await clerk.get(`/api/v1/awards?${query}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.awards.map((a) => a.award_id));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor && pages < 20);
    expect(seen.length).toBe(23);
    expect(new Set(seen).size).toBe(23);
  }
  const first = await clerk.get('/api/v1/awards?status=RESERVED&measure=7&limit=50');
  const dates = first.body.awards.map((a: { approved_date: string }) => a.approved_date);
  expect([...dates].sort()).toEqual(dates); // queue order
  expect(first.body.next_cursor).toBeNull();
  // A cursor from one query does not work for another.
  const page = await clerk.get('/api/v1/awards?limit=4');
  expectError(await clerk.get(`/api/v1/awards?status=RESERVED&measure=7&cursor=${page.body.next_cursor}`), 400, 'BAD_CURSOR');
  // Search: an id, a credit code, the start of a name.
  expect((await clerk.get('/api/v1/awards?q=A-00105')).body.awards.map((a: { award_id: string }) => a.award_id)).toEqual(['A-00105']);
  const uscc = first.body.awards[0].recipient_uscc;
  expect((await clerk.get(`/api/v1/awards?q=${uscc}`)).body.awards).toHaveLength(1);
  expect((await clerk.get(`/api/v1/awards?q=${encodeURIComponent('宁波测试')}&limit=200`)).body.awards).toHaveLength(23);
  expect((await clerk.get(`/api/v1/awards?q=${encodeURIComponent('测试')}`)).body.awards).toHaveLength(0);
});

test('the OpenAPI document lists every route, generated from the schemas', async () => {
  const res = await server.anonymous().get('/api/v1/openapi.json');
  expect(res.status).toBe(200);
  const paths = Object.keys(res.body.paths).sort();
  expect(paths).toEqual([
    '/alerts', '/audit', '/awards', '/awards/{id}', '/awards/{id}/cancel', '/envelopes', '/envelopes/{fiscal_year}/{measure}', '/forecasts', '/holds', '/holds/{id}/reject', '/holds/{id}/release', '/me',
    '/reconciliations', '/runs', '/runs/{id}', '/runs/{id}/approve', '/runs/{id}/export', '/runs/{id}/files', '/runs/{id}/files/{name}', '/runs/{id}/reissue', '/runs/{id}/release-failed',
    '/runs/{id}/settlement', '/runs/{id}/verify', '/session', '/submissions', '/summary', '/transfers', '/users', '/users/{username}/disable', '/users/{username}/enable',
    '/years', '/years/{fiscal_year}/approve', '/years/{fiscal_year}/close',
  ]);
  // The gateway's route table (infra) is the app's routes, method for method.
  const documented = Object.entries(res.body.paths as Record<string, Record<string, unknown>>)
    .flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`));
  expect([...documented, 'GET /openapi.json'].sort()).toEqual(API_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  const setBudget = res.body.components.schemas.SetBudget;
  expect(setBudget.properties.amount_yuan.type).toBe('string');
  expect(setBudget.additionalProperties).toBe(false);
});

test("the console's files: content types, immutable hashed assets, no-store index, SPA fallback outside /api", async () => {
  const anon = server.anonymous();
  const index = await anon.get('/');
  expect(index.status).toBe(200);
  expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(index.headers.get('cache-control')).toBe('no-store');
  const js = await anon.get('/assets/index-abc123.js');
  expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  expect((await anon.get('/assets/index-abc123.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
  const deep = await anon.get('/runs/RUN-2025-04');
  expect(deep.status).toBe(200);
  expect(deep.text).toContain('<title>Bursar</title>');
  expect((await anon.get('/%2e%2e/%2e%2e/etc/passwd')).text).toContain('<title>Bursar</title>');
  const api = await anon.get('/api/v1/nothing');
  expect(api.status).toBe(401);
});
