import '../cli/node-warnings.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { Logger } from '@aws-lambda-powertools/logger';
import { startDynamoLocal, ensureTable } from '../cli/local/dynamo-local.ts';
import { createDynamoClients } from '../shared/adapters/dynamo/client.ts';
import { DynamoLedger } from '../shared/adapters/dynamo/dynamo-ledger.ts';
import { DeadLetterStore } from '../cli/local/dead-letters.ts';
import { systemClock } from '../shared/services/clock.ts';
import type { Runtime } from '../cli/runtime.ts';
import { CapacityMeter } from './capacity-meter.ts';
import { measurePutFloor } from './floor.ts';
import { benchIntake } from './intake-bench.ts';
import { DEFAULT_INTAKE_BATCH_SIZE, DEFAULT_INTAKE_CONCURRENCY } from '../cli/submit-awards.ts';
import { DEFAULT_GROUP_CONCURRENCY } from '../shared/services/intake.ts';

/**
 * `npm run bench`: measures Bursar against the speed of the DynamoDB Local it runs on, in one run.
 * Sizes can be scaled down for a quick look: BENCH_AWARDS=2000 npm run bench.
 */
const AWARDS = Number(process.env['BENCH_AWARDS'] ?? 20_000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? DEFAULT_INTAKE_CONCURRENCY);
const BATCH = Number(process.env['BENCH_BATCH_SIZE'] ?? DEFAULT_INTAKE_BATCH_SIZE);
/** Store calls the intake has in flight at most: invocations x envelope groups per invocation. */
const CLIENT_CONCURRENCY = CONCURRENCY * DEFAULT_GROUP_CONCURRENCY;
const FLOOR_PUTS = Number(process.env['BENCH_FLOOR_PUTS'] ?? 5_000);

async function main(): Promise<void> {
  process.env['POWERTOOLS_DEV'] = 'true';
  process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
  process.env['POWERTOOLS_LOG_LEVEL'] = 'ERROR';
  for (const m of ['log', 'info', 'warn', 'debug'] as const) console[m] = console.error;
  void Logger;

  const local = await startDynamoLocal({ inMemory: true });
  try {
    const { client, doc } = createDynamoClients({ endpoint: local.endpoint });
    const meter = new CapacityMeter();
    meter.attach(client);
    const results: Record<string, unknown> = {
      measured_at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memory_gb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
      settings: { awards: AWARDS, invocations: CONCURRENCY, batch_size: BATCH, client_concurrency: CLIENT_CONCURRENCY, transaction_max_items: 10 },
    };

    await ensureTable(client, 'floor');
    const floor = await measurePutFloor(doc, 'floor', FLOOR_PUTS, CLIENT_CONCURRENCY);
    results['floor_puts_per_second'] = floor;
    process.stderr.write(`floor: ${floor.toFixed(0)} PutItem/s at concurrency ${CLIENT_CONCURRENCY}\n`);

    await ensureTable(client, 'intake');
    const runtime: Runtime = {
      ledger: new DynamoLedger(doc, 'intake', { maxTransactionItems: 10 }),
      doc, tableName: 'intake', clock: systemClock, deadLetters: new DeadLetterStore(doc, 'intake'),
      location: { mode: 'external', endpoint: local.endpoint, tableName: 'intake' }, close: async () => {},
    };
    const intake = await benchIntake(runtime, meter, { count: AWARDS, concurrency: CONCURRENCY, batchSize: BATCH });
    results['intake'] = { ...intake, ratio_to_floor: intake.awards_per_second / floor, calls: meter.byCommand };
    process.stderr.write(`intake: ${JSON.stringify(results['intake'])}\n`);

    const table = [
      ['figure', 'value', 'ratio to floor'],
      ['floor (PutItem/s)', floor.toFixed(0), '1.00'],
      ['intake (awards/s)', intake.awards_per_second.toFixed(0), (intake.awards_per_second / floor).toFixed(2)],
      ['intake WCU per reserved award', intake.write_units_per_reserved.toFixed(2), ''],
      ['intake overspent envelopes', String(intake.overspent_envelopes), ''],
    ];
    process.stdout.write(`${table.map((r) => `${r[0]!.padEnd(32)}${r[1]!.padStart(10)}${r[2]!.padStart(16)}`).join('\n')}\n`);
    mkdirSync('bench', { recursive: true });
    writeFileSync(path.join('bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await local.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
