import { DynamoReconciliationStore } from '../shared/adapters/dynamo/dynamo-reconciliation-store.ts';
import { DynamoRunStore } from '../shared/adapters/dynamo/dynamo-run-store.ts';
import type { RunReader } from '../shared/ports/run-store.ts';
import type { RunReconciliationDeps } from '../shared/services/run-reconciliation.ts';
import { forecastAlertDaysFromEnv } from '../shared/services/forecast-alerts.ts';
import { alertEvents, alertOutboxOf } from './alert-events.ts';
import type { Runtime } from './runtime.ts';

/**
 * The reconciliation's adapters on the CLI's store. A module of its own, loaded when `bursar
 * reconcile` runs, so that the command's definition does not load the AWS SDK at start.
 */

/** The runs the reconciliation checks. */
export type RunReaderFactory = (runtime: Runtime) => RunReader | undefined;

/** The disbursement runs on the CLI's store (issue 3's adapter; only its RunReader side is used). */
export const storeRuns: RunReaderFactory = (runtime) =>
  new DynamoRunStore(runtime.doc, runtime.tableName, { maxTransactionItems: runtime.ledger.maxTransactionItems });

export function reconciliationStoreOf(runtime: Runtime): DynamoReconciliationStore {
  return new DynamoReconciliationStore(runtime.doc, runtime.tableName);
}

/** Everything a reconciliation needs on the CLI's store (also used by the demo). */
export function reconcileDeps(runtime: Runtime, runs: RunReaderFactory = storeRuns): RunReconciliationDeps {
  const runReader = runs(runtime);
  const events = alertEvents(runtime);
  return {
    ledger: runtime.ledger,
    store: reconciliationStoreOf(runtime),
    clock: runtime.clock,
    outbox: alertOutboxOf(runtime),
    forecast: { ledger: runtime.ledger, days: forecastAlertDaysFromEnv(process.env.BURSAR_FORECAST_ALERT_DAYS) },
    ...(runReader ? { runs: runReader } : {}),
    ...(events ? { events } : {}),
  };
}
