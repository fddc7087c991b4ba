import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ENVELOPE_SK, envelopePk } from '../../../shared/adapters/dynamo/items.ts';
import { afterAll, beforeEach, describe, expect, test } from '@jest/globals';
import { freshTable, type TestTable } from '../../support/dynamo.ts';
import { awardFields, ledgerOn, tickingClock } from '../../support/records.ts';
import { budget, reserve, runStoreOn } from '../../support/runs.ts';
import type { DynamoLedger } from '../../../shared/adapters/dynamo/dynamo-ledger.ts';
import type { DynamoRunStore } from '../../../shared/adapters/dynamo/dynamo-run-store.ts';
import type { RunStore } from '../../../shared/ports/run-store.ts';
import type { RunItem } from '../../../shared/domain/run.ts';
import { prepareRun } from '../../../shared/services/prepare-run.ts';
import { approveRun } from '../../../shared/services/approve-run.ts';
import { cancelAward } from '../../../shared/services/awards.ts';
import type { Clock } from '../../../shared/services/clock.ts';

const tables: TestTable[] = [];
let ledger: DynamoLedger;
let runs: DynamoRunStore;
let clock: Clock;

beforeEach(async () => {
  const table = await freshTable();
  tables.push(table);
  ledger = ledgerOn(table);
  runs = runStoreOn(table);
  clock = tickingClock();
});
afterAll(async () => { await Promise.all(tables.map((t) => t.drop())); });

const deps = () => ({ ledger, runs, clock });

async function items(store: RunStore, runId: string): Promise<RunItem[]> {
  const out: RunItem[] = [];
  for await (const item of store.listRunItems(runId)) out.push(item);
  return out.sort((a, b) => (a.award_id < b.award_id ? -1 : 1));
}

async function statusOf(id: string) {
  return (await ledger.getAward(id))!.status;
}

