/** DynamoRunStore against DynamoDB Local: each RunStore operation's state change, and its refusals by role. */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { DynamoLedger } from '../../../../shared/adapters/dynamo/dynamo-ledger.ts';
import { DynamoRunStore } from '../../../../shared/adapters/dynamo/dynamo-run-store.ts';
import type { Award } from '../../../../shared/domain/award.ts';
import type { EnvelopeKey } from '../../../../shared/domain/envelope.ts';
import type { RunMove, RunWriteResult } from '../../../../shared/ports/run-store.ts';
import type { BatchTotals } from '../../../../shared/domain/run-batching.ts';
import { freshTable, type TestTable } from '../../../support/dynamo.ts';
import { storedAward } from '../../../support/stored-awards.ts';
import { FaultPlan, gatedDocClient, scheduledGate } from '../../../reliability/support/store-gate.ts';

const KEY: EnvelopeKey = { measure: 7, fiscal_year: 2025 };
const RUN = 'RUN-2025-05';
const SERIES = 'M07-EITB';
const BATCH = `${RUN}-M07-EITB-001`;
const T = (n: number) => `2025-06-0${n}T00:00:00.000Z`;

let table: TestTable;
let ledger: DynamoLedger;
let runs: DynamoRunStore;
let awards: Award[];

beforeEach(async () => {
  table = await freshTable();
  ledger = new DynamoLedger(table.doc, table.tableName, { maxTransactionItems: 10 });
  runs = new DynamoRunStore(table.doc, table.tableName, { maxTransactionItems: 10 });
  expect(await ledger.writeBudget(KEY, undefined, { budget_fen: 100_000, available_fen: 100_000, alert_at: [] },
    { at: T(1), by: 'officer', old_budget_fen: null, new_budget_fen: 100_000 })).toEqual({ ok: true });
  awards = [
    storedAward(1, 10_000, 'RESERVED', { approved_date: '2025-05-02' }),
    storedAward(2, 20_000, 'RESERVED', { approved_date: '2025-05-31' }),
    storedAward(3, 5_000, 'RESERVED', { approved_date: '2025-06-01' }), // after the cut-off
  ];
  expect(await ledger.reserveNew(KEY, awards)).toEqual({ ok: true });
});
afterEach(async () => { await table.drop(); });

const newRun = { run_id: RUN, period: '2025-05', through_date: '2025-05-31', batch_size: 500, prepared_by: 'preparer', prepared_at: T(1) };
const moves = (list: Award[], from = 1): RunMove[] => list.map((award, i) => ({ award, batch_id: BATCH, seq: from + i }));
const refused = (r: RunWriteResult) => { expect(r.ok).toBe(false); return r as Extract<RunWriteResult, { ok: false }>; };

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** What preparation seals: the totals with a digest per batch and for the run (values are opaque to the store). */
const sealed = (award_count: number, total_fen: number, batches: readonly BatchTotals[]) => ({
  award_count, total_fen, batches: batches.map((b) => ({ ...b, digest: `sha256:${b.batch_id}` })), digest: `sha256:${RUN}`, sealed_by: 'sealer',
});

/** Create the run and move the first two awards in. */
async function prepared(): Promise<void> {
  expect(await runs.createRun(newRun)).toBe(true);
  expect(await runs.moveIntoRun(RUN, SERIES, 0, KEY, moves(awards.slice(0, 2)), T(2))).toEqual({ ok: true });
  expect(await runs.startSealing(RUN, T(2))).toBe(true);
  const { batches } = await runs.readControlTotals(RUN);
  expect(await runs.sealRun(RUN, sealed(2, 30_000, batches), T(3))).toBe(true);
}

