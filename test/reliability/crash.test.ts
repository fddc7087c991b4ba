/**
 * Issue 7, part 3 — crashes. The real CLI (`node --import tsx cli/main.ts --json …`, one process per
 * command, all on the shared DynamoDB Local through BURSAR_DYNAMODB_ENDPOINT, a table per run) is
 * killed with SIGKILL at seeded points during `awards submit` and `run prepare`, then the same command
 * is run again to completion. The end state must equal that of an uninterrupted run on another table,
 * and `bursar reconcile` must call every table clean.
 *
 * Crash points: seeded (BURSAR_CRASH_SEED) fractions of the work the uninterrupted command did, as
 * seen from outside: the test watches a few items of the table (the envelopes' versions, which every
 * money transaction bumps, and the run header) every 20 ms and sends SIGKILL once the crashed
 * command's progress reaches its point. Nothing in the product knows about it (no test hook); a
 * plain delay would land anywhere from start-up to after the end, as the machine's load varies.
 * How far each crashed command got (awards stored, payments moved) and when it was killed is
 * printed; most points must land in the middle of the work. Counts: BURSAR_CRASH_SUBMIT_POINTS (12),
 * BURSAR_CRASH_PREPARE_POINTS (10).
 *
 * Why the end states must be EQUAL, not merely both valid (the strict queue):
 * - `awards submit` sends the file in SQS-style batches (here `--batch-size 100`), two batches at a
 *   time. Each envelope's records all sit in one batch here (envelopes are batch-disjoint), so no two
 *   batches race for one envelope's money; an uninterrupted run is then deterministic (intake plans a
 *   batch's awards per envelope in queue order: (approved_date, award_id)).
 * - A crash leaves a prefix of each envelope's writes: reserve transactions in queue order, then
 *   waitlist transactions in queue order, then the drain. The re-run finds the written awards
 *   (DUPLICATE: a new submission) and plans the rest against the envelope as the crash left it: with
 *   nobody waiting it continues reserving exactly where the prefix stopped; once awards wait, every
 *   later one waits behind them (strict queue). The drain then serves the longest affordable prefix
 *   of the queue, and a queue-order prefix of a queue-order prefix is the same prefix. So the
 *   RESERVED set, the queue and every figure must be exactly those of the uninterrupted run — and
 *   the history of every award too (a crash may not turn a direct reservation into wait-then-serve).
 *   Envelopes with a queue before the file arrives (here measure 7 FY2025, behind an unaffordable
 *   award) check the drain: a crash after the last waitlist write and before the drain leaves an
 *   affordable head, which the re-run must serve although it sees only DUPLICATEs (finding 3).
 * - `run prepare` numbers payments per (measure, unit) series in queue order, page by page, a series'
 *   counter moving in the same transaction as its awards; a resumed prepare continues each series
 *   after its counter with the remaining awards in the same order. So batch ids and sequence numbers
 *   must be identical too.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoLedger } from '../../shared/adapters/dynamo/dynamo-ledger.ts';
import { setBudget } from '../../shared/services/budget.ts';
import { processIntake } from '../../shared/services/intake.ts';
import type { IntakeRequest } from '../../shared/domain/queue-messages.ts';
import { freshTable, testEndpoint, type TestTable } from '../support/dynamo.ts';
import { awardFields, tickingClock } from '../support/records.ts';
import {
  copyInto, countAwards, endStateOf, intakeIssues, progressOf, prng, runAndKillAt, runTimed, writeAwardFile, type EndState,
} from './support/crash.ts';
import { ENVELOPE_SK, envelopePk } from '../../shared/adapters/dynamo/items.ts';
import { RUN_SK, runPk } from '../../shared/adapters/dynamo/run-items.ts';
import { scanAll } from './support/money-model.ts';
import { runSession } from './support/session.ts';
import type { Item } from '../../shared/adapters/dynamo/operations.ts';

const SEED = Number(process.env['BURSAR_CRASH_SEED'] ?? 20250122);
const SUBMIT_POINTS = Number(process.env['BURSAR_CRASH_SUBMIT_POINTS'] ?? 12);
const PREPARE_POINTS = Number(process.env['BURSAR_CRASH_PREPARE_POINTS'] ?? 10);
const verbose = (line: string) => { if (process.env['BURSAR_TEST_VERBOSE']) console.log(line); };

const dir = mkdtempSync(path.join(tmpdir(), 'bursar-crash-'));
const envelopeKeys = (keys: [number, number][]) => keys.map(([measure, fiscal_year]) => ({ pk: envelopePk({ measure, fiscal_year }), sk: ENVELOPE_SK }));
/** What the crash points watch: the envelopes each command writes to (and the run it prepares). */
const SUBMIT_WATCHED = envelopeKeys([[7, 2025], [7, 2024], [12, 2025], [21, 2025]]);
const PREPARE_WATCHED = [...envelopeKeys([[7, 2025], [7, 2024], [12, 2025], [9, 2025]]), { pk: runPk('RUN-2025-06'), sk: RUN_SK }];
const tables: TestTable[] = [];
const envOf = (t: TestTable) => ({ BURSAR_DYNAMODB_ENDPOINT: testEndpoint(), BURSAR_TABLE_NAME: t.tableName });
async function table(): Promise<TestTable> {
  const t = await freshTable();
  tables.push(t);
  return t;
}
afterAll(async () => {
  await Promise.all(tables.map((t) => t.drop()));
  rmSync(dir, { recursive: true, force: true });
});

