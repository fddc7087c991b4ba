/**
 * Cancelling a RETURNED award (issue 13, finding 4): a FAILED payment's award is decided by a second
 * person, released for the next run or cancelled. Cancelling moves its money from returned to
 * available in one transaction with the award, its run item and its enterprise controls, then serves
 * the waitlist; whoever imported the failure may not cancel it. On DynamoDB Local.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, test } from '@jest/globals';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ENVELOPE_SK, envelopePk } from '../../../shared/adapters/dynamo/items.ts';
import { runItemSk, runPk } from '../../../shared/adapters/dynamo/run-items.ts';
import { freshTable, type TestTable } from '../../support/dynamo.ts';
import { awardFields, ledgerOn, tickingClock, usccFor } from '../../support/records.ts';
import { budget, reserve, runStoreOn } from '../../support/runs.ts';
import type { DynamoLedger } from '../../../shared/adapters/dynamo/dynamo-ledger.ts';
import type { DynamoRunStore } from '../../../shared/adapters/dynamo/dynamo-run-store.ts';
import { DynamoReconciliationStore } from '../../../shared/adapters/dynamo/dynamo-reconciliation-store.ts';
import { LocalDirSink } from '../../../shared/adapters/files/local-dir-sink.ts';
import type { Envelope } from '../../../shared/domain/envelope.ts';
import type { IntakeRequest } from '../../../shared/domain/queue-messages.ts';
import { prepareRun } from '../../../shared/services/prepare-run.ts';
import { approveRun } from '../../../shared/services/approve-run.ts';
import { exportRun } from '../../../shared/services/export-run.ts';
import { resultRowsFromFile, settleRun } from '../../../shared/services/settle-run.ts';
import { releaseFailed } from '../../../shared/services/release-failed.ts';
import { processIntake } from '../../../shared/services/intake.ts';
import { checkLedger } from '../../../shared/services/reconcile.ts';
import { cancelAward } from '../../../shared/services/awards.ts';
import type { Clock } from '../../../shared/services/clock.ts';

const tables: TestTable[] = [];
let table: TestTable;
let ledger: DynamoLedger;
let runs: DynamoRunStore;
let clock: Clock;
const key = { measure: 7, fiscal_year: 2025 };
const RUN = 'RUN-2025-04';

/** Budget 1,500 yuan, five awards of 100..500 yuan (all of it), A-00004 (400 yuan) FAILED in RUN-2025-04, imported by finance-b. */
beforeEach(async () => {
  table = await freshTable();
  tables.push(table);
  ledger = ledgerOn(table);
  runs = runStoreOn(table);
  clock = tickingClock();
  await budget(ledger, clock, 7, 2025, 1_500);
  await reserve(ledger, clock, [1, 2, 3, 4, 5].map((n) => awardFields(n, { approved_date: `2025-04-0${n}`, amount_yuan: `${n}00` })));
  await prepareRun({ ledger, runs, clock }, { period: '2025-04', by: 'maker' });
  await approveRun({ runs, clock }, { run_id: RUN, by: 'checker' });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bursar-cancel-returned-'));
  await exportRun({ runs, clock, sink: new LocalDirSink(dir) }, { run_id: RUN });
  const file = path.join(dir, 'results.csv');
  writeFileSync(file, ['award_id,status,reference,reason', 'A-00001,PAID,BOC-1,', 'A-00004,FAILED,,account closed'].join('\n'));
  await settleRun({ runs, clock }, { run_id: RUN, rows: resultRowsFromFile(file), by: 'finance-b' });
});
afterAll(async () => { await Promise.all(tables.map((t) => t.drop())); });

const envelope = async () => (await ledger.getEnvelope(key))!;
const balanced = (e: Envelope) => e.available_fen + e.reserved_fen + e.batched_fen + e.paid_fen + e.returned_fen === e.budget_fen;
const runItem = async (awardId: string) => (await runs.getRunItemsByAward(RUN, [awardId])).get(awardId)!;
const measureTotal = async (n: number) => (await ledger.controls.readEnterprises([usccFor(n)])).get(usccFor(n))!.totals.get('M#2025#7') ?? 0;

/** A 400-yuan award that waits: the budget is all committed. */
async function waitlist400(n: number): Promise<void> {
  const requests = new Map<string, IntakeRequest>([['m', { submission_id: `sub-wait-${n}`, line: 2, record: awardFields(n, { amount_yuan: '400' }) }]]);
  const settled = await processIntake({ ledger, clock }, requests);
  const only = [...settled.values()][0]!;
  if (!only.ok || only.result.outcome !== 'WAITLISTED') throw new Error(`A-${n} was not waitlisted`);
}

