import '../cli/node-warnings.ts';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { BatchWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable, startDynamoLocal } from '../cli/local/dynamo-local.ts';
import { createDynamoClients } from '../shared/adapters/dynamo/client.ts';
import { DynamoLedger } from '../shared/adapters/dynamo/dynamo-ledger.ts';
import { DynamoRunStore } from '../shared/adapters/dynamo/dynamo-run-store.ts';
import { awardToItem, envelopePk } from '../shared/adapters/dynamo/items.ts';
import { LocalDirSink } from '../shared/adapters/files/local-dir-sink.ts';
import type { Award } from '../shared/domain/award.ts';
import { csvRecord } from '../shared/domain/csv-format.ts';
import { setBudget } from '../shared/services/budget.ts';
import { systemClock } from '../shared/services/clock.ts';
import { prepareRun } from '../shared/services/prepare-run.ts';
import { approveRun } from '../shared/services/approve-run.ts';
import { exportRun } from '../shared/services/export-run.ts';
import { resultRowsFromFile, settleRun } from '../shared/services/settle-run.ts';

/**
 * A disbursement run at scale, on DynamoDB Local (10 items per transaction):
 *   BENCH_RUN_AWARDS=100000 npx tsx bench/prepare-run-bench.ts
 * Seeds RESERVED awards straight into the table (intake is benchmarked elsewhere), then times
 * prepare, export and settle, and samples the heap to show a run is never held in memory whole.
 */
const AWARDS = Number(process.env['BENCH_RUN_AWARDS'] ?? 10_000);
const CONCURRENCY = Number(process.env['BENCH_RUN_CONCURRENCY'] ?? 4);
const MEASURES: { measure: number; units: string[] }[] = [
  { measure: 7, units: ['EITB', 'IPC'] }, { measure: 9, units: ['EITB'] }, { measure: 12, units: ['EITB', 'STB'] },
  { measure: 21, units: ['TALENT', 'HRSS'] }, { measure: 23, units: ['STB', 'FDSC'] },
];
const TABLE = 'bench-runs';

async function main(): Promise<void> {
  process.env['POWERTOOLS_LOG_LEVEL'] = 'ERROR';
  const local = await startDynamoLocal({ inMemory: true });
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'bursar-run-bench-'));
  try {
    const { client, doc } = createDynamoClients({ endpoint: local.endpoint });
    await ensureTable(client, TABLE);
    const ledger = new DynamoLedger(doc, TABLE, { maxTransactionItems: 10 });
    const runs = new DynamoRunStore(doc, TABLE, { maxTransactionItems: 10 });
    const clock = systemClock;

    let t = Date.now();
    await seed(doc, ledger, AWARDS);
    const seedSeconds = (Date.now() - t) / 1000;
    log(`seeded ${AWARDS} RESERVED awards in ${seedSeconds.toFixed(1)} s`);

    const heap = new HeapSampler();
    t = Date.now();
    const prepared = await prepareRun({ ledger, runs, clock }, { period: '2025-04', by: 'maker' }, {
      concurrency: CONCURRENCY, onProgress: (n) => { if (n % 5000 === 0) log(`  moved ${n}`); },
    });
    const prepareSeconds = (Date.now() - t) / 1000;
    const prepareHeap = heap.stop();
    log(`prepare: ${prepared.run.award_count} awards in ${prepareSeconds.toFixed(1)} s (${(AWARDS / prepareSeconds).toFixed(0)}/s), ${prepared.run.batches.length} batches, peak heap ${prepareHeap} MB`);

    await approveRun({ runs, clock }, { run_id: prepared.run.run_id, by: 'checker' });
    const exportHeap = new HeapSampler();
    t = Date.now();
    const exported = await exportRun({ runs, clock, sink: new LocalDirSink(outDir) }, { run_id: prepared.run.run_id });
    const exportSeconds = (Date.now() - t) / 1000;
    const exportPeak = exportHeap.stop();
    const sizes = exported.files.map((f) => `${path.basename(f)} ${(statSync(f).size / 1e6).toFixed(1)} MB`);
    log(`export: ${exportSeconds.toFixed(1)} s, ${sizes.join(', ')}, peak heap ${exportPeak} MB`);

    const results = path.join(outDir, 'results.csv');
    const stream = createWriteStream(results);
    stream.write(csvRecord(['award_id', 'status', 'reference', 'reason']));
    let i = 0;
    for await (const item of runs.listRunItems(prepared.run.run_id)) {
      const line = i++ % 100 === 0 ? [item.award_id, 'FAILED', '', 'account closed'] : [item.award_id, 'PAID', `R${i}`, ''];
      if (!stream.write(csvRecord(line))) await once(stream, 'drain');
    }
    stream.end();
    await once(stream, 'finish');
    const settleHeap = new HeapSampler();
    t = Date.now();
    const settled = await settleRun({ runs, clock }, { run_id: prepared.run.run_id, rows: resultRowsFromFile(results) });
    const settleSeconds = (Date.now() - t) / 1000;
    log(`settle: ${settled.paid} paid, ${settled.failed} failed in ${settleSeconds.toFixed(1)} s, run ${settled.run_status}, peak heap ${settleHeap.stop()} MB`);

    process.stdout.write(`${JSON.stringify({
      awards: AWARDS, transaction_max_items: 10, concurrency: CONCURRENCY, seed_seconds: seedSeconds,
      prepare_seconds: prepareSeconds, prepare_awards_per_second: Math.round(AWARDS / prepareSeconds), prepare_peak_heap_mb: prepareHeap,
      export_seconds: exportSeconds, export_peak_heap_mb: exportPeak, settle_seconds: settleSeconds, batches: prepared.run.batches.length,
    }, null, 2)}\n`);
    doc.destroy();
  } finally {
    rmSync(outDir, { recursive: true, force: true });
    await local.stop();
  }
}

