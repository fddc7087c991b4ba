/**
 * The console's AWS sign-in in a real browser: the built console (web/dist) is served with a
 * /config.json in Cognito mode that points at a small fake of the Cognito hosted UI started here
 * (Cognito itself cannot run on this machine), plus a stub API origin that accepts only the bearer
 * tokens the fake issued. The fake implements what the console relies on: /oauth2/authorize
 * redirects back with a one-time code, /oauth2/token checks the PKCE verifier against the S256
 * challenge (and the client, redirect URI and code) before issuing tokens or refreshing them,
 * /logout redirects to the logout URI.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { ensureConsoleBuilt } from './support/bursar-server.ts';
import { launchBrowser, newUserPage, screenshot, seriousViolations } from './support/browser.ts';

declare const localStorage: { length: number; key(i: number): string | null; getItem(k: string): string | null };
declare const sessionStorage: typeof localStorage;
declare const location: { hash: string };

const DIST = path.resolve(import.meta.dirname, '../../web/dist');
const CLIENT_ID = 'console-client-e2e';
const b64url = (b: Buffer) => b.toString('base64url');
const fakeJwt = (claims: object) => `${b64url(Buffer.from('{"alg":"none"}'))}.${b64url(Buffer.from(JSON.stringify(claims)))}.c2ln`;

let browser: Browser;
let idp: Server;
let site: Server;
let idpOrigin = '';
let siteOrigin = '';
let firstExpiresIn = 3600;

const codes = new Map<string, { challenge: string; redirectUri: string }>();
const refreshTokens = new Map<string, number>();
const issuedIdTokens = new Set<string>();
const tokenCalls: { grant: string; ok: boolean; error?: string }[] = [];
const issuedBy: Record<string, string> = {}; // grant -> the last ID token it issued
const apiCalls: { path: string; authorization: string | undefined }[] = [];
const logouts: Record<string, string>[] = [];

/** Waits until check() is true (the browser acts on its own timers here). */
async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const listen = (server: Server) => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`)));
const body = (req: IncomingMessage) => new Promise<string>((resolve) => {
  let s = '';
  req.on('data', (d: Buffer) => { s += d.toString(); });
  req.on('end', () => resolve(s));
});
const json = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
};

function issue(res: ServerResponse, cors: Record<string, string>, expiresIn: number, withRefresh: boolean, grant: string) {
  const idToken = fakeJwt({ sub: randomUUID(), aud: CLIENT_ID, 'cognito:groups': ['clerk'], 'custom:unit': 'FIN', n: issuedIdTokens.size });
  issuedIdTokens.add(idToken);
  issuedBy[grant] = idToken;
  const refresh = `refresh-${randomUUID()}`;
  if (withRefresh) refreshTokens.set(refresh, 0);
  json(res, 200, { id_token: idToken, access_token: fakeJwt({ token_use: 'access' }), expires_in: expiresIn, token_type: 'Bearer', ...(withRefresh ? { refresh_token: refresh } : {}) }, cors);
}

/** The fake hosted UI: authorize, token (code + PKCE, refresh), logout. */
async function hostedUi(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url!, `http://${idpOrigin}`);
  const cors = { 'Access-Control-Allow-Origin': `http://${siteOrigin}` };
  if (url.pathname === '/oauth2/authorize') {
    const q = Object.fromEntries(url.searchParams);
    const valid = q['response_type'] === 'code' && q['client_id'] === CLIENT_ID && q['redirect_uri'] === `http://${siteOrigin}/`
      && q['code_challenge_method'] === 'S256' && /^[A-Za-z0-9_-]{43}$/.test(q['code_challenge'] ?? '') && (q['scope'] ?? '').split(' ').includes('openid') && q['state'];
    if (!valid) return json(res, 400, { error: 'invalid_request', query: q });
    const code = randomUUID();
    codes.set(code, { challenge: q['code_challenge']!, redirectUri: q['redirect_uri']! });
    res.writeHead(302, { Location: `${q['redirect_uri']}?code=${code}&state=${encodeURIComponent(q['state']!)}` });
    return res.end();
  }
  if (url.pathname === '/oauth2/token' && req.method === 'POST') {
    const form = Object.fromEntries(new URLSearchParams(await body(req)));
    const fail = (error: string) => {
      tokenCalls.push({ grant: form['grant_type'] ?? '', ok: false, error });
      json(res, 400, { error }, cors);
    };
    if (req.headers['content-type'] !== 'application/x-www-form-urlencoded' || form['client_id'] !== CLIENT_ID) return fail('invalid_client');
    if (form['grant_type'] === 'authorization_code') {
      const pending = codes.get(form['code'] ?? '');
      codes.delete(form['code'] ?? ''); // one use
      if (!pending || pending.redirectUri !== form['redirect_uri']) return fail('invalid_grant');
      if (b64url(createHash('sha256').update(form['code_verifier'] ?? '').digest()) !== pending.challenge) return fail('invalid_grant');
      tokenCalls.push({ grant: 'authorization_code', ok: true });
      return issue(res, cors, firstExpiresIn, true, 'authorization_code');
    }
    if (form['grant_type'] === 'refresh_token' && refreshTokens.has(form['refresh_token'] ?? '')) {
      tokenCalls.push({ grant: 'refresh_token', ok: true });
      return issue(res, cors, 3600, false, 'refresh_token');
    }
    return fail('invalid_grant');
  }
  if (url.pathname === '/logout') {
    logouts.push(Object.fromEntries(url.searchParams));
    res.writeHead(302, { Location: url.searchParams.get('logout_uri')! });
    return res.end();
  }
  json(res, 404, { error: 'not_found' });
}