describe('run prepare', () => {
  test('takes RESERVED awards approved on or before the last day of the period (Asia/Shanghai), from every fiscal year', async () => {
    await budget(ledger, clock, 7, 2025, 100_000);
    await budget(ledger, clock, 7, 2024, 100_000);
    await reserve(ledger, clock, [
      awardFields(1, { approved_date: '2024-12-31', qualifying_date: '2024-06-01', amount_yuan: '100' }),
      awardFields(2, { approved_date: '2025-03-31', amount_yuan: '200' }),
      awardFields(3, { approved_date: '2025-04-30', amount_yuan: '300.50' }),
      awardFields(4, { approved_date: '2025-05-01', amount_yuan: '400' }),
    ]);

    const { run, created, moved } = await prepareRun(deps(), { period: '2025-04', by: 'Maker Li' });

    expect(created).toBe(true);
    expect(moved).toBe(3);
    expect(run).toMatchObject({ run_id: 'RUN-2025-04', period: '2025-04', status: 'PREPARED', prepared_by: 'Maker Li', award_count: 3, total_fen: 60050, through_date: '2025-04-30' });
    expect((await items(runs, 'RUN-2025-04')).map((i) => i.award_id)).toEqual(['A-00001', 'A-00002', 'A-00003']);
    expect(await statusOf('A-00003')).toBe('BATCHED');
    expect((await ledger.getAward('A-00003'))!.run_id).toBe('RUN-2025-04');
    expect(await statusOf('A-00004')).toBe('RESERVED');
    // Money moved reserved → batched in both fiscal years, and the invariant holds.
    const fy25 = (await ledger.getEnvelope({ measure: 7, fiscal_year: 2025 }))!;
    expect(fy25).toMatchObject({ reserved_fen: 40000, batched_fen: 50050, paid_fen: 0 });
    expect(fy25.available_fen + fy25.reserved_fen + fy25.batched_fen + fy25.paid_fen).toBe(fy25.budget_fen);
    expect((await ledger.getEnvelope({ measure: 7, fiscal_year: 2024 }))!).toMatchObject({ reserved_fen: 0, batched_fen: 10000 });
  });

  test('a year close under way (its envelopes CLOSED, awards not yet carried) keeps that year out of the run: carried, not batched', async () => {
    await budget(ledger, clock, 7, 2025, 100_000);
    await budget(ledger, clock, 7, 2024, 100_000);
    await reserve(ledger, clock, [
      awardFields(1, { approved_date: '2024-12-31', qualifying_date: '2024-06-01', amount_yuan: '100' }),
      awardFields(2, { approved_date: '2025-03-31', amount_yuan: '200' }),
    ]);
    // Step 2 of `year approve` for FY2024: the envelope is closed before its awards are carried.
    await tables.at(-1)!.doc.send(new UpdateCommand({
      TableName: tables.at(-1)!.tableName, Key: { pk: envelopePk({ measure: 7, fiscal_year: 2024 }), sk: ENVELOPE_SK },
      UpdateExpression: 'SET #st = :closed', ExpressionAttributeNames: { '#st': 'status' }, ExpressionAttributeValues: { ':closed': 'CLOSED' },
    }));

    const { run, moved } = await prepareRun(deps(), { period: '2025-04', by: 'Maker Li' });

    expect(moved).toBe(1);
    expect(run).toMatchObject({ status: 'PREPARED', award_count: 1, total_fen: 20000 });
    expect(await statusOf('A-00001')).toBe('RESERVED');
    expect(await statusOf('A-00002')).toBe('BATCHED');
    expect((await ledger.getEnvelope({ measure: 7, fiscal_year: 2024 }))!).toMatchObject({ status: 'CLOSED', reserved_fen: 10000, batched_fen: 0 });
  });

  test('preparing the period again returns the same run and adds nothing; a later award waits for the next period', async () => {
    await budget(ledger, clock, 7, 2025, 100_000);
    await reserve(ledger, clock, [awardFields(1), awardFields(2)]);
    const first = await prepareRun(deps(), { period: '2025-04', by: 'maker' });
    await reserve(ledger, clock, [awardFields(3, { approved_date: '2025-04-15' })]);

    const again = await prepareRun(deps(), { period: '2025-04', by: 'someone else' });

    expect(again.created).toBe(false);
    expect(again.moved).toBe(0);
    expect(again.run).toEqual(first.run);
    expect(await statusOf('A-00003')).toBe('RESERVED');
    const next = await prepareRun(deps(), { period: '2025-05', by: 'maker' });
    expect((await items(runs, next.run.run_id)).map((i) => i.award_id)).toEqual(['A-00003']);
  });

  test('no award is ever in two runs', async () => {
    await budget(ledger, clock, 7, 2025, 100_000);
    await reserve(ledger, clock, [awardFields(1, { approved_date: '2025-03-02' }), awardFields(2, { approved_date: '2025-04-02' })]);
    await prepareRun(deps(), { period: '2025-03', by: 'maker' });
    await prepareRun(deps(), { period: '2025-04', by: 'maker' });
    await expect(prepareRun(deps(), { period: '2025-05', by: 'maker' })).rejects.toMatchObject({ code: 'NOTHING_TO_PAY' });
    const march = (await items(runs, 'RUN-2025-03')).map((i) => i.award_id);
    const april = (await items(runs, 'RUN-2025-04')).map((i) => i.award_id);
    expect(march).toEqual(['A-00001']);
    expect(april).toEqual(['A-00002']);
    expect((await runs.listRuns()).map((r) => [r.run_id, r.award_count])).toEqual([['RUN-2025-03', 1], ['RUN-2025-04', 1]]);
  });

  test('batches per (measure, unit), never above the batch size, with control totals', async () => {
    await budget(ledger, clock, 7, 2025, 100_000);
    await budget(ledger, clock, 9, 2025, 100_000);
    await reserve(ledger, clock, [
      ...[1, 2, 3, 4, 5].map((n) => awardFields(n, { approved_date: `2025-04-0${n}`, amount_yuan: `${n}00` })),
      awardFields(6, { approving_unit: 'IPC', amount_yuan: '1.01' }),
      awardFields(7, { measure: '9', amount_yuan: '7' }),
    ]);

    const { run } = await prepareRun(deps(), { period: '2025-04', by: 'maker' }, { batchSize: 2 });

    expect(run.batch_size).toBe(2);
    expect(run.batches.every((b) => /^sha256:[0-9a-f]{64}$/.test(b.digest ?? ''))).toBe(true);
    expect(run.batches.map(({ digest: _digest, ...b }) => b)).toEqual([
      { batch_id: 'RUN-2025-04-M07-EITB-001', measure: 7, unit: 'EITB', count: 2, total_fen: 30000 },
      { batch_id: 'RUN-2025-04-M07-EITB-002', measure: 7, unit: 'EITB', count: 2, total_fen: 70000 },
      { batch_id: 'RUN-2025-04-M07-EITB-003', measure: 7, unit: 'EITB', count: 1, total_fen: 50000 },
      { batch_id: 'RUN-2025-04-M07-IPC-001', measure: 7, unit: 'IPC', count: 1, total_fen: 101 },
      { batch_id: 'RUN-2025-04-M09-EITB-001', measure: 9, unit: 'EITB', count: 1, total_fen: 700 },
    ]);
    expect(run.award_count).toBe(7);
    expect(run.total_fen).toBe(150801);
    const placed = (await items(runs, 'RUN-2025-04')).map((i) => [i.award_id, i.batch_id.slice(12), i.seq]);
    // Oldest approved first within a series.
    expect(placed).toEqual([
      ['A-00001', 'M07-EITB-001', 1], ['A-00002', 'M07-EITB-001', 2], ['A-00003', 'M07-EITB-002', 1],
      ['A-00004', 'M07-EITB-002', 2], ['A-00005', 'M07-EITB-003', 1], ['A-00006', 'M07-IPC-001', 1], ['A-00007', 'M09-EITB-001', 1],
    ]);
  });

  test('a prepare that crashed half-way is finished by preparing again: every award once, numbering continued', async () => {
    await budget(ledger, clock, 7, 2025, 100_000);
    await reserve(ledger, clock, Array.from({ length: 11 }, (_, i) => awardFields(i + 1, { approved_date: `2025-04-${String(i + 1).padStart(2, '0')}` })));
    let calls = 0;
    const crashing: RunStore = Object.create(runs, {
      moveIntoRun: { value: async (...args: Parameters<RunStore['moveIntoRun']>) => {
        if (++calls > 2) throw new Error('Lambda timed out');
        return runs.moveIntoRun(...args);
      } },
    });
    await expect(prepareRun({ ledger, runs: crashing, clock }, { period: '2025-04', by: 'maker' }, { batchSize: 4 })).rejects.toThrow('Lambda timed out');
    expect((await runs.getRun('RUN-2025-04'))!.status).toBe('PREPARING');
    await expect(approveRun({ runs, clock }, { run_id: 'RUN-2025-04', by: 'checker' })).rejects.toMatchObject({ code: 'RUN_INCOMPLETE' });
    const partial = await items(runs, 'RUN-2025-04');
    expect(partial).toHaveLength(6); // two transactions of three awards (10 items: 2×3 + envelope, counter, run check)

    const resumed = await prepareRun(deps(), { period: '2025-04', by: 'maker' });

    expect(resumed).toMatchObject({ created: false, moved: 5 });
    expect(resumed.run).toMatchObject({ status: 'PREPARED', award_count: 11, total_fen: 1_100_000, batch_size: 4 });
    const all = await items(runs, 'RUN-2025-04');
    expect(all).toHaveLength(11);
    const places = all.map((i) => `${i.batch_id.slice(-3)}#${i.seq}`).sort();
    expect(places).toEqual(['001#1', '001#2', '001#3', '001#4', '002#1', '002#2', '002#3', '002#4', '003#1', '003#2', '003#3']);
    expect(resumed.run.batches.map((b) => b.count)).toEqual([4, 4, 3]);
    expect((await ledger.getEnvelope({ measure: 7, fiscal_year: 2025 }))!).toMatchObject({ reserved_fen: 0, batched_fen: 1_100_000 });
  });

  test('two prepares of one period at once build one consistent run', async () => {
    await budget(ledger, clock, 7, 2025, 1_000_000);
    await budget(ledger, clock, 9, 2025, 1_000_000);
    // Measure 9 is EITB's alone; measure 7 is shared by EITB and IPC.
    await reserve(ledger, clock, Array.from({ length: 30 }, (_, i) => (i % 3 === 0
      ? awardFields(i + 1, { measure: '9' })
      : awardFields(i + 1, { approving_unit: i % 4 === 0 ? 'IPC' : 'EITB' }))));

    const [a, b] = await Promise.all([
      prepareRun(deps(), { period: '2025-04', by: 'maker' }, { batchSize: 4 }),
      prepareRun({ ledger, runs: runStoreOn(tables.at(-1)!), clock }, { period: '2025-04', by: 'maker' }, { batchSize: 4 }),
    ]);

    expect(a.moved + b.moved).toBe(30);
    const run = (await runs.getRun('RUN-2025-04'))!;
    expect(run).toMatchObject({ status: 'PREPARED', award_count: 30, total_fen: 3_000_000 });
    const all = await items(runs, 'RUN-2025-04');
    expect(new Set(all.map((i) => i.award_id)).size).toBe(30);
    expect(new Set(all.map((i) => `${i.batch_id}#${i.seq}`)).size).toBe(30);
    expect(run.batches.every((x) => x.count <= 4)).toBe(true);
  });

  test('an award cancelled before the run is not taken; one in a run cannot be cancelled', async () => {
    await budget(ledger, clock, 7, 2025, 100_000);
    await reserve(ledger, clock, [awardFields(1), awardFields(2)]);
    await cancelAward(ledger, clock, { award_id: 'A-00001', reason: 'withdrawn', by: 'clerk' });
    const { run } = await prepareRun(deps(), { period: '2025-04', by: 'maker' });
    expect(run.award_count).toBe(1);
    await expect(cancelAward(ledger, clock, { award_id: 'A-00002', reason: 'late', by: 'clerk' })).rejects.toMatchObject({ code: 'NOT_CANCELLABLE' });
  });

  test('refuses a malformed period and a missing actor', async () => {
    await expect(prepareRun(deps(), { period: '2025-4', by: 'maker' })).rejects.toMatchObject({ code: 'BAD_PERIOD' });
    await expect(prepareRun(deps(), { period: '2025-13', by: 'maker' })).rejects.toMatchObject({ code: 'BAD_PERIOD' });
    await expect(prepareRun(deps(), { period: '2025-04', by: '  ' })).rejects.toMatchObject({ code: 'MISSING_ACTOR' });
  });
});