/** Crash points two at a time, each on its own table (the CI machine has two cores). */
async function inPairs<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += 2) out.push(...await Promise.all(items.slice(i, i + 2).map(work)));
  return out;
}

/** Seeded progress points, spread over the uninterrupted command's work (1 … its total). */
function crashTargets(random: () => number, points: number, start: number, total: number): number[] {
  return Array.from({ length: points }, () => start + 1 + Math.floor(random() * (total - 1)));
}

interface Point {
  /** The progress at which the command was to be killed, of the uninterrupted run's total. */
  target: number;
  /** When it was killed (ms after its start), or -1 when it finished first. */
  atMs: number;
  killed: boolean;
  /** How far the killed command got: awards stored / payments moved. */
  progress: number;
  rerun: { code: number; json: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  state: EndState;
  table: TestTable;
}

// ---- awards submit ----------------------------------------------------------------------------------

const day = (from: string, i: number, span: number) => new Date(Date.parse(from) + (((i * 7919) % span) * 86_400_000)).toISOString().slice(0, 10);
const yuan = (i: number) => String(100 + ((i * 37) % 9) * 100);

/**
 * 310 lines, sent in batches of 100: batch 1 (lines 2–101) holds measure 7 FY2025 (a queue exists
 * already); batch 2 (102–201) measure 7 FY2024 (money for all), measure 21 (no budget: NO_ENVELOPE),
 * rejected and invalid records; batch 3 (202–301) measure 12 FY2025, whose money runs out part-way;
 * then 10 repeats of batch-1 lines, which the CLI decides itself (DUPLICATE or CONFLICT: the first
 * line counts) and never sends (so they must come last, or they would shift the batch boundaries).
 * Each batch is shuffled (seeded), so the file's order is not the queue's order.
 */
function submitFile(random: () => number): Record<string, string>[] {
  let n = 0;
  const a = Array.from({ length: 100 }, (_, i) => awardFields(++n, { measure: '7', approving_unit: i % 3 ? 'EITB' : 'IPC', approved_date: day('2025-01-02', i, 178), amount_yuan: yuan(i) }));
  const c = Array.from({ length: 40 }, (_, i) => awardFields(++n, { measure: '7', approving_unit: 'EITB', approved_date: day('2024-07-01', i, 180), qualifying_date: '2024-06-01', amount_yuan: yuan(i) }));
  const d = Array.from({ length: 30 }, (_, i) => awardFields(++n, { measure: '21', approving_unit: 'TALENT', approved_date: day('2025-01-02', i, 178), amount_yuan: yuan(i) }));
  const rejected = Array.from({ length: 20 }, (_, i) => awardFields(++n, { measure: '7', approving_unit: 'STB', approved_date: day('2025-01-02', i, 178) }));
  const invalid = Array.from({ length: 10 }, (_, i) => awardFields(++n, { amount_yuan: i % 2 ? '12.345' : 'abc' }));
  const repeats = a.slice(0, 10).map((r, i) => (i % 2 ? { ...r } : { ...r, amount_yuan: `${Number(r.amount_yuan) + 1}` }));
  const b = Array.from({ length: 100 }, (_, i) => awardFields(++n, { measure: '12', approving_unit: i % 2 ? 'EITB' : 'STB', approved_date: day('2025-01-02', i, 178), amount_yuan: yuan(i) }));
  const shuffle = <T>(xs: T[]) => {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [xs[i], xs[j]] = [xs[j]!, xs[i]!];
    }
    return xs;
  };
  return [...shuffle(a), ...shuffle([...c, ...d, ...rejected, ...invalid]), ...shuffle(b), ...repeats];
}

