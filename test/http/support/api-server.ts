/**
 * The real HTTP server (the same app `bursar serve` runs, on @hono/node-server) over a fresh table
 * on the test DynamoDB Local, with a clock the test moves, and clients that keep cookies and the
 * CSRF token as a browser would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { DynamoLedger } from '../../../shared/adapters/dynamo/dynamo-ledger.ts';
import { DynamoSessionStore } from '../../../shared/adapters/dynamo/dynamo-session-store.ts';
import { DynamoUserStore } from '../../../shared/adapters/dynamo/dynamo-user-store.ts';
import { createApp } from '../../../shared/http/app.ts';
import type { ApiDeps } from '../../../shared/http/deps.ts';
import type { Role } from '../../../shared/ports/identity.ts';
import { addUser } from '../../../shared/services/users.ts';
import { DeadLetterStore } from '../../../cli/local/dead-letters.ts';
import { localApiDeps } from '../../../cli/local/api-deps.ts';
import type { Runtime } from '../../../cli/runtime.ts';
import { freshTable, type TestTable } from '../../support/dynamo.ts';

export class TestClock {
  constructor(private t = Date.parse('2025-06-10T02:00:00Z')) {}
  now = (): string => new Date(this.t++).toISOString();
  advance(ms: number): void { this.t += ms; }
}

export interface TestServer {
  url: string;
  table: TestTable;
  runtime: Runtime;
  deps: ApiDeps;
  clock: TestClock;
  exportsDir: string;
  addUser(username: string, roles: Role[], unit?: string): Promise<string>;
  /** A client signed in as this user (password from addUser). */
  signIn(username: string): Promise<ApiClient>;
  anonymous(): ApiClient;
  close(): Promise<void>;
}

export const PASSWORD = (username: string) => `pw-${username}-0123456789`;

export async function startTestServer(options: { staticDir?: string } = {}): Promise<TestServer> {
  const table = await freshTable();
  const clock = new TestClock();
  const ledger = new DynamoLedger(table.doc, table.tableName, { maxTransactionItems: 10 });
  const runtime: Runtime = {
    ledger, doc: table.doc, tableName: table.tableName, clock: { now: clock.now },
    deadLetters: new DeadLetterStore(table.doc, table.tableName),
    location: { mode: 'external', tableName: table.tableName }, close: async () => {},
  };
  const exportsDir = mkdtempSync(path.join(os.tmpdir(), 'bursar-http-exports-'));
  const deps = localApiDeps(runtime, { exportsDir, secureCookies: false, clock: { now: clock.now }, log: () => {}, ...(options.staticDir ? { staticDir: options.staticDir } : {}) });
  const app = createApp(deps);
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const userDeps = { users: new DynamoUserStore(table.doc, table.tableName), sessions: new DynamoSessionStore(table.doc, table.tableName), clock: { now: clock.now } };
  const ts: TestServer = {
    url, table, runtime, deps, clock, exportsDir,
    async addUser(username, roles, unit) {
      await addUser(userDeps, 'test', { username, roles, unit: unit ?? null, password: PASSWORD(username) });
      return PASSWORD(username);
    },
    async signIn(username) {
      const client = new ApiClient(url);
      const res = await client.post('/api/v1/session', { username, password: PASSWORD(username) });
      if (res.status !== 200) throw new Error(`sign-in of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return client;
    },
    anonymous: () => new ApiClient(url),
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await deps.runOps.idle();
      rmSync(exportsDir, { recursive: true, force: true });
      await table.drop();
    },
  };
  return ts;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

export interface RequestOptions {
  json?: unknown;
  body?: string | Buffer;
  contentType?: string;
  /** Send the CSRF header (default: yes, when the client has the cookie). */
  csrf?: boolean;
  headers?: Record<string, string>;
}

/** A browser-like client: keeps the cookies it is given and sends the CSRF header on unsafe methods. */
export class ApiClient {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  get csrf(): string | undefined { return this.cookies.get('bursar_csrf'); }

  async request(method: string, path: string, o: RequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (this.cookies.size > 0) headers['cookie'] = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (o.csrf !== false && this.csrf && method !== 'GET' && method !== 'HEAD') headers['x-csrf-token'] = this.csrf;
    let body: string | Buffer | undefined;
    if (o.json !== undefined) { body = JSON.stringify(o.json); headers['content-type'] ??= o.contentType ?? 'application/json'; }
    if (o.body !== undefined) { body = o.body; if (o.contentType) headers['content-type'] = o.contentType; }
    const res = await fetch(this.base + path, { method, headers, ...(body !== undefined ? { body } : {}) });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /Max-Age=0/i.test(cookie)) this.cookies.delete(name); else this.cookies.set(name, value);
    }
    const text = await res.text();
    let parsed: unknown;
    try { parsed = JSON.parse(text); } catch { parsed = undefined; }
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  get(path: string, o?: RequestOptions) { return this.request('GET', path, o); }
  post(path: string, json?: unknown, o: RequestOptions = {}) { return this.request('POST', path, { ...(json !== undefined ? { json } : {}), ...o }); }
  put(path: string, json?: unknown, o: RequestOptions = {}) { return this.request('PUT', path, { ...(json !== undefined ? { json } : {}), ...o }); }
  delete(path: string, o?: RequestOptions) { return this.request('DELETE', path, o); }
  csv(path: string, text: string, o: RequestOptions = {}) { return this.request('POST', path, { body: text, contentType: 'text/csv', ...o }); }
}

/** An awards CSV (header + rows) from field records. */
export function awardsCsv(rows: Record<string, string>[]): string {
  const columns = ['award_id', 'measure', 'recipient_name', 'recipient_uscc', 'amount_yuan', 'qualifying_date', 'approved_date', 'approving_unit', 'scheme_id', 'payee_bank', 'payee_account'];
  return [columns.join(','), ...rows.map((r) => columns.map((c) => r[c] ?? '').join(','))].join('\n') + '\n';
}
