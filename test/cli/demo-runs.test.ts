import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { freshTable, type TestTable } from '../support/dynamo.ts';
import { awardFields, ledgerOn, tickingClock } from '../support/records.ts';
import { budget, reserve, runStoreOn } from '../support/runs.ts';
import { demoRuns } from '../../cli/demo/demo-runs.ts';
import { DeadLetterStore } from '../../cli/local/dead-letters.ts';
import type { Output } from '../../cli/output.ts';
import type { Runtime } from '../../cli/runtime.ts';

process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';

let table: TestTable;
let runtime: Runtime;
const lines: string[] = [];
const out: Output = { json: false, result: () => {}, info: (line) => lines.push(line) };
const outDir = mkdtempSync(path.join(os.tmpdir(), 'bursar-demo-runs-'));

beforeAll(async () => {
  table = await freshTable();
  const ledger = ledgerOn(table);
  const clock = tickingClock();
  runtime = {
    ledger, doc: table.doc, tableName: table.tableName, clock, deadLetters: new DeadLetterStore(table.doc, table.tableName),
    location: { mode: 'external', tableName: table.tableName }, close: async () => {},
  };
  await budget(ledger, clock, 7, 2025, 100_000);
  await reserve(ledger, clock, Array.from({ length: 9 }, (_, i) => awardFields(i + 1)));
});
afterAll(async () => { await table.drop(); });

describe('demoRuns', () => {
  test('prepares, shows four eyes, approves, exports, settles with a few failures, re-imports, prints the summary', async () => {
    await demoRuns(runtime, out, { period: '2025-04', outDir });
    const text = lines.join('\n');
    expect(text).toContain('SAME_PERSON');
    expect(text).toMatch(/Settled .*: 6 paid .*, 3 failed/);
    expect(text).toContain('0 paid, 0 failed, 9 already settled');
    expect(text).toContain('预算执行情况');
    expect(text).not.toMatch(/62170000\d{8}/); // no full account number in the demo's output
    expect(existsSync(path.join(outDir, 'RUN-2025-04-payments.xlsx'))).toBe(true);
    const run = await runStoreOn(table).getRun('RUN-2025-04');
    expect(run).toMatchObject({ status: 'SETTLED', paid_count: 6, failed_count: 3 });
  });
});
