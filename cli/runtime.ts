import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDynamoClients } from '../shared/adapters/dynamo/client.ts';
import { DynamoLedger } from '../shared/adapters/dynamo/dynamo-ledger.ts';
import { BursarError } from '../shared/domain/errors.ts';
import { systemClock, type Clock } from '../shared/services/clock.ts';
import { DeadLetterStore } from './local/dead-letters.ts';
import { ensureTable, startDynamoLocal } from './local/dynamo-local.ts';

/** Everything a CLI command needs: the store, the clock, the local dead letters. */
export interface Runtime {
  ledger: DynamoLedger;
  doc: DynamoDBDocumentClient;
  tableName: string;
  clock: Clock;
  deadLetters: DeadLetterStore;
  /** Where the store is: the embedded data dir or the external endpoint/table. */
  location: { mode: 'embedded'; dataDir: string; endpoint: string } | { mode: 'external'; endpoint?: string; tableName: string };
  close(): Promise<void>;
  /** The data dir, whichever store is used: it holds the manifest signing key. */
  keyDir?: string;
}

export interface RuntimeOptions {
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export function resolveDataDir(opts: RuntimeOptions): string {
  const env = opts.env ?? process.env;
  return path.resolve(opts.dataDir ?? env['BURSAR_DATA_DIR'] ?? '.bursar');
}

/**
 * Open the store the CLI works on. By default that is the embedded one: DynamoDB Local started from
 * the data dir and stopped again on close. `BURSAR_DYNAMODB_ENDPOINT` (or AWS's own
 * `AWS_ENDPOINT_URL_DYNAMODB`, or `BURSAR_USE_AWS=1` with the usual AWS configuration) points at
 * another DynamoDB instead; `BURSAR_TABLE_NAME` names the table there.
 */
export async function openRuntime(opts: RuntimeOptions = {}): Promise<Runtime> {
  return { ...await openStore(opts), keyDir: resolveDataDir(opts) };
}

async function openStore(opts: RuntimeOptions): Promise<Runtime> {
  const env = opts.env ?? process.env;
  const tableName = env['BURSAR_TABLE_NAME'] ?? 'bursar';
  const endpoint = env['BURSAR_DYNAMODB_ENDPOINT'] || env['AWS_ENDPOINT_URL_DYNAMODB'] || undefined;
  const external = endpoint !== undefined || env['BURSAR_USE_AWS'] === '1';
  // Locally the bundled DynamoDB Local allows 10 items per transaction; AWS allows 100.
  const maxTransactionItems = Number(env['BURSAR_TRANSACTION_MAX_ITEMS'] || (external && !endpoint ? 100 : 10));
  if (!Number.isInteger(maxTransactionItems) || maxTransactionItems < 3 || maxTransactionItems > 100) {
    throw new BursarError('BAD_CONFIG', `BURSAR_TRANSACTION_MAX_ITEMS must be a whole number from 3 to 100 (AWS allows 100, DynamoDB Local 10), got "${env['BURSAR_TRANSACTION_MAX_ITEMS']}"`);
  }

  if (external) {
    const { client, doc } = createDynamoClients(endpoint ? { endpoint } : {});
    if (endpoint) await ensureTable(client, tableName);
    return assemble(doc, tableName, maxTransactionItems, { mode: 'external', tableName, ...(endpoint ? { endpoint } : {}) }, async () => doc.destroy());
  }

  const dataDir = resolveDataDir(opts);
  mkdirSync(dataDir, { recursive: true });
  // A running `bursar serve` owns the data dir: use its store rather than refuse (DATA_DIR_IN_USE).
  const served = servedStore(dataDir);
  if (served) {
    const { client, doc } = createDynamoClients({ endpoint: served.endpoint });
    await ensureTable(client, tableName);
    return assemble(doc, tableName, maxTransactionItems, { mode: 'external', endpoint: served.endpoint, tableName }, async () => doc.destroy());
  }
  const releaseLock = acquireLock(dataDir);
  try {
    killOrphan(dataDir);
    const local = await startDynamoLocal({ dbPath: path.join(dataDir, 'dynamodb'), ...(opts.log ? { log: opts.log } : {}) });
    writeFileSync(path.join(dataDir, 'dynamodb.pid'), String(local.pid));
    const { client, doc } = createDynamoClients({ endpoint: local.endpoint });
    await ensureTable(client, tableName);
    return assemble(doc, tableName, maxTransactionItems, { mode: 'embedded', dataDir, endpoint: local.endpoint }, async () => {
      doc.destroy();
      await local.stop();
      rmSync(path.join(dataDir, 'dynamodb.pid'), { force: true });
      releaseLock();
    });
  } catch (error) {
    releaseLock();
    throw error;
  }
}

function assemble(
  doc: DynamoDBDocumentClient, tableName: string, maxTransactionItems: number, location: Runtime['location'], close: () => Promise<void>,
): Runtime {
  return {
    ledger: new DynamoLedger(doc, tableName, { maxTransactionItems }),
    doc, tableName, clock: systemClock, deadLetters: new DeadLetterStore(doc, tableName), location, close,
  };
}

/** Where `bursar serve` records the store it owns, for the other commands on that data dir. */
export const SERVED_STORE_FILE = 'served-store.json';

/** Publish this process's store to other commands on the data dir; returns the withdrawal. */
export function publishStore(dataDir: string, endpoint: string): () => void {
  const file = path.join(dataDir, SERVED_STORE_FILE);
  writeFileSync(file, JSON.stringify({ pid: process.pid, endpoint }), { mode: 0o600 });
  return () => rmSync(file, { force: true });
}

/** The store a live `bursar serve` published for this data dir, if it holds the lock. */
function servedStore(dataDir: string): { endpoint: string } | undefined {
  const file = path.join(dataDir, SERVED_STORE_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const served = JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown; endpoint?: unknown };
    const lockPid = Number(readFileSync(path.join(dataDir, 'lock'), 'utf8'));
    // Only a loopback DynamoDB Local endpoint of the live process that holds the lock.
    if (served.pid === lockPid && isAlive(lockPid) && typeof served.endpoint === 'string' && /^http:\/\/127\.0\.0\.1:\d{1,5}$/.test(served.endpoint)) {
      return { endpoint: served.endpoint };
    }
  } catch { /* unreadable or no lock: not served */ }
  return undefined;
}

/** One CLI process owns an embedded data dir at a time; a second one gets a clear refusal. */
function acquireLock(dataDir: string): () => void {
  const lockFile = path.join(dataDir, 'lock');
  if (existsSync(lockFile)) {
    const pid = Number(readFileSync(lockFile, 'utf8'));
    if (isAlive(pid)) {
      throw new BursarError('DATA_DIR_IN_USE', `data dir ${dataDir} is in use by process ${pid}; wait for it, or share one DynamoDB between processes with BURSAR_DYNAMODB_ENDPOINT`);
    }
  }
  writeFileSync(lockFile, String(process.pid));
  return () => rmSync(lockFile, { force: true });
}

/** A CLI killed with SIGKILL cannot stop its DynamoDB Local; the next run does. */
function killOrphan(dataDir: string): void {
  const pidFile = path.join(dataDir, 'dynamodb.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  // Only a process that really is our DynamoDB Local (pids get reused).
  if (isAlive(pid) && readCommandLine(pid).includes('DynamoDBLocal.jar') && readCommandLine(pid).includes(dataDir)) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  rmSync(pidFile, { force: true });
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readCommandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}