/** RESERVED awards written directly (BatchWriteItem), and the envelopes' figures set to match. */
async function seed(doc: DynamoDBDocumentClient, ledger: DynamoLedger, count: number): Promise<void> {
  const sums = new Map<number, number>();
  for (const { measure } of MEASURES) {
    await setBudget(ledger, systemClock, { measure, fiscal_year: 2025, amount_fen: 1e13, by: 'bench' });
  }
  const now = new Date().toISOString();
  const awards = function* (): Generator<Award> {
    for (let n = 1; n <= count; n++) {
      const m = MEASURES[n % MEASURES.length]!;
      const amount = 100_000 + (n % 997) * 100;
      sums.set(m.measure, (sums.get(m.measure) ?? 0) + amount);
      yield {
        award_id: `B-${String(n).padStart(7, '0')}`, measure: m.measure, recipient_name: `宁波测试制造有限公司${n}`, recipient_uscc: '91330213000000001C',
        amount_fen: amount, qualifying_date: '2025-03-01', approved_date: `2025-04-${String((n % 28) + 1).padStart(2, '0')}`,
        approving_unit: m.units[n % m.units.length] as Award['approving_unit'], payee_bank: '中国银行宁波奉化支行',
        payee_account: `62170000${String(n).padStart(8, '0')}`, fiscal_year: 2025, status: 'RESERVED', trace: [], content_hash: 'bench',
        submission_id: 'bench', line: n + 1, intake_outcome: 'RESERVED', created_at: now, updated_at: now, history: [{ at: now, status: 'RESERVED' }],
      };
    }
  };
  let batch: Award[] = [];
  const pending: Promise<void>[] = [];
  const flush = async (chunk: Award[]) => {
    let items = chunk.map((a) => ({ PutRequest: { Item: awardToItem(a) } }));
    while (items.length > 0) {
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [TABLE]: items } }));
      items = (out.UnprocessedItems?.[TABLE] ?? []) as typeof items;
    }
  };
  for (const award of awards()) {
    batch.push(award);
    if (batch.length === 25) {
      pending.push(flush(batch));
      batch = [];
      if (pending.length >= 8) await Promise.all(pending.splice(0));
    }
  }
  if (batch.length > 0) pending.push(flush(batch));
  await Promise.all(pending);
  for (const [measure, sum] of sums) {
    await doc.send(new UpdateCommand({
      TableName: TABLE, Key: { pk: envelopePk({ measure, fiscal_year: 2025 }), sk: 'ENV' },
      UpdateExpression: 'SET reserved_fen = reserved_fen + :s, available_fen = available_fen - :s ADD version :one',
      ExpressionAttributeValues: { ':s': sum, ':one': 1 },
    }));
  }
}

class HeapSampler {
  private peak = process.memoryUsage().heapUsed;
  private readonly timer = setInterval(() => { this.peak = Math.max(this.peak, process.memoryUsage().heapUsed); }, 50);
  stop(): number {
    clearInterval(this.timer);
    return Math.round(Math.max(this.peak, process.memoryUsage().heapUsed) / 2 ** 20);
  }
}

const log = (line: string) => process.stderr.write(`${line}\n`);

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