/** Budgets, and an award already waiting in measure 7 FY2025 (2,500 yuan; 2,000 available). */
async function submitSetup(t: TestTable): Promise<void> {
  const ledger = new DynamoLedger(t.doc, t.tableName, { maxTransactionItems: 10 });
  const clock = tickingClock(Date.parse('2025-07-01T00:00:00Z'));
  for (const [measure, fiscal_year, amount] of [[7, 2025, 2000], [7, 2024, 1_000_000], [12, 2025, 20_000]] as const) {
    await setBudget(ledger, clock, { measure, fiscal_year, amount_fen: amount * 100, by: 'budget-officer' });
  }
  const head = awardFields(9000, { award_id: 'H-00001', measure: '7', approving_unit: 'EITB', approved_date: '2025-03-15', amount_yuan: '2500' });
  const settled = await processIntake({ ledger, clock }, new Map<string, IntakeRequest>([['h', { submission_id: 'setup', line: 2, record: head }]]));
  const result = settled.get('h');
  if (!result?.ok || result.result.outcome !== 'WAITLISTED') throw new Error(`set-up award was not queued: ${JSON.stringify(result)}`);
}

describe(`bursar awards submit killed with SIGKILL at ${SUBMIT_POINTS} seeded points (seed ${SEED}), then run again`, () => {
  const file = path.join(dir, 'awards.csv');
  const args = ['awards', 'submit', file, '--batch-size', '100'];
  let baseline: { table: TestTable; run: { code: number; json: any }; state: EndState; issues: unknown[]; ms: number; progress: number }; // eslint-disable-line @typescript-eslint/no-explicit-any
  let twinState: EndState;
  const points: Point[] = [];

  beforeAll(async () => {
    const random = prng(SEED);
    writeAwardFile(file, submitFile(random));
    // A first, untimed run warms DynamoDB Local's JVM and tsx's cache, so the timed one is typical.
    const warm = await table();
    await submitSetup(warm);
    await runTimed(args, envOf(warm));
    // Two uninterrupted runs at once, on two tables (as the crash points run): their end states must agree.
    const [t, twin] = [await table(), await table()];
    await Promise.all([submitSetup(t), submitSetup(twin)]);
    const start = await progressOf(t, SUBMIT_WATCHED);
    const [{ run, ms }] = await Promise.all([runTimed(args, envOf(t)), runTimed(args, envOf(twin))]);
    const total = await progressOf(t, SUBMIT_WATCHED) - start;
    baseline = { table: t, run, ms, progress: total, state: await endStateOf(t), issues: await intakeIssues(t, run.json?.submission_id) };
    twinState = await endStateOf(twin);
    verbose(`submit: uninterrupted ${ms} ms, progress ${total}`);

    points.push(...await inPairs(crashTargets(random, SUBMIT_POINTS, start, total), async (target) => {
      const ct = await table();
      await submitSetup(ct);
      const crashed = await runAndKillAt(args, envOf(ct), ct, SUBMIT_WATCHED, target);
      const progress = await countAwards(ct);
      const { run: rerun, ms: rerunMs } = await runTimed(args, envOf(ct));
      verbose(`submit crash at progress ${target - start}: killed ${crashed.killed} after ${crashed.atMs} ms, ${progress} awards stored; re-run exit ${rerun.code} in ${rerunMs} ms`);
      return { target: target - start, atMs: crashed.atMs, killed: crashed.killed, progress, rerun, state: await endStateOf(ct), table: ct };
    }));
  }, 300_000);

  test('the uninterrupted submit decides every line, and its envelopes reserve, queue and serve', () => {
    expect(baseline.run.code).toBe(0);
    expect(twinState).toEqual(baseline.state); // two uninterrupted runs at once, on two tables: deterministic
    expect(baseline.run.json).toMatchObject({ submitted: 310, rejected: 20, invalid: 10, duplicates: 5, conflicts: 5, dead_lettered: 0 });
    const statuses = (pk: string) => Object.values(baseline.state.awards) // eslint-disable-next-line @typescript-eslint/no-explicit-any
      .filter((a: any) => a.gsi1pk.endsWith(pk) && a.status !== 'REJECTED').map((a: any) => a.status); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(new Set(statuses('#2025#007'))).toEqual(new Set(['RESERVED', 'WAITLISTED'])); // served from the queue, and waiting
    expect(new Set(statuses('#2024#007'))).toEqual(new Set(['RESERVED']));
    expect(new Set(statuses('#2025#012'))).toEqual(new Set(['RESERVED', 'WAITLISTED']));
    expect(new Set(statuses('#2025#021'))).toEqual(new Set(['WAITLISTED']));
  });

  test('the crashes hit the command part-way (most points)', () => {
    const total = Object.keys(baseline.state.awards).length;
    // Killed while still running, after its first write (the set-up's award counts as one).
    const partway = points.filter((p) => p.killed && p.progress > 1);
    console.log(`awards submit crash points (seed ${SEED}; uninterrupted: ${baseline.ms} ms, progress ${baseline.progress}, ${total} awards): progress → killed after, awards stored\n  `
      + points.map((p) => `${p.target} → ${p.killed ? `${p.atMs} ms, ${p.progress}` : 'finished'}`).join('; '));
    expect(points).toHaveLength(SUBMIT_POINTS);
    expect(partway.length).toBeGreaterThanOrEqual(Math.ceil(SUBMIT_POINTS / 2));
  });

  test.each(Array.from({ length: SUBMIT_POINTS }, (_, i) => [i]))('crash point %i: the re-run completes and the end state equals the uninterrupted one', (i) => {
    const p = points[i]!;
    expect({ code: p.rerun.code, dead_lettered: p.rerun.json?.dead_lettered }).toEqual({ code: 0, dead_lettered: 0 });
    expect(p.state).toEqual(baseline.state);
  });

  test('each re-run reports every line: the uninterrupted outcome, or DUPLICATE for what the crashed run stored', async () => {
    const expected = new Map<number, string>((baseline.run.json.results as { line: number; outcome: string }[]).map((r) => [r.line, r.outcome]));
    for (const p of points) {
      const got = p.rerun.json.results as { line: number; outcome: string }[];
      expect(got.map((r) => r.line)).toEqual([...expected.keys()]);
      for (const r of got) {
        if (r.outcome !== expected.get(r.line)) expect({ line: r.line, outcome: r.outcome }).toEqual({ line: r.line, outcome: 'DUPLICATE' });
      }
      // The re-run's own submission files the same intake issues (invalid records) as the uninterrupted one.
      expect(await intakeIssues(p.table, p.rerun.json.submission_id)).toEqual(baseline.issues);
    }
  });

  test('bursar reconcile calls the uninterrupted table and every crashed-and-re-run table clean', async () => {
    await reconcileAll('awards submit', [baseline.table, ...points.map((p) => p.table)]);
  }, 120_000);
});