describe('cancel a RETURNED award', () => {
  test('the money leaves returned for available in one step, the run item is decided, the controls are freed, and the waitlist is served', async () => {
    await waitlist400(6);
    const before = await envelope();
    expect(before).toMatchObject({ returned_fen: 40_000, available_fen: 0, waitlisted_count: 1 });
    expect(await measureTotal(4)).toBe(40_000);

    const result = await cancelAward(ledger, clock, { award_id: 'A-00004', reason: '企业已注销 enterprise dissolved', by: 'reviewer' });

    expect(result.changed).toBe(true);
    expect(result.drained).toEqual(['A-00006']);
    expect(result.award).toMatchObject({ status: 'CANCELLED', reason: '企业已注销 enterprise dissolved', run_id: RUN });
    expect(result.award.history.at(-2)).toMatchObject({ status: 'RETURNED', by: 'finance-b' });
    expect(result.award.history.at(-1)).toMatchObject({ status: 'CANCELLED', by: 'reviewer', note: '企业已注销 enterprise dissolved' });
    const after = await envelope();
    // 400 yuan left returned; the waiting 400-yuan award took it at once.
    expect(after).toMatchObject({ returned_fen: 0, available_fen: 0, reserved_fen: before.reserved_fen + 40_000, waitlisted_count: 0, waitlisted_fen: 0 });
    expect(after.version).toBeGreaterThan(before.version);
    expect(balanced(after)).toBe(true);
    expect((await ledger.getAward('A-00006'))!.status).toBe('RESERVED');
    expect(await runItem('A-00004')).toMatchObject({ outcome: 'FAILED', settled_by: 'finance-b', released_by: 'reviewer', released_at: expect.any(String) });
    expect(await measureTotal(4)).toBe(0);
    // Decided once: release-failed finds nothing left to release.
    await expect(releaseFailed({ runs, clock }, { run_id: RUN, by: 'reviewer' })).rejects.toMatchObject({ code: 'NOTHING_TO_RELEASE' });
    const { report } = await checkLedger({ ledger, runs, clock, store: new DynamoReconciliationStore(table.doc, table.tableName) });
    expect(report).toMatchObject({ clean: true, mismatches: [], run_mismatches: [], stuck: [] });
  });

  test('without a waitlist the money is available again; re-running changes nothing', async () => {
    await cancelAward(ledger, clock, { award_id: 'A-00004', reason: 'duplicate payee', by: 'reviewer' });
    const once = await envelope();
    expect(once).toMatchObject({ returned_fen: 0, available_fen: 40_000 });

    const again = await cancelAward(ledger, clock, { award_id: 'A-00004', reason: 'duplicate payee', by: 'another-reviewer' });

    expect(again).toMatchObject({ changed: false, drained: [] });
    expect(await envelope()).toEqual(once);
    expect((await ledger.getAward('A-00004'))!.history.filter((h) => h.status === 'CANCELLED')).toHaveLength(1);
  });

  test('four eyes by person: whoever imported the failure may not cancel it, however the name is written; nothing changes', async () => {
    const before = await envelope();
    for (const by of ['finance-b', ' FINANCE-B ', 'ｆｉｎａｎｃｅ-b']) {
      await expect(cancelAward(ledger, clock, { award_id: 'A-00004', reason: 'no', by })).rejects.toMatchObject({ code: 'SAME_PERSON' });
    }
    expect(await envelope()).toEqual(before);
    expect((await ledger.getAward('A-00004'))!.status).toBe('RETURNED');
    expect((await runItem('A-00004')).released_at).toBeUndefined();
  });

  test('a caller not allowed to cancel RETURNED awards (the API without the reviewer role) is refused; RESERVED/WAITLISTED callers keep their right', async () => {
    await expect(cancelAward(ledger, clock, { award_id: 'A-00004', reason: 'x', by: 'clerk', may_cancel: ['RESERVED', 'WAITLISTED'] }))
      .rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('reviewer') });
    expect((await ledger.getAward('A-00004'))!.status).toBe('RETURNED');
    await expect(cancelAward(ledger, clock, { award_id: 'A-00005', reason: 'x', by: 'clerk', may_cancel: ['RESERVED', 'WAITLISTED'] }))
      .rejects.toMatchObject({ code: 'NOT_CANCELLABLE' }); // BATCHED in the run: nobody cancels it
    await expect(cancelAward(ledger, clock, { award_id: 'A-00001', reason: 'x', by: 'reviewer' })).rejects.toMatchObject({ code: 'NOT_CANCELLABLE' }); // PAID
  });

  test('a released award is RESERVED again and cancels as such (its importer may cancel it then: the release was the second pair of eyes)', async () => {
    await releaseFailed({ runs, clock }, { run_id: RUN, by: 'reviewer', award_id: 'A-00004' });
    const result = await cancelAward(ledger, clock, { award_id: 'A-00004', reason: 'withdrawn', by: 'finance-b' });
    expect(result.award.status).toBe('CANCELLED');
    expect(await envelope()).toMatchObject({ returned_fen: 0, reserved_fen: 0, available_fen: 40_000 });
  });

  test('crash after the write, before serving the queue: running it again serves the queue', async () => {
    await waitlist400(6);
    const award = (await ledger.getAward('A-00004'))!;
    // The cancellation's transaction lands, then the process dies.
    expect(await ledger.cancelReturned(award, { at: clock.now(), status: 'CANCELLED', by: 'reviewer', note: 'dissolved' })).toEqual({ ok: true });
    expect(await envelope()).toMatchObject({ available_fen: 40_000, waitlisted_count: 1 });

    const rerun = await cancelAward(ledger, clock, { award_id: 'A-00004', reason: 'dissolved', by: 'reviewer' });

    expect(rerun).toMatchObject({ changed: false, drained: ['A-00006'] });
    expect(await envelope()).toMatchObject({ available_fen: 0, waitlisted_count: 0, returned_fen: 0 });
  });

  test('the store refuses a stale award: a write based on an older read changes nothing', async () => {
    const stale = (await ledger.getAward('A-00004'))!;
    await releaseFailed({ runs, clock }, { run_id: RUN, by: 'reviewer', award_id: 'A-00004' });
    const before = await envelope();
    const result = await ledger.cancelReturned(stale, { at: clock.now(), status: 'CANCELLED', by: 'reviewer', note: 'late' });
    expect(result.ok).toBe(false);
    expect(await envelope()).toEqual(before);
    expect((await ledger.getAward('A-00004'))!.status).toBe('RESERVED');
  });

  test('concurrent deciders: two cancels and a release race; exactly one decides, the money moves once', async () => {
    const cancels = Promise.allSettled([
      cancelAward(ledger, clock, { award_id: 'A-00004', reason: 'a', by: 'reviewer-a' }),
      cancelAward(ledger, clock, { award_id: 'A-00004', reason: 'b', by: 'reviewer-b' }),
    ]);
    const release = Promise.allSettled([releaseFailed({ runs, clock }, { run_id: RUN, by: 'reviewer-c', award_id: 'A-00004' })]);
    const cancelsChanged = (await cancels).filter((o) => o.status === 'fulfilled' && o.value.changed).length;
    const [r] = await release;
    const released = r!.status === 'fulfilled' && r!.value.released === 1;
    const award = (await ledger.getAward('A-00004'))!;
    const e = await envelope();
    expect(balanced(e)).toBe(true);
    expect(e.returned_fen).toBe(0);
    if (released) {
      // The release won: the award went RESERVED and a cancel may then have cancelled it as RESERVED.
      expect(['RESERVED', 'CANCELLED']).toContain(award.status);
      expect(award.history.filter((h) => h.status === 'CANCELLED')).toHaveLength(award.status === 'CANCELLED' ? 1 : 0);
    } else {
      expect(cancelsChanged).toBe(1);
      expect(award.status).toBe('CANCELLED');
      expect(e.available_fen).toBe(40_000);
    }
    expect((await runItem('A-00004')).released_at).toBeDefined();
  });

  test('a store that disagrees with the award is named, not retried forever, and nothing changes', async () => {
    // The envelope says less money is returned than the award holds (a hand edit, a bad repair).
    await table.doc.send(new UpdateCommand({
      TableName: table.tableName, Key: { pk: envelopePk(key), sk: ENVELOPE_SK },
      UpdateExpression: 'SET returned_fen = :z', ExpressionAttributeValues: { ':z': 0 },
    }));
    const before = await envelope();
    await expect(cancelAward(ledger, clock, { award_id: 'A-00004', reason: 'x', by: 'reviewer' })).rejects.toMatchObject({ code: 'ENVELOPE_INCONSISTENT' });
    expect(await envelope()).toEqual(before);
    expect((await ledger.getAward('A-00004'))!.status).toBe('RETURNED');

    // The run item says the failure was decided already, yet the award is still RETURNED.
    await table.doc.send(new UpdateCommand({
      TableName: table.tableName, Key: { pk: envelopePk(key), sk: ENVELOPE_SK },
      UpdateExpression: 'SET returned_fen = :r', ExpressionAttributeValues: { ':r': 40_000 },
    }));
    await table.doc.send(new UpdateCommand({
      TableName: table.tableName, Key: { pk: runPk(RUN), sk: runItemSk('A-00004') },
      UpdateExpression: 'SET released_at = :t, released_by = :b', ExpressionAttributeValues: { ':t': '2025-05-01T00:00:00Z', ':b': 'someone' },
    }));
    await expect(cancelAward(ledger, clock, { award_id: 'A-00004', reason: 'x', by: 'reviewer' })).rejects.toMatchObject({ code: 'RUN_ITEM_INCONSISTENT' });
    expect((await ledger.getAward('A-00004'))!.status).toBe('RETURNED');
    expect((await envelope()).returned_fen).toBe(40_000);
  });
});
