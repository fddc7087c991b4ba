import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

const root = path.resolve(import.meta.dirname, '../../..');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bursar-serve-'));
const baseEnv: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
delete baseEnv['BURSAR_DYNAMODB_ENDPOINT'];
delete baseEnv['AWS_ENDPOINT_URL_DYNAMODB'];

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'cli/main.ts'), '--data-dir', dataDir, '--json', ...args], {
    cwd: root, env: baseEnv, encoding: 'utf8', timeout: 120_000, ...(input !== undefined ? { input } : {}),
  });
  return { code: r.status, json: JSON.parse(r.stdout || 'null'), stderr: r.stderr };
}

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

test('anything but loopback without TLS is refused with TLS_REQUIRED', () => {
  for (const host of ['0.0.0.0', '192.168.1.10', '::']) {
    const r = cli(['serve', '--host', host, '--port', '0']);
    expect(r.code).toBe(1);
    expect(r.json.error.code).toBe('TLS_REQUIRED');
  }
  expect(cli(['serve', '--tls-cert', 'x.pem']).json.error.code).toBe('TLS_REQUIRED');
});

test('serve --json: first line is the url; other commands use its store; SIGTERM finishes and exits 0', async () => {
  expect(cli(['users', 'add', 'alice', '--role', 'clerk', '--password-stdin'], 'alice-password-1').code).toBe(0);
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'cli/main.ts'), '--data-dir', dataDir, '--json', 'serve', '--port', '0'], {
    cwd: root, env: baseEnv, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const first: string = await new Promise((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', () => reject(new Error('serve exited before printing its url')));
    });
    const { url } = JSON.parse(first) as { url: string };
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

    const signIn = await fetch(`${url}api/v1/session`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice', password: 'alice-password-1' }),
    });
    expect(signIn.status).toBe(200);
    const cookies = signIn.headers.getSetCookie().map((c) => c.split(';')[0]!);
    const csrf = cookies.find((c) => c.startsWith('bursar_csrf='))!.slice('bursar_csrf='.length);
    const put = await fetch(`${url}api/v1/envelopes/2025/7`, {
      method: 'PUT', body: JSON.stringify({ amount_yuan: '1234.00' }),
      headers: { 'content-type': 'application/json', cookie: cookies.join('; '), 'x-csrf-token': csrf },
    });
    expect(put.status).toBe(200);

    // Beside the running server, a CLI command on the same data dir reads the same store.
    const shown = cli(['budget', 'show', '--fiscal-year', '2025']);
    expect(shown.code).toBe(0);
    expect(shown.json.envelopes).toEqual([expect.objectContaining({ measure: 7, budget_fen: 123400 })]);
    const history = cli(['budget', 'history', '--measure', '7', '--fiscal-year', '2025']);
    expect(history.json.audit.map((a: { by: string }) => a.by)).toEqual(['alice']);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(path.join(dataDir, 'served-store.json'))).toBe(false);
    expect(existsSync(path.join(dataDir, 'lock'))).toBe(false);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  // With the server gone, the data dir is an ordinary embedded store again.
  expect(cli(['budget', 'show', '--fiscal-year', '2025']).json.envelopes).toHaveLength(1);
}, 300_000); // five CLI processes, each starting the embedded DynamoDB Local on a shared 2-core machine
