import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, test } from '@jest/globals';
import { freshTable, type TestTable } from '../../support/dynamo.ts';
import { awardFields, ledgerOn, tickingClock } from '../../support/records.ts';
import { budget, reserve, runStoreOn } from '../../support/runs.ts';
import type { DynamoLedger } from '../../../shared/adapters/dynamo/dynamo-ledger.ts';
import type { DynamoRunStore } from '../../../shared/adapters/dynamo/dynamo-run-store.ts';
import { LocalDirSink } from '../../../shared/adapters/files/local-dir-sink.ts';
import type { Envelope } from '../../../shared/domain/envelope.ts';
import { prepareRun } from '../../../shared/services/prepare-run.ts';
import { approveRun } from '../../../shared/services/approve-run.ts';
import { exportRun } from '../../../shared/services/export-run.ts';
import { resultRowsFromFile, settleRun } from '../../../shared/services/settle-run.ts';
import { fiscalSummary } from '../../../shared/services/fiscal-summary.ts';
import { releaseFailed } from '../../../shared/services/release-failed.ts';
import type { Clock } from '../../../shared/services/clock.ts';
import type { RunItem } from '../../../shared/domain/run.ts';

const tables: TestTable[] = [];
let ledger: DynamoLedger;
let runs: DynamoRunStore;
let clock: Clock;
let dir: string;
const key = { measure: 7, fiscal_year: 2025 };

beforeEach(async () => {
  const table = await freshTable();
  tables.push(table);
  ledger = ledgerOn(table);
  runs = runStoreOn(table);
  clock = tickingClock(); // 2025-05-01T00:00Z, which is 08:00 on 1 May in Shanghai
  dir = mkdtempSync(path.join(os.tmpdir(), 'bursar-settle-test-'));
  await budget(ledger, clock, 7, 2025, 10_000);
  await reserve(ledger, clock, [1, 2, 3, 4, 5].map((n) => awardFields(n, { approved_date: `2025-04-0${n}`, amount_yuan: `${n}00` })));
  await prepareRun({ ledger, runs, clock }, { period: '2025-04', by: 'maker' });
});
afterAll(async () => { await Promise.all(tables.map((t) => t.drop())); });

async function approveAndExport() {
  await approveRun({ runs, clock }, { run_id: 'RUN-2025-04', by: 'checker' });
  await exportRun({ runs, clock, sink: new LocalDirSink(dir) }, { run_id: 'RUN-2025-04' });
}

let files = 0;
function resultsFile(lines: string[], header = 'award_id,status,reference,reason'): string {
  const file = path.join(dir, `results-${++files}.csv`);
  writeFileSync(file, `\ufeff${[header, ...lines].join('\r\n')}\r\n`);
  return file;
}

const settle = (file: string) => settleRun({ runs, clock }, { run_id: 'RUN-2025-04', rows: resultRowsFromFile(file), by: 'finance-b' });
const envelope = async () => (await ledger.getEnvelope(key))!;
const holds = (e: Envelope) => e.available_fen + e.reserved_fen + e.batched_fen + e.paid_fen + e.returned_fen === e.budget_fen;

async function items(): Promise<Map<string, RunItem>> {
  const out = new Map<string, RunItem>();
  for await (const item of runs.listRunItems('RUN-2025-04')) out.set(item.award_id, item);
  return out;
}