// ---- run prepare ------------------------------------------------------------------------------------

/**
 * The store `run prepare` starts from: 320 RESERVED awards over four envelopes (measures 7 and 12,
 * two units each; FY2024 and FY2025; one envelope of measure 9), 20 of them approved in July (after
 * the period: they stay out of the run). Built once through intake, then copied into each table.
 */
async function prepareTemplate(): Promise<Item[]> {
  const t = await table();
  const ledger = new DynamoLedger(t.doc, t.tableName, { maxTransactionItems: 10 });
  const clock = tickingClock(Date.parse('2025-07-01T00:00:00Z'));
  for (const [measure, fiscal_year] of [[7, 2025], [7, 2024], [12, 2025], [9, 2025]] as const) {
    await setBudget(ledger, clock, { measure, fiscal_year, amount_fen: 100_000_000, by: 'budget-officer' });
  }
  const records = Array.from({ length: 320 }, (_, i) => {
    const n = i + 1;
    if (i < 80) return awardFields(n, { measure: '7', approving_unit: i % 2 ? 'EITB' : 'IPC', approved_date: day('2025-01-02', i, 170), amount_yuan: yuan(i) });
    if (i < 130) return awardFields(n, { measure: '7', approving_unit: i % 2 ? 'EITB' : 'IPC', approved_date: day('2024-07-01', i, 180), qualifying_date: '2024-06-01', amount_yuan: yuan(i) });
    if (i < 230) return awardFields(n, { measure: '12', approving_unit: i % 3 ? 'EITB' : 'STB', approved_date: day('2025-01-02', i, 170), amount_yuan: yuan(i) });
    if (i < 300) return awardFields(n, { measure: '9', approving_unit: 'EITB', approved_date: day('2025-01-02', i, 170), amount_yuan: yuan(i) });
    return awardFields(n, { measure: '12', approving_unit: 'EITB', approved_date: day('2025-07-01', i, 25), amount_yuan: yuan(i) });
  });
  for (let i = 0; i < records.length; i += 80) {
    const batch = records.slice(i, i + 80);
    const settled = await processIntake({ ledger, clock }, new Map<string, IntakeRequest>(batch.map((record, j) => [`m${j}`, { submission_id: 'setup', line: i + j + 2, record }])));
    for (const s of settled.values()) if (!s.ok || s.result.outcome !== 'RESERVED') throw new Error(`set-up award not reserved: ${JSON.stringify(s)}`);
  }
  return scanAll(t.doc, t.tableName);
}

