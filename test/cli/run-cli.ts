import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

export interface CliRun {
  code: number;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  stdout: string;
  stderr: string;
}

/**
 * Run the real `bursar` CLI in a child process with --json, through its bin as `npx bursar` does:
 * the bundle when it is fresh (`npm test` builds it first), else the sources through tsx.
 */
export function runCli(args: string[], env: Record<string, string>): CliRun {
  const result = spawnSync(process.execPath, [path.join(root, 'cli/bin/bursar.mjs'), '--json', ...args], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  let json: unknown;
  try {
    json = JSON.parse(result.stdout);
  } catch {
    json = undefined;
  }
  return { code: result.status ?? -1, json, stdout: result.stdout, stderr: result.stderr };
}
