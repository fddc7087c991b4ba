import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeMix, type IntakeMix } from './intake-mixes.ts';

const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'cli', 'bin', 'bursar.mjs');

export interface CliIntakeFigures {
  mix: IntakeMix['name'];
  awards: number;
  /** Wall time of the `bursar awards submit` process, start-up included. */
  seconds: number;
  awards_per_second: number;
  reserved: number;
  waitlisted: number;
  dead_lettered: number;
  overspent_envelopes: number;
  reconciliation_clean: boolean;
  /** Whether the CLI ran from its bundle (false: sources through tsx, e.g. a stale bundle). */
  bundled: boolean;
}

/**
 * A mix submitted through the real CLI process, `bursar awards submit FILE --json`, against the
 * bench's DynamoDB Local (BURSAR_DYNAMODB_ENDPOINT) in a table of its own. Budgets are loaded with
 * `bursar budget load` first (not timed); afterwards `budget show` and `reconcile` check that
 * nothing was overspent and the store is consistent. With BENCH_CPU_PROF=DIR the submit process
 * writes a V8 CPU profile there (`node --cpu-prof`).
 */
export function benchCliIntake(endpoint: string, tableName: string, mix: IntakeMix, bundled: boolean): CliIntakeFigures {
  const dir = mkdtempSync(path.join(tmpdir(), `bursar-bench-${mix.name}-`));
  const env = { ...process.env, NODE_OPTIONS: '', BURSAR_DYNAMODB_ENDPOINT: endpoint, BURSAR_TABLE_NAME: tableName, BURSAR_TRANSACTION_MAX_ITEMS: '10' };
  const bursar = (args: string[], nodeArgs: string[] = []) => {
    const run = spawnSync(process.execPath, [...nodeArgs, bin, '--json', ...args], { cwd: root, env, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'] });
    if (run.status !== 0 && !(args[0] === 'reconcile' && run.status === 2)) throw new Error(`bursar ${args.join(' ')} failed (exit ${run.status}): ${run.stdout.slice(0, 2000)}`);
    return JSON.parse(run.stdout) as Record<string, unknown>;
  };
  try {
    const awardsFile = path.join(dir, 'awards.csv');
    const budgetsFile = path.join(dir, 'budgets.csv');
    writeMix(mix, awardsFile, budgetsFile);
    bursar(['budget', 'load', budgetsFile, '--by', 'bench']);

    const profile = process.env['BENCH_CPU_PROF'];
    const started = process.hrtime.bigint();
    const report = bursar(['awards', 'submit', awardsFile], profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profile)}`, `--cpu-prof-name=intake-${mix.name}.cpuprofile`] : []);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;

    const { envelopes } = bursar(['budget', 'show', '--fiscal-year', '2025']) as { envelopes: Record<string, number>[] };
    const overspent = envelopes.filter((e) => e['reserved_fen']! + e['batched_fen']! + e['paid_fen']! > e['budget_fen']! || e['available_fen']! < 0).length;
    const reconciled = bursar(['reconcile', '--fiscal-year', '2025']);
    const submitted = report['submitted'] as number;
    return {
      mix: mix.name,
      awards: submitted,
      seconds,
      awards_per_second: submitted / seconds,
      reserved: report['reserved'] as number,
      waitlisted: report['waitlisted'] as number,
      dead_lettered: report['dead_lettered'] as number,
      overspent_envelopes: overspent,
      reconciliation_clean: reconciled['clean'] === true,
      bundled,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