describe(`bursar run prepare killed with SIGKILL at ${PREPARE_POINTS} seeded points (seed ${SEED}), then run again`, () => {
  const args = ['run', 'prepare', '--period', '2025-06', '--by', 'Maker Li', '--batch-size', '40'];
  let baseline: { table: TestTable; run: { code: number; json: any }; state: EndState; ms: number; progress: number }; // eslint-disable-line @typescript-eslint/no-explicit-any
  let twinState: EndState;
  const points: Point[] = [];

  beforeAll(async () => {
    const random = prng(SEED ^ 0x5eed);
    const template = await prepareTemplate();
    const warm = await table();
    await copyInto(warm, template);
    await runTimed(args, envOf(warm)); // warm-up, untimed
    // Two uninterrupted runs at once, on two tables (as the crash points run): their end states must agree.
    const [t, twin] = [await table(), await table()];
    await Promise.all([copyInto(t, template), copyInto(twin, template)]);
    const start = await progressOf(t, PREPARE_WATCHED);
    const [{ run, ms }] = await Promise.all([runTimed(args, envOf(t)), runTimed(args, envOf(twin))]);
    const total = await progressOf(t, PREPARE_WATCHED) - start;
    baseline = { table: t, run, ms, progress: total, state: await endStateOf(t) };
    twinState = await endStateOf(twin);
    verbose(`prepare: uninterrupted ${ms} ms, progress ${total}`);

    points.push(...await inPairs(crashTargets(random, PREPARE_POINTS, start, total), async (target) => {
      const ct = await table();
      await copyInto(ct, template);
      const crashed = await runAndKillAt(args, envOf(ct), ct, PREPARE_WATCHED, target);
      const moved = Object.values(await endStateOf(ct).then((s) => s.awards)).filter((a: any) => a.status === 'BATCHED').length; // eslint-disable-line @typescript-eslint/no-explicit-any
      const { run: rerun, ms: rerunMs } = await runTimed(args, envOf(ct));
      verbose(`prepare crash at progress ${target - start}: killed ${crashed.killed} after ${crashed.atMs} ms, ${moved} payments moved; re-run exit ${rerun.code} in ${rerunMs} ms`);
      return { target: target - start, atMs: crashed.atMs, killed: crashed.killed, progress: moved, rerun, state: await endStateOf(ct), table: ct };
    }));
  }, 300_000);

  test('the uninterrupted prepare puts the 300 awards of the period into batches of at most 40', () => {
    expect(baseline.run.code).toBe(0);
    expect(twinState).toEqual(baseline.state);
    expect(baseline.run.json).toMatchObject({ run_id: 'RUN-2025-06', status: 'PREPARED', award_count: 300, batch_size: 40 });
    expect(baseline.run.json.batches.length).toBeGreaterThan(8);
  });

  test('the crashes hit the command part-way (most points)', () => {
    const partway = points.filter((p) => p.killed && p.progress > 0);
    console.log(`run prepare crash points (seed ${SEED}; uninterrupted: ${baseline.ms} ms, progress ${baseline.progress}, 300 payments): progress → killed after, payments moved\n  `
      + points.map((p) => `${p.target} → ${p.killed ? `${p.atMs} ms, ${p.progress}` : 'finished'}`).join('; '));
    expect(points).toHaveLength(PREPARE_POINTS);
    expect(partway.length).toBeGreaterThanOrEqual(Math.ceil(PREPARE_POINTS / 2));
  });

  test.each(Array.from({ length: PREPARE_POINTS }, (_, i) => [i]))('crash point %i: the re-run finishes the run and the end state equals the uninterrupted one', (i) => {
    const p = points[i]!;
    expect(p.rerun.code).toBe(0);
    const { prepared_at: _a, ...run } = p.rerun.json;
    const { prepared_at: _b, ...expected } = baseline.run.json;
    expect(run).toEqual(expected);
    expect(p.state).toEqual(baseline.state);
  });

  test('bursar reconcile calls the uninterrupted table and every crashed-and-re-run table clean', async () => {
    await reconcileAll('run prepare', [baseline.table, ...points.map((p) => p.table)]);
  }, 120_000);
});

/** `bursar reconcile` on every table, in one CLI process: each must be clean. */
async function reconcileAll(what: string, checked: TestTable[]): Promise<void> {
  const results = await runSession(
    checked.map((t) => ({ argv: ['reconcile'], env: { BURSAR_TABLE_NAME: t.tableName } })),
    { BURSAR_DYNAMODB_ENDPOINT: testEndpoint() },
  );
  const unclean = results.map((r, i) => ({ table: checked[i]!.tableName, code: r.code, clean: r.json?.clean, mismatches: r.json?.mismatches, run_mismatches: r.json?.run_mismatches, stuck: r.json?.stuck }))
    .filter((r) => r.code !== 0 || r.clean !== true);
  expect({ what, tables: checked.length, unclean }).toEqual({ what, tables: checked.length, unclean: [] });
}