describe('prepare', () => {
  test('createRun makes a PREPARING header once; batchableAwards lists RESERVED awards up to the cut-off in queue order', async () => {
    expect(await runs.createRun(newRun)).toBe(true);
    expect(await runs.createRun({ ...newRun, prepared_by: 'someone else' })).toBe(false);
    expect(await runs.getRunHeader(RUN)).toMatchObject({ run_id: RUN, status: 'PREPARING', sealing: false, prepared_by: 'preparer', batch_size: 500, through_date: '2025-05-31', award_count: 0, batches: [] });
    expect((await runs.listRuns()).map((r) => r.run_id)).toEqual([RUN]);
    const pages = await collect(runs.batchableAwards(KEY, '2025-05-31', 1));
    expect(pages.map((p) => p.map((a) => a.award_id))).toEqual([['A-00001'], ['A-00002']]);
  });

  test('moveIntoRun batches awards, writes run items, moves reserved to batched and counts the series, all at once', async () => {
    await runs.createRun(newRun);
    expect(await runs.moveIntoRun(RUN, SERIES, 0, KEY, moves(awards.slice(0, 2)), T(2))).toEqual({ ok: true });
    expect(await ledger.getEnvelope(KEY)).toMatchObject({ reserved_fen: 5_000, batched_fen: 30_000, available_fen: 65_000 });
    expect(await ledger.getAward('A-00001')).toMatchObject({ status: 'BATCHED', run_id: RUN });
    expect(await runs.seriesCount(RUN, SERIES)).toBe(2);
    expect((await collect(runs.listRunItems(RUN))).map((i) => [i.award_id, i.batch_id, i.seq, i.amount_fen]))
      .toEqual([['A-00001', BATCH, 1, 10_000], ['A-00002', BATCH, 2, 20_000]]);
    expect((await collect(runs.listBatchPayments(RUN, BATCH))).map((p) => [p.seq, p.award_id, p.payee_account]))
      .toEqual([[1, 'A-00001', awards[0]!.payee_account], [2, 'A-00002', awards[1]!.payee_account]]);
    // A batched award is no longer batchable.
    expect((await collect(runs.batchableAwards(KEY, '2025-06-30', 10))).flat().map((a) => a.award_id)).toEqual(['A-00003']);
  });

  test('moveIntoRun refusals name what moved: a stale award, an existing item, the series counter, a closed run', async () => {
    await runs.createRun(newRun);
    await runs.moveIntoRun(RUN, SERIES, 0, KEY, moves(awards.slice(0, 1)), T(2));
    // Moving A-00001 again with a stale counter: the award, its item and the counter all refuse.
    expect(refused(await runs.moveIntoRun(RUN, SERIES, 0, KEY, moves(awards.slice(0, 1)), T(3))))
      .toEqual({ ok: false, staleAwards: ['A-00001'], staleItems: ['A-00001'], counterMoved: true, runClosed: false, envelopeShort: false, collided: false });
    // The right counter but a stale count from another prepare.
    expect(refused(await runs.moveIntoRun(RUN, SERIES, 5, KEY, moves(awards.slice(1, 2), 2), T(3))))
      .toMatchObject({ staleAwards: [], staleItems: [], counterMoved: true, runClosed: false });
    // Once sealing starts the run takes no more awards.
    expect(await runs.startSealing(RUN, T(3))).toBe(true);
    expect(refused(await runs.moveIntoRun(RUN, SERIES, 1, KEY, moves(awards.slice(1, 2), 2), T(4))))
      .toMatchObject({ staleAwards: [], counterMoved: false, runClosed: true });
    expect(await ledger.getAward('A-00002')).toMatchObject({ status: 'RESERVED' });
    expect(await ledger.getEnvelope(KEY)).toMatchObject({ reserved_fen: 25_000, batched_fen: 10_000 });
  });

  test('a move cancelled by a conflicting transaction is reported as collided and moves nothing', async () => {
    await runs.createRun(newRun);
    const doc = gatedDocClient(scheduledGate(undefined, new FaultPlan(new Map([[0, 'conflict']]))));
    try {
      const colliding = new DynamoRunStore(doc, table.tableName, { maxTransactionItems: 10 });
      expect(refused(await colliding.moveIntoRun(RUN, SERIES, 0, KEY, moves(awards.slice(0, 1)), T(2))))
        .toEqual({ ok: false, staleAwards: [], staleItems: [], counterMoved: false, runClosed: false, envelopeShort: false, collided: true });
      expect(await ledger.getAward('A-00001')).toMatchObject({ status: 'RESERVED' });
      expect(await runs.seriesCount(RUN, SERIES)).toBe(0);
    } finally {
      doc.destroy();
    }
  });

  test('sealRun fixes the control totals read back from the items, only from sealing', async () => {
    await runs.createRun(newRun);
    await runs.moveIntoRun(RUN, SERIES, 0, KEY, moves(awards.slice(0, 2)), T(2));
    const totals = await runs.readControlTotals(RUN);
    expect(totals.batches).toEqual([{ batch_id: BATCH, measure: 7, unit: 'EITB', count: 2, total_fen: 30_000 }]);
    expect([...totals.series]).toEqual([[SERIES, 2]]);
    expect(await runs.sealRun(RUN, sealed(2, 30_000, totals.batches), T(3))).toBe(false);
    expect(await runs.startSealing(RUN, T(3))).toBe(true);
    expect(await runs.sealRun(RUN, sealed(2, 30_000, totals.batches), T(3))).toBe(true);
    expect(await runs.getRunHeader(RUN)).toMatchObject({ status: 'PREPARED', sealing: false, award_count: 2, total_fen: 30_000, batches: sealed(2, 30_000, totals.batches).batches, digest: `sha256:${RUN}`, sealed_by: 'sealer' });
    expect(await runs.startSealing(RUN, T(4))).toBe(false);
    expect(await runs.sealRun(RUN, sealed(0, 0, []), T(4))).toBe(false);
  });
});

