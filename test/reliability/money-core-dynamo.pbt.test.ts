/**
 * Issue 7, part 1 (b): the same command model as money-core.pbt.test.ts, on the real adapters
 * (DynamoLedger, DynamoRunStore, DynamoReconciliationStore) over DynamoDB Local, a fresh table per
 * run. Every DynamoDB request goes through the same gate (a scheduling point, and throttling,
 * TransactionConflict, lost replies and unprocessed BatchGet keys by a seeded plan); runs are
 * exported through exportRun (CSV, XLSX and manifest to a discarding sink).
 *
 * Unlike the in-memory layer, a released request here is real I/O, so two released requests may
 * still race inside DynamoDB Local: the seed fixes the operations, the faults and the order in which
 * requests are let go, not every interleaving. A failure prints its seed and path all the same, and
 * the steps and faults that led to it.
 *
 * Runs: BURSAR_PBT_DYNAMO_RUNS (default 30); seed and replay as in money-core.pbt.test.ts.
 */
import { describe, expect, jest, test } from '@jest/globals';
import fc from 'fast-check';
import { scheduledBackoff } from './support/store-gate.ts';

jest.unstable_mockModule(new URL('../../shared/retry/backoff.ts', import.meta.url).pathname, () => ({ backoff: scheduledBackoff }));
const { Totals, assertReplayably, dynamoStore, faultPlanArb, initialBudgetsArb, pbtSettings, runModel, stepsArb } = await import('./support/money-model.ts');

const settings = pbtSettings('BURSAR_PBT_DYNAMO_RUNS', 30);

describe('money core, model-based, on DynamoDB Local with faults and interleavings', () => {
  test(`${settings.numRuns} seeded runs keep every invariant after every step (seed ${settings.seed})`, async () => {
    const totals = new Totals();
    const started = Date.now();
    await assertReplayably(
      fc.asyncProperty(fc.scheduler(), faultPlanArb(150, 16), initialBudgetsArb, stepsArb({ maxSteps: 16, ...(settings.replayPath ? { replayPath: settings.replayPath } : {}) }), async (s, faults, budgets, steps) => {
        totals.add(await runModel(dynamoStore, s, faults, budgets, steps, { exportFiles: true }));
      }),
      settings, 'test/reliability/money-core-dynamo.pbt.test.ts',
    );
    console.log(`money core (DynamoDB Local): ${String(totals)}\n  in ${Date.now() - started} ms, seed ${settings.seed}`);
    expect(totals.runs).toBe(settings.numRuns);
  }, 600_000);
});