/** The run store, except that the first `parties` settlement writes wait for each other, then go together. */
function meetAtFirstWrite(store: DynamoRunStore, parties: number): DynamoRunStore {
  const waiting: (() => void)[] = [];
  let met = false;
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'settlePayments') {
        return async (...args: Parameters<DynamoRunStore['settlePayments']>) => {
          if (!met) {
            await new Promise<void>((resolve) => {
              waiting.push(resolve);
              if (waiting.length === parties) { met = true; waiting.forEach((w) => w()); }
            });
          }
          return target.settlePayments(...args);
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const FIRST = [
  'A-00001,PAID,BOC-0001,',
  'A-00002,PAID,BOC-0002,',
  'A-00003,PAID,BOC-0003,',
  'A-00004,FAILED,,账户已销户 account closed',
];

describe('run settle', () => {
  test('only an exported run takes results', async () => {
    await expect(settle(resultsFile(FIRST))).rejects.toMatchObject({ code: 'NOT_EXPORTED' });
  });

  test('partial failure: PAID awards are paid, a FAILED one is RETURNED with its reason and, once released by a second person, joins the next run', async () => {
    await approveAndExport();
    expect(await envelope()).toMatchObject({ reserved_fen: 0, batched_fen: 150000, paid_fen: 0 });

    const result = await settle(resultsFile(FIRST));

    expect(result).toMatchObject({
      run_id: 'RUN-2025-04', paid: 3, failed: 1, paid_fen: 60000, failed_fen: 40000, unchanged: 0, run_status: 'EXPORTED', outstanding: 1,
    });
    for (const id of ['A-00001', 'A-00002', 'A-00003']) expect((await ledger.getAward(id))!.status).toBe('PAID');
    const failed = (await ledger.getAward('A-00004'))!;
    expect(failed.status).toBe('RETURNED');
    expect(failed.history.at(-1)).toMatchObject({ status: 'RETURNED', by: 'finance-b', note: expect.stringContaining('账户已销户 account closed') });
    expect((await ledger.getAward('A-00005'))!.status).toBe('BATCHED');
    const e = await envelope();
    expect(e).toMatchObject({ reserved_fen: 0, returned_fen: 40000, batched_fen: 50000, paid_fen: 60000 });
    expect(holds(e)).toBe(true);
    // The run keeps the record of the failure.
    expect((await items()).get('A-00004')).toMatchObject({ outcome: 'FAILED', reason: '账户已销户 account closed' });
    expect((await items()).get('A-00001')).toMatchObject({ outcome: 'PAID', reference: 'BOC-0001' });
    expect((await runs.getRun('RUN-2025-04'))!).toMatchObject({ status: 'EXPORTED', paid_count: 3, paid_fen: 60000, failed_count: 1, failed_fen: 40000 });

    await releaseFailed({ runs, clock }, { run_id: 'RUN-2025-04', by: 'reviewer' });
    expect((await ledger.getAward('A-00004'))!).toMatchObject({ status: 'RESERVED' });
    expect((await ledger.getAward('A-00004'))!.run_id).toBeUndefined();
    const next = await prepareRun({ ledger, runs, clock }, { period: '2025-05', by: 'maker' });
    expect(next.run).toMatchObject({ run_id: 'RUN-2025-05', award_count: 1, total_fen: 40000 });
    expect((await ledger.getAward('A-00004'))!).toMatchObject({ status: 'BATCHED', run_id: 'RUN-2025-05' });
  });

  test('re-importing the same file changes nothing; the last result settles the run', async () => {
    await approveAndExport();
    const file = resultsFile(FIRST);
    await settle(file);
    const before = await envelope();

    const again = await settle(file);

    expect(again).toMatchObject({ paid: 0, failed: 0, unchanged: 4, outstanding: 1 });
    expect(await envelope()).toEqual(before);
    const last = await settle(resultsFile(['A-00005,PAID,BOC-0005,']));
    expect(last).toMatchObject({ paid: 1, run_status: 'SETTLED', outstanding: 0 });
    expect((await runs.getRun('RUN-2025-04'))!).toMatchObject({ status: 'SETTLED', paid_count: 4, paid_fen: 110000, failed_count: 1 });
    expect(await envelope()).toMatchObject({ batched_fen: 0, paid_fen: 110000, reserved_fen: 0, returned_fen: 40000 });
  });

  test('two imports of one file at once report the same outcome, and the money moves once (issue 13, finding 12)', async () => {
    await approveAndExport();
    const file = resultsFile([...FIRST, 'A-00005,PAID,BOC-0005,']);

    // Both imports check the file and read the payments unsettled before either writes: they race for every payment.
    const racing = meetAtFirstWrite(runs, 2);
    const importFile = () => settleRun({ runs: racing, clock }, { run_id: 'RUN-2025-04', rows: resultRowsFromFile(file), by: 'finance-b' });
    const [a, b] = await Promise.all([importFile(), importFile()]);

    // Same outcome: both accepted, the run settled, nothing outstanding. Each line was applied by
    // one of them; the other found it settled, as a re-import does (paid/failed vs unchanged).
    for (const r of [a, b]) {
      expect(r).toMatchObject({ run_status: 'SETTLED', outstanding: 0 });
      expect(r.paid + r.failed + r.unchanged).toBe(5);
    }
    expect({ paid: a.paid + b.paid, failed: a.failed + b.failed, paid_fen: a.paid_fen + b.paid_fen, failed_fen: a.failed_fen + b.failed_fen })
      .toEqual({ paid: 4, failed: 1, paid_fen: 110000, failed_fen: 40000 });
    const e = await envelope();
    expect(e).toMatchObject({ batched_fen: 0, paid_fen: 110000, returned_fen: 40000 });
    expect(holds(e)).toBe(true);
    expect((await runs.getRun('RUN-2025-04'))!).toMatchObject({ status: 'SETTLED', paid_count: 4, paid_fen: 110000, failed_count: 1, failed_fen: 40000 });
  });

  test('an import overtaken by another reports the run as it stands: a SETTLED run has nothing outstanding (issue 13, finding 12)', async () => {
    await approveAndExport();
    const first = resultsFile(['A-00001,PAID,BOC-0001,']);
    const rest = resultsFile(['A-00002,PAID,BOC-0002,', 'A-00003,PAID,BOC-0003,', 'A-00004,FAILED,,账户已销户 account closed', 'A-00005,PAID,BOC-0005,']);
    // The first import has applied its line and read the run's totals (4 outstanding) when the
    // second imports the rest and settles the run; only then does the first record what it read.
    let restDone!: () => void;
    const overtaken = new Promise<void>((resolve) => { restDone = resolve; });
    const slow = new Proxy(runs, {
      get(target, prop) {
        if (prop === 'recordSettlement') {
          return async (...args: Parameters<DynamoRunStore['recordSettlement']>) => { await overtaken; return target.recordSettlement(...args); };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });

    const firstImport = settleRun({ runs: slow, clock }, { run_id: 'RUN-2025-04', rows: resultRowsFromFile(first), by: 'finance-b' });
    const restImport = settle(rest).finally(() => restDone());
    const [a, b] = await Promise.all([firstImport, restImport]);

    expect(b).toMatchObject({ paid: 3, failed: 1, run_status: 'SETTLED', outstanding: 0 });
    expect(a).toMatchObject({ paid: 1, failed: 0, unchanged: 0, run_status: 'SETTLED', outstanding: 0 });
    expect((await runs.getRun('RUN-2025-04'))!).toMatchObject({ status: 'SETTLED', paid_count: 4, failed_count: 1 });
  });

  test('a file contradicting an earlier settlement is refused whole', async () => {
    await approveAndExport();
    await settle(resultsFile(FIRST));
    const before = await envelope();

    for (const lines of [
      ['A-00005,PAID,BOC-0005,', 'A-00001,FAILED,,returned'],
      ['A-00005,PAID,BOC-0005,', 'A-00002,PAID,BOC-9999,'],
      ['A-00005,PAID,BOC-0005,', 'A-00004,PAID,BOC-0004,'],
    ]) {
      await expect(settle(resultsFile(lines))).rejects.toMatchObject({ code: 'CONTRADICTS_SETTLEMENT', context: { problem_count: 1, problems: [{ line: 3 }] } });
    }
    expect((await ledger.getAward('A-00005'))!.status).toBe('BATCHED');
    expect(await envelope()).toEqual(before);
  });

  test('an award not in the run, a repeat with another result, or a malformed line refuses the file; nothing applied', async () => {
    await approveAndExport();
    await expect(settle(resultsFile(['A-00001,PAID,BOC-0001,', 'A-00099,PAID,BOC-0099,']))).rejects.toMatchObject({
      code: 'NOT_IN_RUN', context: { problems: [{ line: 3, award_id: 'A-00099', code: 'NOT_IN_RUN' }] },
    });
    await expect(settle(resultsFile(['A-00001,PAID,BOC-0001,', 'A-00001,FAILED,,bounced']))).rejects.toMatchObject({ code: 'CONTRADICTS_SETTLEMENT' });
    await expect(settle(resultsFile(['A-00001,PAID,BOC-0001,', 'A-00002,OK,BOC-0002,']))).rejects.toMatchObject({ code: 'INVALID_RESULTS' });
    await expect(settle(resultsFile(['A-00001,PAID,,']))).rejects.toMatchObject({ code: 'INVALID_RESULTS' });
    await expect(settle(resultsFile(['A-00001,FAILED,,']))).rejects.toMatchObject({ code: 'INVALID_RESULTS' });
    await expect(settle(resultsFile(['A-00001,PAID'], 'award_id,result'))).rejects.toMatchObject({ code: 'BAD_HEADER' });
    expect((await ledger.getAward('A-00001'))!.status).toBe('BATCHED');
    expect(await envelope()).toMatchObject({ batched_fen: 150000, paid_fen: 0 });
    expect([...(await items()).values()].every((i) => i.outcome === undefined)).toBe(true);
  });

  test('an identical repeat inside one file counts once', async () => {
    await approveAndExport();
    const result = await settle(resultsFile(['A-00001,PAID,BOC-0001,', 'A-00001,PAID,BOC-0001,']));
    expect(result).toMatchObject({ paid: 1, unchanged: 1, paid_fen: 10000 });
  });

  test('settled money shows in the summary, in the month it was settled (Asia/Shanghai)', async () => {
    await approveAndExport();
    await settle(resultsFile(FIRST));
    const summary = await fiscalSummary({ ledger, runs }, 2025);
    expect(summary.monthly_paid.find((m) => m.month === '2025-05')).toEqual({ month: '2025-05', paid_fen: 60000 });
    expect(summary.monthly_paid.reduce((s, m) => s + m.paid_fen, 0)).toBe(summary.total.paid_fen);
    expect(summary.measures.find((m) => m.measure === 7)).toMatchObject({ paid_fen: 60000, batched_fen: 50000, reserved_fen: 0, returned_fen: 40000 });
  });
});
