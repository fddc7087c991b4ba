/**
 * Issue 15 — `year approve` killed with SIGKILL at seeded points of its work and run again. The real
 * CLI (one process per command, on the shared DynamoDB Local through BURSAR_DYNAMODB_ENDPOINT, a table
 * per run) executes the close of FY2025 proposed on a seeded store; the crash point is a seeded
 * fraction of the uninterrupted run's progress, watched from outside through the versions of the
 * envelopes the close writes (as in crash.test.ts). After the re-run the end state (awards, envelope
 * figures, queues) must equal the uninterrupted run's, reconciliation must be clean, and a third run
 * must answer `changed: false` and write nothing. Count: BURSAR_CRASH_CLOSE_POINTS (4).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { DynamoLedger } from '../../shared/adapters/dynamo/dynamo-ledger.ts';
import { DynamoYearClose } from '../../shared/adapters/dynamo/dynamo-year-close.ts';
import { DynamoReconciliationStore } from '../../shared/adapters/dynamo/dynamo-reconciliation-store.ts';
import { ENVELOPE_SK, envelopePk } from '../../shared/adapters/dynamo/items.ts';
import type { Item } from '../../shared/adapters/dynamo/operations.ts';
import { processIntake } from '../../shared/services/intake.ts';
import { checkLedger } from '../../shared/services/reconcile.ts';
import { proposeYearClose } from '../../shared/services/year-close.ts';
import type { IntakeRequest } from '../../shared/domain/queue-messages.ts';
import { freshTable, testEndpoint, type TestTable } from '../support/dynamo.ts';
import { awardFields, tickingClock } from '../support/records.ts';
import { budget, runStoreOn } from '../support/runs.ts';
import { copyInto, endStateOf, prng, progressOf, runAndKillAt, runTimed, type EndState } from './support/crash.ts';
import { scanAll } from './support/money-model.ts';

const SEED = Number(process.env['BURSAR_CRASH_SEED'] ?? 20250122);
const POINTS = Number(process.env['BURSAR_CRASH_CLOSE_POINTS'] ?? 4);
const MEASURES = [7, 12, 21];
const WATCHED = MEASURES.flatMap((measure) => [2025, 2026].map((fiscal_year) => ({ pk: envelopePk({ measure, fiscal_year }), sk: ENVELOPE_SK })));
const ARGS = ['year', 'approve', '--fiscal-year', '2025', '--by', 'fin-li'];
const tables: TestTable[] = [];
const envOf = (t: TestTable) => ({ BURSAR_DYNAMODB_ENDPOINT: testEndpoint(), BURSAR_TABLE_NAME: t.tableName });
async function table(): Promise<TestTable> {
  const t = await freshTable();
  tables.push(t);
  return t;
}
afterAll(async () => { await Promise.all(tables.map((t) => t.drop())); });

/** Times of the close's own steps legitimately differ between two runs. */
function comparable(s: EndState): EndState {
  const envelopes = Object.fromEntries(Object.entries(s.envelopes).map(([k, v]) => {
    const { closed_at: _c, lapsed_at: _l, ...rest } = v as Record<string, unknown>;
    return [k, rest];
  }));
  return { ...s, envelopes };
}

let base: Item[];
let baseline: { state: EndState; progress: number; start: number };

