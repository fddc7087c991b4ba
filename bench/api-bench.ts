import '../cli/node-warnings.ts';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { serve } from '@hono/node-server';
import autocannon from 'autocannon';
import { ensureTable } from '../cli/local/dynamo-local.ts';
import { DeadLetterStore } from '../cli/local/dead-letters.ts';
import { localApiDeps } from '../cli/local/api-deps.ts';
import type { Runtime } from '../cli/runtime.ts';
import { createDynamoClients } from '../shared/adapters/dynamo/client.ts';
import { DynamoLedger } from '../shared/adapters/dynamo/dynamo-ledger.ts';
import { DynamoSessionStore } from '../shared/adapters/dynamo/dynamo-session-store.ts';
import { DynamoUserStore } from '../shared/adapters/dynamo/dynamo-user-store.ts';
import { awardStatusPk } from '../shared/adapters/dynamo/items.ts';
import { GSI1 } from '../shared/adapters/dynamo/table-schema.ts';
import { createApp } from '../shared/http/app.ts';
import { systemClock } from '../shared/services/clock.ts';
import { addUser } from '../shared/services/users.ts';
import { seedReservedAwards } from './seed-reserved.ts';

/**
 * The API phase of `npm run bench` (issue 11): with `awards` RESERVED awards stored, `connections`
 * concurrent clients (autocannon) for `seconds` on two routes, against the same DynamoDB Local read
 * issued directly through the SDK at the same concurrency in the same run. The server runs in its
 * own process (this file with `serve`), so the load generator does not share its event loop.
 *
 *   api-bench.ts <endpoint> <table> <awards> <seconds> <connections>   → one JSON line on stdout
 */
const ROUTES = [
  { name: 'awards', path: '/api/v1/awards?measure=7&status=RESERVED&limit=50' },
  { name: 'envelopes', path: '/api/v1/envelopes' },
] as const;
const USER = 'bench-clerk';
const PASSWORD = 'bench-password-0123';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
function stats(latencies: number[], seconds: number, errors: number) {
  const s = [...latencies].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return { requests: s.length, per_second: Math.round(s.length / seconds), p50_ms: round(percentile(s, 50)), p95_ms: round(percentile(s, 95)), p99_ms: round(percentile(s, 99)), errors };
}

async function serveMode(endpoint: string, tableName: string): Promise<void> {
  process.env['POWERTOOLS_DEV'] = 'true';
  process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
  process.env['POWERTOOLS_LOG_LEVEL'] = 'ERROR';
  const { doc } = createDynamoClients({ endpoint });
  const ledger = new DynamoLedger(doc, tableName, { maxTransactionItems: 10 });
  const runtime: Runtime = {
    ledger, doc, tableName, clock: systemClock, deadLetters: new DeadLetterStore(doc, tableName),
    location: { mode: 'external', endpoint, tableName }, close: async () => {},
  };
  const exportsDir = mkdtempSync(path.join(os.tmpdir(), 'bursar-bench-exports-'));
  const app = createApp(localApiDeps(runtime, { exportsDir, secureCookies: false, log: () => {} }));
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${info.port}` })}\n`);
  });
  process.on('SIGTERM', () => server.close(() => { rmSync(exportsDir, { recursive: true, force: true }); process.exit(0); }));
}

async function load(url: string, cookie: string, seconds: number, connections: number) {
  const latencies: number[] = [];
  let errors = 0;
  await new Promise<void>((resolve, reject) => {
    const instance = autocannon({ url, connections, duration: seconds, headers: { cookie } }, (error) => (error ? reject(error) : resolve()));
    instance.on('response', (_client, statusCode, _bytes, ms) => {
      if (statusCode === 200) latencies.push(ms); else errors++;
    });
    instance.on('reqError', () => { errors++; });
  });
  return stats(latencies, seconds, errors);
}

/** The same read without HTTP: `connections` loops issuing it back to back for `seconds`. */
async function direct(read: () => Promise<unknown>, seconds: number, connections: number) {
  const latencies: number[] = [];
  const until = Date.now() + seconds * 1000;
  await Promise.all(Array.from({ length: connections }, async () => {
    while (Date.now() < until) {
      const t = process.hrtime.bigint();
      await read();
      latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }));
  return stats(latencies, seconds, 0);
}

async function main(): Promise<void> {
  const [mode, endpoint, tableName, awardsArg, secondsArg, connectionsArg] = process.argv.slice(2);
  if (mode === 'serve') return serveMode(endpoint!, tableName!);
  const awards = Number(awardsArg ?? 100_000);
  const seconds = Number(secondsArg ?? 20);
  const connections = Number(connectionsArg ?? 20);

  const { client, doc } = createDynamoClients({ endpoint: endpoint! });
  await ensureTable(client, tableName!);
  const ledger = new DynamoLedger(doc, tableName!, { maxTransactionItems: 10 });
  let t = process.hrtime.bigint();
  await seedReservedAwards(doc, ledger, tableName!, awards);
  const seedSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  await addUser({ users: new DynamoUserStore(doc, tableName!), sessions: new DynamoSessionStore(doc, tableName!), clock: systemClock }, 'bench', { username: USER, roles: ['clerk'], password: PASSWORD });

  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'serve', endpoint!, tableName!], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const { url } = JSON.parse(await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
    })) as { url: string };
    const signIn = await fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: USER, password: PASSWORD }) });
    if (signIn.status !== 200) throw new Error(`bench sign-in failed: ${signIn.status}`);
    const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const check = await (await fetch(`${url}${ROUTES[0].path}`, { headers: { cookie } })).json() as { awards: unknown[] };
    if (check.awards.length !== 50) throw new Error(`expected a full page of 50 awards, got ${check.awards.length}`);

    const queryAwards = () => doc.send(new QueryCommand({
      TableName: tableName, IndexName: GSI1.name, KeyConditionExpression: '#g = :g',
      ExpressionAttributeNames: { '#g': GSI1.pk }, ExpressionAttributeValues: { ':g': awardStatusPk('RESERVED', { measure: 7, fiscal_year: 2025 }) }, Limit: 51,
    }));
    const result: Record<string, unknown> = { awards_stored: awards, seed_seconds: Math.round(seedSeconds), seconds, connections };
    // Warm both paths (JIT, connection pools) before measuring.
    await load(`${url}${ROUTES[0].path}`, cookie, 2, connections);
    await direct(queryAwards, 2, connections);
    for (const route of ROUTES) {
      t = process.hrtime.bigint();
      const api = await load(`${url}${route.path}`, cookie, seconds, connections);
      const sdk = await direct(route.name === 'awards' ? queryAwards : () => ledger.listEnvelopes(), seconds, connections);
      result[route.name] = { api, sdk, p95_ratio: Math.round((api.p95_ms / sdk.p95_ms) * 100) / 100 };
    }
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    child.kill('SIGTERM');
    doc.destroy();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`api bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