describe('run approve (four eyes)', () => {
  beforeEach(async () => {
    await budget(ledger, clock, 7, 2025, 100_000);
    await reserve(ledger, clock, [awardFields(1)]);
    await prepareRun(deps(), { period: '2025-04', by: 'Wang Fang' });
  });

  test('the preparer may not approve, however the name is written', async () => {
    for (const by of ['Wang Fang', ' wang  fang ', 'ＷＡＮＧ FANG']) {
      await expect(approveRun({ runs, clock }, { run_id: 'RUN-2025-04', by })).rejects.toMatchObject({ code: 'SAME_PERSON' });
    }
    expect((await runs.getRun('RUN-2025-04'))!.status).toBe('PREPARED');
  });

  test('a second person approves; approving again changes nothing', async () => {
    const first = await approveRun({ runs, clock }, { run_id: 'RUN-2025-04', by: 'Zhao Lei' });
    expect(first.changed).toBe(true);
    expect(first.run).toMatchObject({ status: 'APPROVED', approved_by: 'Zhao Lei', prepared_by: 'Wang Fang' });
    const again = await approveRun({ runs, clock }, { run_id: 'RUN-2025-04', by: 'Zhao Lei' });
    expect(again).toMatchObject({ changed: false, run: { approved_at: first.run.approved_at } });
  });

  test('an unknown run is NOT_FOUND, a malformed id BAD_RUN_ID', async () => {
    await expect(approveRun({ runs, clock }, { run_id: 'RUN-2025-09', by: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(approveRun({ runs, clock }, { run_id: 'run 9', by: 'x' })).rejects.toMatchObject({ code: 'BAD_RUN_ID' });
  });
});