describe('approve and export', () => {
  test('approveRun only from PREPARED; recordExport moves APPROVED to EXPORTED and keeps the latest files after that', async () => {
    await runs.createRun(newRun);
    expect(await runs.approveRun(RUN, 'approver', T(3))).toBe(false);
    await runs.moveIntoRun(RUN, SERIES, 0, KEY, moves(awards.slice(0, 2)), T(2));
    await runs.startSealing(RUN, T(2));
    await runs.sealRun(RUN, sealed(2, 30_000, (await runs.readControlTotals(RUN)).batches), T(3));
    expect(await runs.approveRun(RUN, 'approver', T(4))).toBe(true);
    expect(await runs.approveRun(RUN, 'approver', T(4))).toBe(false);
    expect(await runs.getRun(RUN)).toMatchObject({ status: 'APPROVED', approved_by: 'approver', approved_at: T(4) });

    expect(await runs.recordExport(RUN, T(5), [{ name: 'a.csv', location: '/x/a.csv', sha256: 'aa' }])).toBe(true);
    expect(await runs.getRun(RUN)).toMatchObject({ status: 'EXPORTED', exported_at: T(5) });
    // Exported once (issue 13): a second record is refused and changes nothing.
    expect(await runs.recordExport(RUN, T(6), [{ name: 'a.csv', location: '/y/a.csv', sha256: 'bb' }])).toBe(false);
    const header = await runs.getRunHeader(RUN);
    expect(header).toMatchObject({ status: 'EXPORTED', exported_at: T(5) });
  });

  test('recordExport of a run that was never approved is refused', async () => {
    await runs.createRun(newRun);
    expect(await runs.recordExport(RUN, T(5), [])).toBe(false);
    expect((await runs.getRun(RUN))!.status).toBe('PREPARING');
  });
});