/** The console's origin: the built files, a Cognito-mode /config.json, and a stub API taking only issued ID tokens. */
async function consoleSite(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url!, `http://${siteOrigin}`);
  if (url.pathname === '/config.json') {
    return json(res, 200, { auth: 'cognito', domain: idpOrigin, clientId: CLIENT_ID, redirectUri: `http://${siteOrigin}/`, logoutUri: `http://${siteOrigin}/`, scopes: ['openid', 'email', 'profile'] });
  }
  if (url.pathname.startsWith('/api/')) {
    const authorization = req.headers.authorization;
    apiCalls.push({ path: url.pathname + url.search, authorization });
    const token = authorization?.replace(/^Bearer /, '');
    if (!token || !issuedIdTokens.has(token)) return json(res, 401, { message: 'Unauthorized' }); // as API Gateway answers
    if (url.pathname === '/api/v1/me') return json(res, 200, { username: 'czj.wang', roles: ['clerk'], unit: 'FIN' });
    if (url.pathname === '/api/v1/envelopes') return json(res, 200, { envelopes: [] });
    if (url.pathname === '/api/v1/summary' && url.searchParams.get('format') === 'csv') {
      res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8' });
      return res.end('类别 / Row type\r\n合计 / Total\r\n');
    }
    if (url.pathname === '/api/v1/summary') {
      const zero = { budget_fen: 0, reserved_fen: 0, batched_fen: 0, paid_fen: 0, returned_fen: 0, available_fen: 0, waitlisted_fen: 0, held_fen: 0, held_count: 0, carried_in_fen: 0, carried_out_fen: 0, lapsed_fen: 0, recovered_fen: 0, net_paid_fen: 0, execution_rate: null };
      return json(res, 200, { fiscal_year: Number(url.searchParams.get('fiscal_year')), policy: '奉政办发〔2025〕2号', measures: [], sections: [], units: [], total: zero, monthly_paid: [] });
    }
    return json(res, 404, { error: { code: 'NOT_FOUND', message: 'not in this stub' } });
  }
  const file = path.join(DIST, url.pathname === '/' ? 'index.html' : path.normalize(url.pathname));
  const isFile = file.startsWith(DIST) && (await stat(file).then((s) => s.isFile(), () => false));
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  res.writeHead(200, { 'Content-Type': types[path.extname(isFile ? file : 'x.html')] ?? 'application/octet-stream' });
  res.end(await readFile(isFile ? file : path.join(DIST, 'index.html')));
}

