/**
 * Issue 7, part 1 (a): property-based, model-based test of the money core on the in-memory store.
 *
 * The real services (processIntake, setBudget, cancelAward, drainWaitlist through them, prepareRun,
 * approveRun, exportRun, settleRun) run against MemoryLedger and MemoryRunStore, which mirror the
 * DynamoDB adapters request by request (their fidelity is checked by memory-store-conformance.test.ts).
 * Every store request is a fast-check scheduling point and may be throttled, collide, or be applied
 * with its reply lost; `backoff` is replaced by a scheduling point too, so a run is fully
 * deterministic for its seed. After every step: the invariants of support/money-invariants.ts plus
 * what intake reported; after the last step, the product's reconciliation must say clean.
 *
 * Runs: BURSAR_PBT_RUNS (default 1000). A failure prints fast-check's seed and path; replay with
 *   BURSAR_PBT_SEED=<seed> BURSAR_PBT_PATH=<path> [BURSAR_PBT_RUNS=1] npx jest test/reliability/money-core.pbt.test.ts
 */
import { describe, expect, jest, test } from '@jest/globals';
import fc from 'fast-check';
import { scheduledBackoff } from './support/store-gate.ts';

// Backoff between optimistic retries becomes a scheduling point instead of a real (random) sleep.
jest.unstable_mockModule(new URL('../../shared/retry/backoff.ts', import.meta.url).pathname, () => ({ backoff: scheduledBackoff }));
const { Totals, assertReplayably, faultPlanArb, initialBudgetsArb, memoryStore, pbtSettings, runModel, stepsArb } = await import('./support/money-model.ts');

const settings = pbtSettings('BURSAR_PBT_RUNS', 1000);

describe('money core, model-based, in-memory store with faults and interleavings', () => {
  test(`${settings.numRuns} seeded runs keep every invariant after every step (seed ${settings.seed})`, async () => {
    const totals = new Totals();
    const started = Date.now();
    await assertReplayably(
      fc.asyncProperty(
        fc.scheduler(), faultPlanArb(150, 24), initialBudgetsArb,
        // Items per transaction: DynamoDB Local's 10 mostly, AWS's 100, and 5 or 7 (one or two awards a transaction).
        fc.constantFrom(10, 10, 100, 5, 7),
        stepsArb({ maxSteps: 20, ...(settings.replayPath ? { replayPath: settings.replayPath } : {}) }),
        async (s, faults, budgets, maxItems, steps) => {
          totals.add(await runModel((gate) => memoryStore(gate, maxItems), s, faults, budgets, steps, { exportFiles: false }));
        },
      ),
      settings, 'test/reliability/money-core.pbt.test.ts',
    );
    console.log(`money core (memory): ${String(totals)}\n  in ${Date.now() - started} ms, seed ${settings.seed}`);
    expect(totals.runs).toBe(settings.numRuns);
  }, 600_000);
});
