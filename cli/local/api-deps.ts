import path from 'node:path';
import { DynamoAlertOutbox } from '../../shared/adapters/dynamo/dynamo-alert-outbox.ts';
import { DynamoAuditLog } from '../../shared/adapters/dynamo/dynamo-audit-log.ts';
import { DynamoAwardSearch } from '../../shared/adapters/dynamo/dynamo-award-search.ts';
import { DynamoReconciliationStore } from '../../shared/adapters/dynamo/dynamo-reconciliation-store.ts';
import { DynamoSessionStore } from '../../shared/adapters/dynamo/dynamo-session-store.ts';
import { DynamoUserStore } from '../../shared/adapters/dynamo/dynamo-user-store.ts';
import { readFile } from 'node:fs/promises';
import { manifestSignerOf } from '../manifest-signer.ts';
import { LocalExportFiles } from '../../shared/adapters/files/local-export-files.ts';
import { DynamoYearClose } from '../../shared/adapters/dynamo/dynamo-year-close.ts';
import type { ApiDeps } from '../../shared/http/deps.ts';
import type { RunOperations } from '../../shared/ports/run-operations.ts';
import type { Clock } from '../../shared/services/clock.ts';
import { alertEvents } from '../alert-events.ts';
import { requestRun, runStoreOf } from '../run-requests.ts';
import { submitAwardRows } from '../submit-awards.ts';
import type { Runtime } from '../runtime.ts';

export interface LocalApiOptions {
  /** Exports go to <exportsDir>/<run_id>/. */
  exportsDir: string;
  secureCookies: boolean;
  staticDir?: string;
  clock?: Clock;
  log?: (line: string) => void;
}

/**
 * The API's dependencies on the local store (`bursar serve`, and the HTTP tests): the same
 * adapters and services as the CLI, session sign-in against the local users, and run preparation
 * in this process in the background (crash-safe, since preparing a period again resumes it).
 */
export function localApiDeps(runtime: Runtime, options: LocalApiOptions): ApiDeps {
  const { doc, tableName } = runtime;
  const clock = options.clock ?? runtime.clock;
  const rt: Runtime = { ...runtime, clock };
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const runs = runStoreOf(rt);
  const exports = new LocalExportFiles(options.exportsDir);
  const background = new Set<Promise<void>>();

  const runOps: RunOperations = {
    async prepare(period, by) {
      const work = requestRun(rt, { action: 'prepare', period, by }).then(
        () => undefined,
        (error: unknown) => log(`bursar serve: preparing ${period} failed: ${error instanceof Error ? error.message : String(error)}`),
      );
      background.add(work);
      void work.finally(() => background.delete(work));
      // Answer once the run exists (its header is the first thing prepare writes), so a GET right
      // after the 202 finds it PREPARING; a refusal (e.g. a bad period) has happened by then too.
      const runId = `RUN-${period}`;
      for (let i = 0; i < 60; i++) {
        if (await runs.getRun(runId)) return;
        if (!background.has(work)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async export(runId, by) {
      const outcome = await requestRun(rt, { action: 'export', run_id: runId, by }, { outDir: exports.dirOf(runId) });
      return { queued: false, run: outcome.run, files: await exports.list(runId) };
    },
    async idle() {
      while (background.size > 0) await Promise.allSettled([...background]);
    },
  };

  const integrity = {
    signer: manifestSignerOf(runtime),
    readExport: async (runId: string, name: string) => {
      if (name !== path.basename(name)) return undefined;
      try { return await readFile(path.join(exports.dirOf(runId), name)); } catch { return undefined; }
    },
  };
  const events = alertEvents(rt);
  return {
    ledger: runtime.ledger,
    runs,
    alerts: new DynamoAlertOutbox(doc, tableName, { maxTransactionItems: runtime.ledger.maxTransactionItems }),
    reconciliations: new DynamoReconciliationStore(doc, tableName),
    awardSearch: new DynamoAwardSearch(doc, tableName, runtime.ledger),
    audit: new DynamoAuditLog(doc, tableName),
    clock,
    identity: { kind: 'session', users: new DynamoUserStore(doc, tableName), sessions: new DynamoSessionStore(doc, tableName), secureCookies: options.secureCookies },
    runOps,
    exports,
    integrity,
    yearCloses: new DynamoYearClose(doc, tableName, runtime.ledger.maxTransactionItems),
    submit: (rows, screen) => submitAwardRows(rt, rows, { ...(events ? { events } : {}), ...(screen ? { screen } : {}) }),
    ...(events ? { events } : {}),
    ...(options.staticDir ? { staticDir: options.staticDir } : {}),
    logError: (message, detail) => log(`bursar serve: ${message} ${JSON.stringify(detail)}`),
  };
}

export const defaultExportsDir = (dataDir: string) => path.join(dataDir, 'exports');