beforeAll(async () => {
  ensureConsoleBuilt();
  idp = createServer((req, res) => void hostedUi(req, res));
  site = createServer((req, res) => void consoleSite(req, res));
  [idpOrigin, siteOrigin, browser] = await Promise.all([listen(idp), listen(site), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([idp, site].map((s) => new Promise((r) => s?.close(r))));
});

beforeEach(() => {
  tokenCalls.length = 0;
  apiCalls.length = 0;
  logouts.length = 0;
  firstExpiresIn = 3600;
});

it('signs in through the hosted UI with code + PKCE, calls the API with the ID token, keeps no token in storage, and signs out through /logout', async () => {
  const { context, page } = await newUserPage(browser, `http://${siteOrigin}`);
  await page.goto('/');
  await page.getByTestId('signin-hosted').click();
  await page.getByTestId('me-username').waitFor();
  expect(await page.getByTestId('me-username').textContent()).toBe('czj.wang');
  await page.locator('main').getByText(/预算总览|Budget overview/).first().waitFor();

  // Back on the console without the code in the address bar; one code exchange, the verifier matched.
  expect(page.url()).toBe(`http://${siteOrigin}/#/`);
  expect(tokenCalls).toEqual([{ grant: 'authorization_code', ok: true }]);
  // Before sign-in the API saw no token (401 -> sign-in page); afterwards every call carried an issued ID token.
  const signedIn = apiCalls.slice(apiCalls.findIndex((c) => c.authorization));
  expect(signedIn.map((c) => c.path)).toEqual(expect.arrayContaining(['/api/v1/me', expect.stringMatching(/^\/api\/v1\/envelopes\?fiscal_year=\d{4}$/)]));
  for (const c of signedIn) expect(issuedIdTokens.has(c.authorization!.replace('Bearer ', ''))).toBe(true);
  // Tokens live in memory only: neither storage holds one (the PKCE verifier and state are gone too).
  const stored = await page.evaluate(() => {
    const all: string[] = [];
    for (const s of [localStorage, sessionStorage]) for (let i = 0; i < s.length; i++) all.push(`${s.key(i)}=${s.getItem(s.key(i)!)}`);
    return all.join('\n');
  });
  for (const token of issuedIdTokens) expect(stored).not.toContain(token);
  expect(stored).not.toContain('refresh-');
  expect(stored).not.toContain('bursar.oauth.pending');
  await screenshot(page, 'hosted-signin-overview');

  // A file download carries the token too: a plain link would not (it is fetched and saved from a Blob).
  await page.evaluate(() => { location.hash = '#/execution'; });
  const csvButton = page.getByRole('link', { name: /CSV/ }).or(page.getByRole('button', { name: /CSV/ })).first();
  await csvButton.waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), csvButton.click()]);
  expect(await download.failure()).toBeNull();
  const csvCall = apiCalls.find((c) => c.path.startsWith('/api/v1/summary') && c.path.includes('format=csv'));
  expect(issuedIdTokens.has(csvCall?.authorization?.replace('Bearer ', '') ?? '')).toBe(true);

  await page.getByRole('button', { name: /退出登录|Sign out/ }).click();
  await page.getByTestId('signin-hosted').waitFor();
  expect(logouts).toEqual([{ client_id: CLIENT_ID, logout_uri: `http://${siteOrigin}/` }]);
  await context.close();
});

it('refreshes the ID token with the refresh token before it expires and uses the new one', async () => {
  firstExpiresIn = 11; // more than the 10 s under which a call refreshes first; the timer refreshes halfway, after 5.5 s
  const { context, page } = await newUserPage(browser, `http://${siteOrigin}`);
  await page.goto('/');
  await page.getByTestId('signin-hosted').click();
  await page.getByTestId('me-username').waitFor();
  // Signed in with the code's ID token; no refresh yet.
  expect(apiCalls.filter((c) => c.authorization).map((c) => c.authorization)).toEqual(expect.arrayContaining([`Bearer ${issuedBy['authorization_code']}`]));
  expect(tokenCalls).toEqual([{ grant: 'authorization_code', ok: true }]);
  await until(() => tokenCalls.length >= 2, 'the refresh', 15_000);
  expect(tokenCalls).toEqual([{ grant: 'authorization_code', ok: true }, { grant: 'refresh_token', ok: true }]);
  await new Promise((r) => setTimeout(r, 200)); // the response reaches the page
  await page.evaluate(() => { location.hash = '#/awards'; }); // another page of the same document: new API calls
  await until(() => apiCalls.some((c) => c.path.startsWith('/api/v1/awards')), 'the awards page to call the API');
  const later = apiCalls.filter((c) => c.path.startsWith('/api/v1/awards')).map((c) => c.authorization);
  expect(issuedBy['refresh_token']).not.toBe(issuedBy['authorization_code']);
  expect(new Set(later)).toEqual(new Set([`Bearer ${issuedBy['refresh_token']}`]));
  await context.close();
});

it('refuses a callback whose state this tab did not send, without exchanging the code', async () => {
  const { context, page } = await newUserPage(browser, `http://${siteOrigin}`);
  await page.goto('/?code=stolen-code&state=forged');
  await page.getByRole('alert').filter({ hasText: /state mismatch/ }).waitFor();
  expect(tokenCalls).toEqual([]);
  expect(page.url()).toBe(`http://${siteOrigin}/#/`);
  await page.getByTestId('signin-hosted').waitFor();
  expect(await seriousViolations(page)).toEqual([]);
  await screenshot(page, 'hosted-signin-state-mismatch');
  await context.close();
});