beforeAll(async () => {
  // The store before the close: three measures with reservations, a queue, and a balance; proposed by fin-wang.
  const t = await table();
  const ledger = new DynamoLedger(t.doc, t.tableName, { maxTransactionItems: 10 });
  const clock = tickingClock(Date.parse('2025-12-30T02:00:00Z'));
  const unit: Record<number, string> = { 7: 'EITB', 12: 'STB', 21: 'TALENT' };
  await budget(ledger, clock, 7, 2025, 40_000);
  await budget(ledger, clock, 12, 2025, 9_000);
  await budget(ledger, clock, 21, 2025, 5_000);
  await budget(ledger, clock, 12, 2026, 2_000);
  let n = 0;
  const records = MEASURES.flatMap((measure) => Array.from({ length: 14 }, (_, i) => awardFields(++n, {
    measure: String(measure), approving_unit: unit[measure]!, amount_yuan: `${(i % 5 + 1) * 300}.00`, approved_date: `2025-${String(1 + (i % 11)).padStart(2, '0')}-1${i % 10}`,
  })));
  const requests = new Map<string, IntakeRequest>(records.map((record, i) => [`m${i}`, { submission_id: 'seed', line: i + 2, record }]));
  await processIntake({ ledger, clock }, requests);
  await proposeYearClose({ ledger, clock, runs: runStoreOn(t), closes: new DynamoYearClose(t.doc, t.tableName, 10) }, { fiscal_year: 2025, by: 'fin-wang' });
  base = await scanAll(t.doc, t.tableName);

  const whole = await table();
  await copyInto(whole, base);
  const start = await progressOf(whole, WATCHED);
  const { run } = await runTimed(ARGS, envOf(whole));
  expect(run.code).toBe(0);
  expect(run.json).toMatchObject({ fiscal_year: 2025, status: 'CLOSED', changed: true });
  baseline = { state: comparable(await endStateOf(whole)), progress: await progressOf(whole, WATCHED) - start, start };
}, 600_000);

describe('year approve, killed and run again', () => {
  test('the uninterrupted close carried reservations and a queue out of FY2025', async () => {
    const awards = Object.values(baseline.state.awards) as { gsi1pk: string }[];
    expect(awards.filter((a) => a.gsi1pk.startsWith('AWST#RESERVED#2026#')).length).toBeGreaterThan(10);
    expect(awards.filter((a) => a.gsi1pk.startsWith('AWST#WAITLISTED#2026#')).length).toBeGreaterThan(3);
    expect(awards.filter((a) => a.gsi1pk.includes('#2025#'))).toEqual([]);
    expect(baseline.progress).toBeGreaterThan(20);
  });

  test(`SIGKILL at ${POINTS} seeded points, then the same command: same end state, clean, and a third run changes nothing`, async () => {
    const random = prng(SEED);
    const killedAt: string[] = [];
    for (let p = 0; p < POINTS; p++) {
      const fraction = 0.1 + 0.8 * random();
      const t = await table();
      await copyInto(t, base);
      const crashed = await runAndKillAt(ARGS, envOf(t), t, WATCHED, baseline.start + Math.max(1, Math.floor(baseline.progress * fraction)));
      killedAt.push(`${fraction.toFixed(2)}:${crashed.killed ? `killed@${crashed.atMs}ms` : 'finished'}`);
      const rerun = await runTimed(ARGS, envOf(t));
      expect(rerun.run.code).toBe(0);
      expect(rerun.run.json).toMatchObject({ status: 'CLOSED' });
      expect(comparable(await endStateOf(t))).toEqual(baseline.state);
      const { report } = await checkLedger({
        ledger: new DynamoLedger(t.doc, t.tableName, { maxTransactionItems: 10 }), store: new DynamoReconciliationStore(t.doc, t.tableName), runs: runStoreOn(t), clock: tickingClock(),
      });
      expect(report.mismatches).toEqual([]);
      expect(report.clean).toBe(true);
      const before = await scanAll(t.doc, t.tableName);
      const third = await runTimed(ARGS, envOf(t));
      expect(third.run.json).toMatchObject({ status: 'CLOSED', changed: false });
      expect(await scanAll(t.doc, t.tableName)).toEqual(before);
    }
    if (process.env['BURSAR_TEST_VERBOSE']) console.log(`year approve crash points: ${killedAt.join(' ')}`);
    // Most points must land mid-command, or the test would not be testing crashes.
    expect(killedAt.filter((k) => k.includes('killed')).length).toBeGreaterThanOrEqual(Math.ceil(POINTS / 2));
  }, 1_200_000);
});
