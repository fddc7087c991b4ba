/** The real `bursar` CLI as an asynchronous child process, so several can run at once. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { CliRun } from '../../cli/run-cli.ts';

const root = path.resolve(import.meta.dirname, '../../..');

export interface SpawnedCli {
  pid: number;
  done: Promise<CliRun>;
}

/** Start `bursar --json ARGS` (through tsx, as `npx bursar` does); `done` resolves when it exits. */
export function spawnCli(args: string[], env: Record<string, string>): SpawnedCli {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'cli/main.ts'), '--json', ...args], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const done = new Promise<CliRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      let json: unknown;
      try { json = JSON.parse(stdout); } catch { json = undefined; }
      resolve({ code: code ?? -1, json, stdout, stderr });
    });
  });
  return { pid: child.pid ?? -1, done };
}
