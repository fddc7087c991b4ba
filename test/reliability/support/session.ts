/** Drives test/reliability/support/cli-session.ts: many real CLI commands in one child process. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../../..');
const script = path.join(import.meta.dirname, 'cli-session.ts');

export interface SessionStep {
  argv: string[];
  /** Set for this command only. */
  env?: Record<string, string>;
  /** Add --json (default true). */
  json?: boolean;
}

export interface StepResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Run `steps` in order in one `bursar` process; `env` applies to the whole process. */
export async function runSession(steps: SessionStep[], env: Record<string, string>): Promise<StepResult[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bursar-session-'));
  try {
    const stepsFile = path.join(dir, 'steps.json');
    const resultsFile = path.join(dir, 'results.json');
    writeFileSync(stepsFile, JSON.stringify(steps));
    const child = spawn(process.execPath, ['--import', 'tsx', script, stepsFile, resultsFile], {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const code = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c) => resolve(c ?? -1));
    });
    if (code !== 0) throw new Error(`cli-session exited with ${code}: ${stderr.slice(-2000)}`);
    const raw = JSON.parse(readFileSync(resultsFile, 'utf8')) as Omit<StepResult, 'json'>[];
    return raw.map((r) => ({ ...r, json: parseJson(r.stdout) }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
