/**
 * The real `bursar` CLI for the end-to-end tests: `bursar serve` on a temp data dir over the test
 * run's DynamoDB Local (a table of its own per test file), and any other command against the same
 * store, as an operator would run them beside the console.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { randomUUID } from 'node:crypto';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const CLI = ['--import', 'tsx', path.join(ROOT, 'cli/main.ts')];

export interface BursarServer {
  url: string;
  dataDir: string;
  env: Record<string, string>;
  /** Runs another bursar command on the same store; returns its JSON result (throws on failure). */
  cli(args: string[], input?: string): any; // eslint-disable-line @typescript-eslint/no-explicit-any
  addUser(username: string, roles: string[], unit?: string): { username: string; password: string };
  stop(): Promise<void>;
}

/**
 * The console's build (made by `npm ci` through `prepare`); built here when it is missing or older
 * than a source it is built from (the console's own files, or the domain modules it imports), so a
 * developer's run never tests a stale console.
 */
export function ensureConsoleBuilt(): void {
  if (consoleBuildIsFresh()) return;
  // NODE_ENV is "test" under jest: the build must be the one `npm ci` makes and users get.
  const build = spawnSync('npm', ['run', 'build:web'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000, env: { ...process.env, NODE_ENV: 'production' } });
  if (build.status !== 0) throw new Error(`npm run build:web failed:\n${build.stdout}\n${build.stderr}`);
}

function consoleBuildIsFresh(): boolean {
  const built = path.join(ROOT, 'web', 'dist', 'index.html');
  if (!existsSync(built)) return false;
  const builtAt = statSync(built).mtimeMs;
  const sources = [path.join(ROOT, 'web', 'index.html'), path.join(ROOT, 'web', 'vite.config.ts')];
  for (const dir of [path.join(ROOT, 'web', 'src'), path.join(ROOT, 'web', 'build'), path.join(ROOT, 'shared', 'domain')]) {
    for (const name of readdirSync(dir, { recursive: true }) as string[]) sources.push(path.join(dir, name));
  }
  return sources.every((file) => !existsSync(file) || statSync(file).mtimeMs <= builtAt);
}

export async function startBursar(): Promise<BursarServer> {
  ensureConsoleBuilt();
  const endpoint = process.env['BURSAR_TEST_DYNAMODB_ENDPOINT'];
  if (!endpoint) throw new Error('BURSAR_TEST_DYNAMODB_ENDPOINT is not set (jest global setup starts DynamoDB Local)');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bursar-e2e-'));
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NODE_OPTIONS: '',
    BURSAR_DYNAMODB_ENDPOINT: endpoint,
    BURSAR_TABLE_NAME: `e2e-${randomUUID().slice(0, 8)}`,
    BURSAR_DATA_DIR: dataDir,
    TZ: 'UTC',
  };

  const cli = (args: string[], input?: string) => {
    const result = spawnSync(process.execPath, [...CLI, '--json', '--data-dir', dataDir, ...args], {
      cwd: ROOT, env, encoding: 'utf8', timeout: 120_000, ...(input !== undefined ? { input } : {}),
    });
    if (result.status !== 0) throw new Error(`bursar ${args.join(' ')} exited ${result.status}: ${result.stdout}\n${result.stderr}`);
    return result.stdout.trim() ? JSON.parse(result.stdout) : undefined;
  };
  cli(['init']);

  const child: ChildProcess = spawn(process.execPath, [...CLI, '--json', '--data-dir', dataDir, 'serve', '--port', '0'], {
    cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bursar serve did not start in 60 s:\n${stderr}`)), 60_000);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`bursar serve exited ${code}:\n${stderr}`)); });
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      lines.close();
      resolve((JSON.parse(line) as { url: string }).url.replace(/\/$/, ''));
    });
  });

  return {
    url, dataDir, env, cli,
    addUser(username, roles, unit) {
      const password = `pw-${randomUUID()}`;
      cli(['users', 'add', username, '--role', roles.join(','), ...(unit ? ['--unit', unit] : []), '--password-stdin'], `${password}\n`);
      return { username, password };
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      child.stdout?.destroy();
      child.stderr?.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
