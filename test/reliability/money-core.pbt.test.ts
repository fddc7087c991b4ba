/**
 * Issue 7, part 1, and issue 10: property-based, model-based test of the money core on the REAL
 * DynamoDB adapters (DynamoLedger, DynamoRunStore, DynamoReconciliationStore) over DynamoDB Local, a
 * fresh table per run. There is no in-memory stand-in: what runs here is what runs in AWS.
 *
 * The real services (processIntake, setBudget, cancelAward, drainWaitlist through them, prepareRun,
 * approveRun, exportRun, settleRun) use a document client whose every request passes a gate
 * installed as AWS SDK middleware (support/store-gate.ts): a fast-check scheduling point, and a
 * seeded fault plan (throttling, TransactionConflict, a lost reply after the write was applied,
 * unprocessed BatchGet keys). `backoff` is a scheduling point too. A released request is real I/O,
 * so two released requests may still race inside DynamoDB Local: the seed fixes the operations, the
 * faults and the order requests are let go, not every interleaving. After every step: the
 * invariants of support/money-invariants.ts plus what intake reported; after the last step, the
 * product's reconciliation must say clean. Items per transaction vary: DynamoDB Local's 10 mostly,
 * and 5 or 7 (one or two awards a transaction); about one run in three also writes the payment files
 * (CSV, XLSX, manifest to a discarding sink) when it exports. Issues 13 and 14 add re-issue,
 * release-failed, two imports of one results file at once, enterprise caps, credit restrictions and
 * holds, with their invariants (see support/money-model.ts and support/money-invariants.ts). Issue 15
 * adds budget transfers, recoveries (open, settle into the open year or to the treasury, cancel) and
 * the close of FY2024 or FY2025 (proposed, approved by a second person, interrupted by a fault and
 * run again, run again once done), with the year-end invariants.
 *
 * The split (every request is real I/O on DynamoDB Local, ~50 ms each on a loaded 2-core machine):
 * - CI (`npm test`): 200 runs of at most 6 steps each, half of them after a prologue to an exported
 *   run (measured 2026-11-30 on the shared 2-core machine under load: 2 min 50 s for the file, where
 *   the model before holds, caps, re-issue and release-failed took 3 min 6 s; with issue 15's
 *   transfers, recoveries and year closes, 3 min 40 s (load average ~4) and 4 min 50 s (load ~5.5)
 *   on 2026-11-30, the CI seed unchanged (it passes): a year close
 *   approves over all 27 measures of two years, ~250 store requests, so it is weighted to about one
 *   run in seven, plus the prologue 'settled run, FY2025 closed' in one run in six);
 * - deeper: BURSAR_PBT_RUNS=1000 BURSAR_PBT_MAX_STEPS=20 (the old in-memory suite's depth), e.g.
 *   before a release; each run then costs ~10 s here.
 * A failure prints fast-check's seed and path; replay with
 *   BURSAR_PBT_SEED=<seed> BURSAR_PBT_PATH=<path> [BURSAR_PBT_RUNS=1] npx jest test/reliability/money-core.pbt.test.ts
 */
import { afterAll, describe, expect, jest, test } from '@jest/globals';
import fc from 'fast-check';
import { scheduledBackoff } from './support/store-gate.ts';
import type { Prologue } from './support/money-model.ts';

// Backoff between optimistic retries becomes a scheduling point instead of a real (random) sleep.
jest.unstable_mockModule(new URL('../../shared/retry/backoff.ts', import.meta.url).pathname, () => ({ backoff: scheduledBackoff }));
const { TABLE_USES, Totals, assertReplayably, dropModelTable, dynamoStore, faultPlanArb, initialBudgetsArb, pbtSettings, runModel, stepsArb } = await import('./support/money-model.ts');
const { ungranted, usesOf } = await import('../support/table-access.ts');

const settings = pbtSettings('BURSAR_PBT_RUNS', 200);
const maxSteps = Number(process.env['BURSAR_PBT_MAX_STEPS'] ?? 6);
afterAll(() => dropModelTable());

describe('money core, model-based, on the DynamoDB adapters with faults and interleavings', () => {
  test(`${settings.numRuns} seeded runs of up to ${maxSteps} steps keep every invariant after every step (seed ${settings.seed})`, async () => {
    const totals = new Totals();
    const started = Date.now();
    await assertReplayably(
      fc.asyncProperty(
        fc.scheduler(), faultPlanArb(150, 24), initialBudgetsArb,
        fc.constantFrom(10, 10, 10, 5, 7),
        fc.constantFrom(false, false, true),
        fc.option(fc.constantFrom(400, 700, 1000), { freq: 2 }),
        fc.constantFrom<Prologue>('none', 'none', 'exported run', 'exported run, E3 restricted', 'settled run', 'settled run, FY2025 closed'),
        stepsArb({ maxSteps, ...(settings.replayPath ? { replayPath: settings.replayPath } : {}) }),
        async (s, faults, budgets, maxItems, exportFiles, schemeCapYuan, prologue, steps) => {
          totals.add(await runModel((gate) => dynamoStore(gate, maxItems), s, faults, budgets, steps, { exportFiles, schemeCapYuan, prologue }));
        },
      ),
      settings, 'test/reliability/money-core.pbt.test.ts',
    );
    console.log(`money core (DynamoDB Local): ${String(totals)}\n  in ${Date.now() - started} ms, seed ${settings.seed}`);
    expect(totals.runs).toBe(settings.numRuns);
    // Every key prefix and index the services used is one an adapter declares for IAM (infra/permissions.ts):
    // in AWS anything else is denied by dynamodb:LeadingKeys although every local test passes.
    expect(TABLE_USES.size).toBeGreaterThan(20);
    expect(ungranted(TABLE_USES)).toEqual([]);
  }, 1_800_000);

  test('the IAM check recognises what it must: an undeclared key prefix or index is reported', () => {
    const uses = [
      ...usesOf('TransactWriteItemsCommand', { TransactItems: [{ Update: { Key: { pk: 'ENV#2025#7' } } }, { Put: { Item: { pk: 'NEWTHING#1' } } }] }),
      ...usesOf('QueryCommand', { IndexName: 'gsi2', KeyConditionExpression: '#pk = :pk', ExpressionAttributeValues: { ':pk': 'UNDECLARED' } }),
      ...usesOf('GetItemCommand', { Key: { pk: { S: 'AWARD#A-1' } } }),
    ].map((u) => JSON.stringify(u));
    expect(ungranted(uses)).toEqual([
      { action: 'dynamodb:PutItem', pk: 'NEWTHING#1' },
      { action: 'dynamodb:Query', pk: 'UNDECLARED', index: 'gsi2' },
    ]);
  });
});
