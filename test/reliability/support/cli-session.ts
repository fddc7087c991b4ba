/**
 * Runs many `bursar` commands in ONE child process, each through the real CLI entry point
 * (`main` of cli/program.ts: option parsing, the command, its JSON output and exit code), so a test
 * with dozens of commands pays the ~2 s tsx start-up once instead of per command.
 *
 *   node --import tsx cli-session.ts STEPS.json RESULTS.json
 *
 * STEPS.json: `[{ "argv": [...], "env": {...}, "json": true }]`; `env` entries are set for that
 * command only (e.g. BURSAR_TABLE_NAME, to give each corpus case its own table). RESULTS.json gets
 * `[{ "code", "stdout", "stderr", "ms" }]`, what the command wrote to stdout and stderr.
 *
 * Only used by test/reliability; commands that need a fresh process (log level, crashes) use
 * test/cli/run-cli.ts instead.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { main } from '../../../cli/program.ts';

interface Step {
  argv: string[];
  env?: Record<string, string>;
  json?: boolean;
}

const [stepsFile, resultsFile] = process.argv.slice(2);
if (!stepsFile || !resultsFile) throw new Error('usage: cli-session.ts STEPS.json RESULTS.json');
const steps = JSON.parse(readFileSync(stepsFile, 'utf8')) as Step[];

const realStdout = process.stdout.write.bind(process.stdout);
const realStderr = process.stderr.write.bind(process.stderr);
const results: { code: number; stdout: string; stderr: string; ms: number }[] = [];

function capture(into: string[]) {
  return ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
}

for (const step of steps) {
  const saved = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(step.env ?? {})) {
    saved.set(name, process.env[name]);
    process.env[name] = value;
  }
  const out: string[] = [];
  const err: string[] = [];
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  const started = Date.now();
  let code: number;
  try {
    code = await main(step.json === false ? step.argv : ['--json', ...step.argv]);
  } catch (error) {
    err.push(`session: command threw: ${error instanceof Error ? error.stack : String(error)}\n`);
    code = -1;
  } finally {
    process.stdout.write = realStdout;
    process.stderr.write = realStderr;
    process.exitCode = undefined;
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  results.push({ code, stdout: out.join(''), stderr: err.join(''), ms: Date.now() - started });
}
writeFileSync(resultsFile, JSON.stringify(results));