describe('settle', () => {
  async function exported(): Promise<void> {
    await prepared();
    await runs.approveRun(RUN, 'approver', T(4));
    await runs.recordExport(RUN, T(5), []);
  }
  const paid = (a: Award) => ({ award_id: a.award_id, amount_fen: a.amount_fen, outcome: 'PAID' as const, reference: `REF-${a.award_id}`, reason: '' });
  const failed = (a: Award) => ({ award_id: a.award_id, amount_fen: a.amount_fen, outcome: 'FAILED' as const, reference: '', reason: 'account closed' });

  test('settlePayments: PAID moves batched to paid and counts the month; FAILED makes the award RETURNED (money still committed) until releaseReturned', async () => {
    await exported();
    const items = await runs.getRunItemsByAward(RUN, ['A-00001', 'A-00002', 'A-00003']);
    expect([...items.keys()].sort()).toEqual(['A-00001', 'A-00002']);
    expect(items.get('A-00001')).toMatchObject({ measure: 7, fiscal_year: 2025, unit: 'EITB', amount_fen: 10_000 });

    expect(await runs.settlePayments(RUN, KEY, [paid(awards[0]!), failed(awards[1]!)], '2025-06', T(6), 'settler')).toEqual({ ok: true });
    expect(await ledger.getEnvelope(KEY)).toMatchObject({ batched_fen: 0, paid_fen: 10_000, returned_fen: 20_000, reserved_fen: 5_000, available_fen: 65_000 });
    expect(await ledger.getAward('A-00001')).toMatchObject({ status: 'PAID', run_id: RUN });
    const returned = (await ledger.getAward('A-00002'))!;
    expect(returned).toMatchObject({ status: 'RETURNED', run_id: RUN });
    expect(returned.history.at(-1)).toMatchObject({ status: 'RETURNED', by: 'settler' });
    expect(returned.history.at(-1)!.note).toContain('account closed');
    expect((await collect(runs.listRunItems(RUN))).map((i) => [i.award_id, i.outcome, i.reference ?? i.reason]))
      .toEqual([['A-00001', 'PAID', 'REF-A-00001'], ['A-00002', 'FAILED', 'account closed']]);
    expect(await runs.paidByMonth(2025)).toEqual([{ month: '2025-06', measure: 7, paid_fen: 10_000, paid_count: 1 }]);
    expect(await runs.paidByMonth(2024)).toEqual([]);

    const totals = await runs.readSettlementTotals(RUN);
    expect(totals).toEqual({ item_count: 2, paid_count: 1, paid_fen: 10_000, failed_count: 1, failed_fen: 20_000 });
    await runs.recordSettlement(RUN, totals, T(7));
    expect(await runs.getRun(RUN)).toMatchObject({ status: 'SETTLED', settled_at: T(7), paid_count: 1, paid_fen: 10_000, failed_count: 1, failed_fen: 20_000 });

    // A second person releases the returned award: RESERVED again, out of the run, money back in reserved; only once.
    expect(await runs.releaseReturned(RUN, KEY, [{ award_id: 'A-00002', amount_fen: 20_000 }], 'reviewer', T(8))).toEqual({ ok: true });
    expect(await ledger.getEnvelope(KEY)).toMatchObject({ returned_fen: 0, reserved_fen: 25_000, available_fen: 65_000 });
    const back = (await ledger.getAward('A-00002'))!;
    expect(back.status).toBe('RESERVED');
    expect(back.run_id).toBeUndefined();
    expect(back.history.at(-1)).toMatchObject({ status: 'RESERVED', by: 'reviewer', note: `failed payment of ${RUN} released for the next run` });
    expect(refused(await runs.releaseReturned(RUN, KEY, [{ award_id: 'A-00002', amount_fen: 20_000 }], 'reviewer', T(9))).staleAwards).toEqual(['A-00002']);
    expect(await ledger.getEnvelope(KEY)).toMatchObject({ returned_fen: 0, reserved_fen: 25_000 });
  });

  test('settling a payment twice is refused by award and item, and moves no money; a partial settlement leaves the run EXPORTED', async () => {
    await exported();
    expect(await runs.settlePayments(RUN, KEY, [paid(awards[0]!)], '2025-06', T(6), 'settler')).toEqual({ ok: true });
    await runs.recordSettlement(RUN, await runs.readSettlementTotals(RUN), T(6));
    expect(await runs.getRun(RUN)).toMatchObject({ status: 'EXPORTED', paid_count: 1 });

    expect(refused(await runs.settlePayments(RUN, KEY, [paid(awards[0]!)], '2025-06', T(7), 'settler')))
      .toMatchObject({ staleAwards: ['A-00001'], staleItems: ['A-00001'], envelopeShort: false, collided: false });
    expect(await ledger.getEnvelope(KEY)).toMatchObject({ batched_fen: 20_000, paid_fen: 10_000 });
    expect(await runs.paidByMonth(2025)).toEqual([{ month: '2025-06', measure: 7, paid_fen: 10_000, paid_count: 1 }]);
    // An award not in this run is refused too.
    expect(refused(await runs.settlePayments(RUN, KEY, [paid(awards[2]!)], '2025-06', T(7), 'settler')).staleAwards).toEqual(['A-00003']);
  });
});
