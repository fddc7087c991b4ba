import '../node-warnings.ts';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MEASURES, POLICY } from '../../shared/domain/catalog.ts';
import { formatYuanGrouped } from '../../shared/domain/money.ts';
import { main } from '../program.ts';
import { startDynamoLocal } from '../local/dynamo-local.ts';
import { openRuntime } from '../runtime.ts';
import { createOutput, table } from '../output.ts';
import { demoRuns } from './demo-runs.ts';
import { demoAlerts } from './demo-alerts.ts';
import { demoHolds } from './demo-holds.ts';
import { sampleAwardLines, sampleBudgetsCsv, sampleSchemesCsv } from './sample-data.ts';

/**
 * `npm start`: the whole product on a fresh embedded store, driven through the real CLI commands
 * (and so the real handlers): catalog, schemes, FY2025 budgets, ~1,000 sample awards, then what
 * happened per measure, a month's run, one held award of each hold reason, the alerts. Everything lands in .bursar-demo/ (data dir and input files).
 */
export const root = path.resolve(process.env['BURSAR_DEMO_DIR'] ?? '.bursar-demo');
export const dataDir = path.join(root, 'data');
const say = (line = '') => process.stderr.write(`${line}\n`);

async function bursar(...args: string[]): Promise<unknown> {
  // Capture the JSON result of a CLI command run in this process.
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => { chunks.push(String(chunk)); return true; }) as typeof process.stdout.write;
  let code: number;
  try {
    code = await main(['--json', '--data-dir', dataDir, ...args]);
  } finally {
    process.stdout.write = write;
  }
  const result = JSON.parse(chunks.join('')) as unknown;
  if (code !== 0) throw new Error(`bursar ${args.join(' ')} failed: ${JSON.stringify(result)}`);
  return result;
}

/** The demo on a fresh store in .bursar-demo/data (`npm run demo`; `npm start` then serves the console on it). */
export async function demo(): Promise<void> {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  say(`Bursar demo: ${POLICY.documentNumber} (${MEASURES.length} measures), fresh store in ${dataDir}`);

  const files = {
    schemes: path.join(root, 'schemes.csv'),
    budgets: path.join(root, 'budgets-2025.csv'),
    awards: path.join(root, 'awards-2025.csv'),
  };
  writeFileSync(files.schemes, sampleSchemesCsv());
  writeFileSync(files.budgets, sampleBudgetsCsv(2025));
  writeFileSync(files.awards, `${[...sampleAwardLines({ count: 1000 })].join('\n')}\n`);

  // One DynamoDB Local for the whole demo, on the data dir's files, shared by every command below.
  const store = await startDynamoLocal({ dbPath: path.join(dataDir, 'dynamodb') });
  const previous = process.env['BURSAR_DYNAMODB_ENDPOINT'];
  process.env['BURSAR_DYNAMODB_ENDPOINT'] = store.endpoint;
  try {
    await steps(files);
  } finally {
    await store.stop();
    // The store is gone: later commands in this process (npm start's serve) open the data dir again.
    if (previous === undefined) delete process.env['BURSAR_DYNAMODB_ENDPOINT'];
    else process.env['BURSAR_DYNAMODB_ENDPOINT'] = previous;
  }
}

async function steps(files: { schemes: string; budgets: string; awards: string }): Promise<void> {
  await bursar('init');
  const schemes = (await bursar('scheme', 'load', files.schemes)) as { loaded: unknown[] };
  say(`Loaded ${schemes.loaded.length} special schemes.`);
  const budgets = (await bursar('budget', 'load', files.budgets, '--by', 'finance-wang')) as { results: unknown[] };
  say(`Set ${budgets.results.length} FY2025 budget envelopes.`);

  say('Submitting 1,000 sample awards through the intake handler...');
  const started = Date.now();
  const report = (await bursar('awards', 'submit', files.awards)) as Record<string, number>;
  const seconds = (Date.now() - started) / 1000;
  say(`  ${report['submitted']} records in ${seconds.toFixed(1)} s: ${report['reserved']} reserved, ${report['waitlisted']} waitlisted, ` +
    `${report['rejected']} rejected, ${report['duplicates']} duplicates, ${report['conflicts']} conflicts, ${report['invalid']} invalid.`);

  const { awards } = (await bursar('awards', 'list', '--fiscal-year', '2025')) as { awards: { status: string; reason?: string; measure: number }[] };
  const reasons = new Map<string, number>();
  for (const a of awards) if (a.status === 'REJECTED' || a.status === 'WAITLISTED') reasons.set(`${a.status} ${a.reason}`, (reasons.get(`${a.status} ${a.reason}`) ?? 0) + 1);
  say('  Why awards were not reserved:');
  say(indent(table(['status and reason', 'awards'], [...reasons].sort().map(([reason, n]) => [reason, n])), '    '));

  const { envelopes } = (await bursar('budget', 'show', '--fiscal-year', '2025')) as {
    envelopes: { measure: number; budget_fen: number; reserved_fen: number; available_fen: number; waitlisted_fen: number; waitlisted_count: number }[];
  };
  say('');
  say('FY2025 per measure (yuan):');
  const y = formatYuanGrouped;
  say(table(['measure', 'budget', 'reserved', 'available', 'waiting', '#'], envelopes.sort((a, b) => a.measure - b.measure)
    .map((e) => [e.measure, y(e.budget_fen), y(e.reserved_fen), y(e.available_fen), y(e.waitlisted_fen), e.waitlisted_count])));

  // Disbursement, alerts and the nightly reconciliation, on the same store.
  const runtime = await openRuntime();
  try {
    say('');
    say('Monthly disbursement for 2025-06 (awards approved up to 2025-06-30):');
    await demoRuns(runtime, createOutput(false), { period: '2025-06', outDir: path.join(root, 'exports') });
    say('');
    say('Controls across bureaus: a credit restriction and two awards subsidising the same thing twice, held for a person:');
    await demoHolds(runtime, createOutput(false));
    say('');
    await demoAlerts(runtime, createOutput(false));
  } finally {
    await runtime.close();
  }
  say('');
  say(`Try: npx bursar --data-dir ${path.relative(process.cwd(), dataDir)} awards show ${(awards[0] as { award_id?: string } | undefined)?.award_id ?? 'ID'}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  demo().catch((error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  });
}

function indent(text: string, by: string): string {
  return text.split('\n').map((l) => by + l).join('\n');
}
