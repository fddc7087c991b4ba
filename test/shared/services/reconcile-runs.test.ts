/**
 * Reconciliation across the real disbursement runs (issue 3's DynamoRunStore and services):
 * prepare, approve, export and a partly failed settlement leave a store that reconciles clean, and
 * a run item that disagrees with its award is named.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, test } from '@jest/globals';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { freshTable, type TestTable } from '../../support/dynamo.ts';
import { awardFields, ledgerOn, tickingClock } from '../../support/records.ts';
import { budget, reserve, runStoreOn } from '../../support/runs.ts';
import { LocalDirSink } from '../../../shared/adapters/files/local-dir-sink.ts';
import { DynamoReconciliationStore } from '../../../shared/adapters/dynamo/dynamo-reconciliation-store.ts';
import { runPk, runItemSk } from '../../../shared/adapters/dynamo/run-items.ts';
import { prepareRun } from '../../../shared/services/prepare-run.ts';
import { approveRun } from '../../../shared/services/approve-run.ts';
import { exportRun } from '../../../shared/services/export-run.ts';
import { resultRowsFromFile, settleRun } from '../../../shared/services/settle-run.ts';
import { checkLedger, type ReconcileDeps } from '../../../shared/services/reconcile.ts';

const tables: TestTable[] = [];
let table: TestTable;
let deps: ReconcileDeps;

beforeEach(async () => {
  table = await freshTable();
  tables.push(table);
  const ledger = ledgerOn(table);
  const runs = runStoreOn(table);
  const clock = tickingClock();
  deps = { ledger, runs, clock, store: new DynamoReconciliationStore(table.doc, table.tableName) };
  await budget(ledger, clock, 7, 2025, 10_000);
  await reserve(ledger, clock, [1, 2, 3, 4, 5].map((n) => awardFields(n, { approved_date: `2025-04-0${n}`, amount_yuan: `${n}00` })));
  await prepareRun({ ledger, runs, clock }, { period: '2025-04', by: 'maker' });
  await approveRun({ runs, clock }, { run_id: 'RUN-2025-04', by: 'checker' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bursar-reconcile-runs-'));
  await exportRun({ runs, clock, sink: new LocalDirSink(dir) }, { run_id: 'RUN-2025-04' });
  const file = path.join(dir, 'results.csv');
  writeFileSync(file, ['award_id,status,reference,reason', 'A-00001,PAID,BOC-1,', 'A-00002,PAID,BOC-2,', 'A-00003,FAILED,,account closed'].join('\n'));
  await settleRun({ runs, clock }, { run_id: 'RUN-2025-04', rows: resultRowsFromFile(file), by: 'finance-b' });
});
afterAll(async () => { await Promise.all(tables.map((t) => t.drop())); });

describe('reconcile with the real run store', () => {
  test('prepared, exported and partly settled runs reconcile clean', async () => {
    const { report } = await checkLedger(deps);
    expect(report).toMatchObject({ clean: true, checked_runs: 1, checked_awards: 5, mismatches: [], run_mismatches: [], stuck: [] });
  });

  test('a run item whose amount was changed is named against the batch control totals and the awards', async () => {
    await table.doc.send(new UpdateCommand({
      TableName: table.tableName, Key: { pk: runPk('RUN-2025-04'), sk: runItemSk('A-00004') },
      UpdateExpression: 'SET amount_fen = :a', ExpressionAttributeValues: { ':a': 1 },
    }));
    const { report } = await checkLedger(deps);
    expect(report.mismatches).toEqual([]);
    expect(report.run_mismatches.map((m) => [m.run_id, m.batch_id === null ? null : 'batch', m.field])).toEqual([
      ['RUN-2025-04', 'batch', 'total_fen'],
      ['RUN-2025-04', null, 'total_fen'],
      ['RUN-2025-04', null, 'awards_fen'],
    ]);
  });
});
