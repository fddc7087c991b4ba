import '../cli/node-warnings.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureTable } from '../cli/local/dynamo-local.ts';
import { DeadLetterStore } from '../cli/local/dead-letters.ts';
import type { Runtime } from '../cli/runtime.ts';
import { createDynamoClients } from '../shared/adapters/dynamo/client.ts';
import { DynamoLedger } from '../shared/adapters/dynamo/dynamo-ledger.ts';
import { DynamoReconciliationStore } from '../shared/adapters/dynamo/dynamo-reconciliation-store.ts';
import { DynamoRunStore } from '../shared/adapters/dynamo/dynamo-run-store.ts';
import { LocalDirSink } from '../shared/adapters/files/local-dir-sink.ts';
import { systemClock } from '../shared/services/clock.ts';
import { prepareRun } from '../shared/services/prepare-run.ts';
import { approveRun } from '../shared/services/approve-run.ts';
import { exportRun } from '../shared/services/export-run.ts';
import { checkLedger } from '../shared/services/reconcile.ts';
import { CapacityMeter } from './capacity-meter.ts';
import { measurePutFloor } from './floor.ts';
import { benchIntake } from './intake-bench.ts';
import { seedReservedAwards } from './seed-reserved.ts';

/**
 * One benchmark phase in its own process (so its peak resident memory is its own), against the
 * DynamoDB Local that run-bench.ts started. Prints one JSON document on stdout.
 *   phase.ts <floor|intake|run|reconcile> <endpoint> <table> [size] [concurrency] [batch]
 */
const [phase, endpoint, table, sizeArg, concurrencyArg, batchArg] = process.argv.slice(2);
const size = Number(sizeArg ?? 0);
const concurrency = Number(concurrencyArg ?? 1);

async function main(): Promise<Record<string, unknown>> {
  process.env['POWERTOOLS_DEV'] = 'true';
  process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
  process.env['POWERTOOLS_LOG_LEVEL'] = 'ERROR';
  for (const m of ['log', 'info', 'warn', 'debug'] as const) console[m] = console.error;

  const { client, doc } = createDynamoClients({ endpoint: endpoint! });
  const meter = new CapacityMeter();
  meter.attach(client);
  const tableName = table!;
  await ensureTable(client, tableName);
  const ledger = new DynamoLedger(doc, tableName, { maxTransactionItems: 10 });
  const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

  switch (phase) {
    case 'floor':
      return { puts_per_second: await measurePutFloor(doc, tableName, size, concurrency) };
    case 'intake': {
      const runtime: Runtime = {
        ledger, doc, tableName, clock: systemClock, deadLetters: new DeadLetterStore(doc, tableName),
        location: { mode: 'external', endpoint: endpoint!, tableName }, close: async () => {},
      };
      const figures = await benchIntake(runtime, meter, { count: size, concurrency, batchSize: Number(batchArg) });
      const { report } = await checkLedger({ ledger, store: new DynamoReconciliationStore(doc, tableName), clock: systemClock });
      return { ...figures, reconciliation_clean: report.clean, calls: meter.byCommand };
    }
    case 'run': {
      const runs = new DynamoRunStore(doc, tableName, { maxTransactionItems: 10 });
      let t = process.hrtime.bigint();
      await seedReservedAwards(doc, ledger, tableName, size);
      const seedSeconds = seconds(t);
      const out = mkdtempSync(path.join(os.tmpdir(), 'bursar-bench-export-'));
      try {
        t = process.hrtime.bigint();
        const prepared = await prepareRun({ ledger, runs, clock: systemClock }, { period: '2025-04', by: 'maker' }, { concurrency });
        const prepareSeconds = seconds(t);
        t = process.hrtime.bigint();
        await approveRun({ runs, clock: systemClock }, { run_id: prepared.run.run_id, by: 'checker' });
        const approveSeconds = seconds(t);
        t = process.hrtime.bigint();
        await exportRun({ runs, clock: systemClock, sink: new LocalDirSink(out) }, { run_id: prepared.run.run_id });
        const exportSeconds = seconds(t);
        const total = prepareSeconds + approveSeconds + exportSeconds;
        return {
          awards: prepared.run.award_count, batches: prepared.run.batches.length, seed_seconds: seedSeconds,
          prepare_seconds: prepareSeconds, approve_seconds: approveSeconds, export_seconds: exportSeconds,
          awards_per_second: prepared.run.award_count / total, write_units: meter.writeUnits,
        };
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    }
    case 'reconcile': {
      const t = process.hrtime.bigint();
      const { report } = await checkLedger({
        ledger, store: new DynamoReconciliationStore(doc, tableName), runs: new DynamoRunStore(doc, tableName, { maxTransactionItems: 10 }), clock: systemClock,
      });
      const s = seconds(t);
      return { awards: report.checked_awards, seconds: s, awards_per_second: report.checked_awards / s, clean: report.clean, segments: 8 };
    }
    default:
      throw new Error(`unknown phase ${phase}`);
  }
}

main().then((result) => {
  // maxRSS is in kilobytes: the peak resident memory of this whole process.
  process.stdout.write(`${JSON.stringify({ ...result, peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
}).catch((e: unknown) => {
  process.stderr.write(`bench phase ${phase} failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
