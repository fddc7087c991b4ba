import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { BrowserContext } from 'playwright-core';
import { startDynamoLocal } from '../cli/local/dynamo-local.ts';
import { openRuntime } from '../cli/runtime.ts';
import { DynamoSessionStore } from '../shared/adapters/dynamo/dynamo-session-store.ts';
import { DynamoUserStore } from '../shared/adapters/dynamo/dynamo-user-store.ts';
import { addUser } from '../shared/services/users.ts';
import { seedReservedAwards } from './seed-reserved.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

export interface ConsoleStage {
  url: string;
  username: string;
  password: string;
  /** Signs the clerk in through the sign-in form of a page of `context`. */
  signIn(context: BrowserContext): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The console benches' stage: DynamoDB Local in memory, `awards` RESERVED awards of 2025 seeded
 * straight into the table, one clerk, and `bursar serve` on a free port serving the built console.
 */
export async function startConsoleStage(name: string, awards: number): Promise<ConsoleStage> {
  const local = await startDynamoLocal({ inMemory: true });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `bursar-${name}-`));
  Object.assign(process.env, { BURSAR_DYNAMODB_ENDPOINT: local.endpoint, BURSAR_TABLE_NAME: name });
  const env = { ...process.env, NODE_OPTIONS: '' } as Record<string, string>;
  const username = `${name}-clerk`;
  const password = `${name}-${Math.random().toString(36).slice(2)}-pw`;
  let server: ReturnType<typeof spawn> | undefined;
  const stop = async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    await local.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const runtime = await openRuntime({ dataDir });
    try {
      await seedReservedAwards(runtime.doc, runtime.ledger, runtime.tableName, awards);
      await addUser({ users: new DynamoUserStore(runtime.doc, runtime.tableName), sessions: new DynamoSessionStore(runtime.doc, runtime.tableName), clock: runtime.clock },
        name, { username, roles: ['clerk'], unit: null, password });
    } finally {
      await runtime.close();
    }
    server = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'cli/main.ts'), '--json', '--data-dir', dataDir, 'serve', '--port', '0'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise<string>((resolve, reject) => {
      server!.once('exit', (code) => reject(new Error(`bursar serve exited ${code}`)));
      const lines = createInterface({ input: server!.stdout! });
      lines.once('line', (line) => { lines.close(); resolve((JSON.parse(line) as { url: string }).url.replace(/\/$/, '')); });
    });
    const signIn = async (context: BrowserContext) => {
      const page = context.pages()[0] ?? await context.newPage();
      await page.goto('/');
      await page.locator('#signin-username').fill(username);
      await page.locator('#signin-password').fill(password);
      await page.locator('form[name="signin"] button[type="submit"]').click();
      await page.getByTestId('me-username').waitFor({ timeout: 30_000 });
    };
    return { url, username, password, signIn, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
