import { fiscalSummary } from '../../../shared/services/fiscal-summary.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, test } from '@jest/globals';
import { freshTable, type TestTable } from '../../support/dynamo.ts';
import { awardFields, ledgerOn } from '../../support/records.ts';
import { budget, clockAt, reserve, runStoreOn } from '../../support/runs.ts';
import type { DynamoLedger } from '../../../shared/adapters/dynamo/dynamo-ledger.ts';
import { DynamoRecoveries } from '../../../shared/adapters/dynamo/dynamo-recoveries.ts';
import { DynamoYearClose } from '../../../shared/adapters/dynamo/dynamo-year-close.ts';
import { DynamoReconciliationStore } from '../../../shared/adapters/dynamo/dynamo-reconciliation-store.ts';
import { LocalDirSink } from '../../../shared/adapters/files/local-dir-sink.ts';
import { prepareRun } from '../../../shared/services/prepare-run.ts';
import { approveRun } from '../../../shared/services/approve-run.ts';
import { exportRun } from '../../../shared/services/export-run.ts';
import { resultRowsFromFile, settleRun } from '../../../shared/services/settle-run.ts';
import { checkLedger } from '../../../shared/services/reconcile.ts';
import { cancelRecovery, openRecovery, settleRecovery, type RecoveryDeps } from '../../../shared/services/recoveries.ts';
import { approveYearClose, proposeYearClose } from '../../../shared/services/year-close.ts';
import { processIntake } from '../../../shared/services/intake.ts';
import { BursarError } from '../../../shared/domain/errors.ts';
import type { Recovery } from '../../../shared/domain/recovery.ts';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../../shared/services/clock.ts';

const tables: TestTable[] = [];
let table: TestTable;
let ledger: DynamoLedger;
let clock: Clock;
let deps: RecoveryDeps;

beforeEach(async () => {
  table = await freshTable();
  tables.push(table);
  ledger = ledgerOn(table);
  clock = clockAt('2025-05-10T02:00:00Z');
  const runs = runStoreOn(table);
  deps = { ledger, clock, recoveries: new DynamoRecoveries(table.doc, table.tableName) };
  await budget(ledger, clock, 7, 2025, 3_000);
  await reserve(ledger, clock, [1, 2].map((n) => awardFields(n, { approved_date: `2025-04-0${n}`, amount_yuan: '1000.00' })));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bursar-recover-'));
  await prepareRun({ ledger, runs, clock }, { period: '2025-04', by: 'maker' });
  await approveRun({ runs, clock }, { run_id: 'RUN-2025-04', by: 'checker' });
  await exportRun({ runs, clock, sink: new LocalDirSink(dir) }, { run_id: 'RUN-2025-04' });
  const file = path.join(dir, 'results.csv');
  writeFileSync(file, 'award_id,status,reference,reason\nA-00001,PAID,B1,\nA-00002,PAID,B2,\n');
  await settleRun({ runs, clock }, { run_id: 'RUN-2025-04', rows: resultRowsFromFile(file), by: 'fin' });
});
afterAll(async () => { await Promise.all(tables.map((t) => t.drop())); });

async function refusal(p: Promise<unknown>): Promise<string> {
  try { await p; } catch (e) { if (e instanceof BursarError) return e.code; throw e; }
  return 'NONE';
}
const clean = async () => (await checkLedger({ ledger, store: new DynamoReconciliationStore(table.doc, table.tableName), runs: runStoreOn(table), clock })).report;

describe('recoveries', () => {
  test('open within what was paid; settle into the open year returns money to available and serves the queue; cancel frees the claim', async () => {
    const r1 = await openRecovery(deps, { award_id: 'A-00001', amount_fen: 60_000, reason: '重复申报', by: 'fin-li' });
    expect(r1).toMatchObject({ recovery_id: 'REC-A-00001-1', status: 'DUE', amount_fen: 60_000, fiscal_year: 2025 });
    expect(await refusal(openRecovery(deps, { award_id: 'A-00001', amount_fen: 40_001, reason: 'x', by: 'y' }))).toBe('RECOVERY_EXCEEDS_PAID');
    const r2 = await openRecovery(deps, { award_id: 'A-00001', amount_fen: 40_000, reason: 'x', by: 'y' });
    expect(r2.recovery_id).toBe('REC-A-00001-2');
    expect(await cancelRecovery(deps, { recovery_id: r2.recovery_id, reason: 'dropped', by: 'y' })).toMatchObject({ changed: true, recovery: { status: 'CANCELLED' } });
    expect((await cancelRecovery(deps, { recovery_id: r2.recovery_id, reason: 'dropped', by: 'y' })).changed).toBe(false);
    expect(await refusal(settleRecovery(deps, { recovery_id: r2.recovery_id, reference: 'R', by: 'y' }))).toBe('NOT_DUE');

    // An award waits for 1,500 yuan; the envelope has 1,000 available.
    const settled = await processIntake({ ledger, clock }, new Map([['m', { submission_id: 's', line: 2, record: awardFields(3, { amount_yuan: '1500.00' }) }]]));
    expect([...settled.values()][0]).toMatchObject({ ok: true, result: { outcome: 'WAITLISTED' } });
    const s = await settleRecovery(deps, { recovery_id: r1.recovery_id, reference: 'BANK-9', by: 'fin-li' });
    expect(s).toMatchObject({ changed: true, drained: ['A-00003'], recovery: { status: 'SETTLED', settled_to: 'ENVELOPE', reference: 'BANK-9' } });
    expect(await ledger.getEnvelope({ measure: 7, fiscal_year: 2025 })).toMatchObject({ paid_fen: 140_000, reserved_fen: 150_000, available_fen: 10_000, refunded_fen: 60_000 });
    // The summary: paid as the envelope shows it, recovered, and net paid.
    expect((await fiscalSummary({ ledger, runs: runStoreOn(table) }, 2025)).measures.find((m) => m.measure === 7))
      .toMatchObject({ paid_fen: 140_000, recovered_fen: 60_000, net_paid_fen: 140_000 });
    expect(await ledger.getAward('A-00001')).toMatchObject({ status: 'PAID', recovery_claimed_fen: 60_000, recovered_fen: 60_000, refunded_fen: 60_000 });
    expect((await settleRecovery(deps, { recovery_id: r1.recovery_id, reference: 'BANK-9', by: 'fin-li' })).changed).toBe(false);
    expect(await refusal(openRecovery(deps, { award_id: 'A-00001', amount_fen: 40_001, reason: 'x', by: 'y' }))).toBe('RECOVERY_EXCEEDS_PAID');
    expect(await refusal(openRecovery(deps, { award_id: 'A-00003', amount_fen: 1, reason: 'x', by: 'y' }))).toBe('NOT_PAID');
    expect((await deps.recoveries.list({ status: 'DUE' }))).toEqual([]);
    expect((await deps.recoveries.list({ award_id: 'A-00001' })).map((r) => r.status)).toEqual(['SETTLED', 'CANCELLED']);
    const report = await clean();
    expect(report.mismatches).toEqual([]);
    expect(report.clean).toBe(true);
  });

  test('settled after the year closed: to the treasury, recorded as the closed year recovered_fen, nothing reopens', async () => {
    const r = await openRecovery(deps, { award_id: 'A-00002', amount_fen: 25_000, reason: '虚报', by: 'fin-li' });
    const yc = { ledger, clock, runs: runStoreOn(table), closes: new DynamoYearClose(table.doc, table.tableName, 10) };
    await proposeYearClose(yc, { fiscal_year: 2025, by: 'a' });
    await approveYearClose(yc, { fiscal_year: 2025, by: 'b' });
    const s = await settleRecovery(deps, { recovery_id: r.recovery_id, reference: '缴库-1', by: 'fin-li' });
    expect(s).toMatchObject({ changed: true, drained: [], recovery: { settled_to: 'TREASURY' } });
    expect(await ledger.getEnvelope({ measure: 7, fiscal_year: 2025 })).toMatchObject({
      status: 'CLOSED', paid_fen: 200_000, available_fen: 0, lapsed_fen: 100_000, recovered_fen: 25_000,
    });
    expect((await fiscalSummary({ ledger, runs: runStoreOn(table) }, 2025)).measures.find((m) => m.measure === 7))
      .toMatchObject({ paid_fen: 200_000, recovered_fen: 25_000, net_paid_fen: 175_000, lapsed_fen: 100_000 });
    const report = await clean();
    expect(report.mismatches).toEqual([]);
  });
});

/** The store applies the first open, then its reply is lost: the operator sees an error and runs the command again. */
class LostReply extends DynamoRecoveries {
  lost = 0;
  override async open(...args: Parameters<DynamoRecoveries['open']>): ReturnType<DynamoRecoveries['open']> {
    const outcome = await super.open(...args);
    if (this.lost++ === 0) throw Object.assign(new Error('socket hang up after the write'), { name: 'TimeoutError' });
    return outcome;
  }
}

/** ...and the recoveries' list index (GSI2, eventually consistent) has not caught up with it: the store itself is real. */
class IndexBehind extends LostReply {
  override async list(): Promise<Recovery[]> { return []; }
}

describe('recover open, run again after a lost reply (found by the property model)', () => {
  test('run again before the list index caught up: the consistent read of the award and its recoveries finds the first claim', async () => {
    const behind = { ...deps, recoveries: new IndexBehind(table.doc, table.tableName) };
    const cmd = { award_id: 'A-00001', amount_fen: 40_000, reason: '重复申报', by: 'fin-li' }; // part of it: a second claim would fit
    await expect(openRecovery(behind, cmd)).rejects.toThrow('socket hang up');
    const again = await openRecovery(behind, cmd);
    expect(again).toMatchObject({ recovery_id: 'REC-A-00001-1', status: 'DUE', amount_fen: 40_000 });
    expect((await deps.recoveries.list({ award_id: 'A-00001' })).map((r) => r.recovery_id)).toEqual(['REC-A-00001-1']);
    expect(await ledger.getAward('A-00001')).toMatchObject({ recovery_claimed_fen: 40_000, recovery_count: 1 });
    // Another claim, with the index still behind, is the award's second.
    expect((await openRecovery(behind, { ...cmd, amount_fen: 10_000 })).recovery_id).toBe('REC-A-00001-2');
    expect(await ledger.getAward('A-00001')).toMatchObject({ recovery_claimed_fen: 50_000, recovery_count: 2 });
    expect((await clean()).clean).toBe(true);
  });

  test('the same command twice at once: one claim, both answered with it', async () => {
    const cmd = { award_id: 'A-00002', amount_fen: 30_000, reason: '虚报', by: 'fin-li' };
    const [a, b] = await Promise.all([openRecovery(deps, cmd), openRecovery(deps, cmd)]);
    expect(a.recovery_id).toBe('REC-A-00002-1');
    expect(b.recovery_id).toBe('REC-A-00002-1');
    expect(await ledger.getAward('A-00002')).toMatchObject({ recovery_claimed_fen: 30_000, recovery_count: 1 });
  });

  test('an award whose recoveries were opened before the count was kept: found through the index, numbered after them, never reusing an id', async () => {
    const cmd = { award_id: 'A-00001', amount_fen: 20_000, reason: '重复申报', by: 'fin-li' };
    await openRecovery(deps, cmd);
    const legacy = async () => table.doc.send(new UpdateCommand({ TableName: table.tableName, Key: { pk: 'AWARD#A-00001', sk: 'AWARD' }, UpdateExpression: 'REMOVE recovery_count' }));
    await legacy();
    // The same command again: the index lists the earlier claim.
    expect((await openRecovery(deps, cmd)).recovery_id).toBe('REC-A-00001-1');
    // A new claim is numbered after what the index lists, and from then on the award keeps the count.
    expect((await openRecovery(deps, { ...cmd, amount_fen: 5_000 })).recovery_id).toBe('REC-A-00001-2');
    expect(await ledger.getAward('A-00001')).toMatchObject({ recovery_claimed_fen: 25_000, recovery_count: 2 });
    // With the count kept, the index is not needed to find the first claim again.
    const behind = { ...deps, recoveries: new IndexBehind(table.doc, table.tableName) };
    behind.recoveries.lost = 1;
    expect((await openRecovery(behind, cmd)).recovery_id).toBe('REC-A-00001-1');
    // Without the count and with the index behind, the numbers it cannot see are found taken by the put's condition and skipped.
    await legacy();
    expect((await openRecovery(behind, { ...cmd, amount_fen: 1_000 })).recovery_id).toBe('REC-A-00001-3');
    expect(await ledger.getAward('A-00001')).toMatchObject({ recovery_claimed_fen: 26_000, recovery_count: 3 });
    expect((await deps.recoveries.list({ award_id: 'A-00001' })).map((r) => r.recovery_id).sort()).toEqual(['REC-A-00001-1', 'REC-A-00001-2', 'REC-A-00001-3']);
    expect((await clean()).clean).toBe(true);
  });

  test('the same command again the same day returns the recovery it opened: one claim, not two', async () => {
    // The store applies the first open, then the reply is lost: the operator sees an error and runs it again.
    const flaky = { ...deps, recoveries: new LostReply(table.doc, table.tableName) };
    const cmd = { award_id: 'A-00001', amount_fen: 100_000, reason: '重复申报', by: 'fin-li' }; // all of it: a re-run is not a second claim either
    await expect(openRecovery(flaky, cmd)).rejects.toThrow('socket hang up');
    const again = await openRecovery(flaky, cmd);
    expect(again).toMatchObject({ recovery_id: 'REC-A-00001-1', status: 'DUE', amount_fen: 100_000 });
    expect((await deps.recoveries.list({ award_id: 'A-00001' })).map((r) => r.recovery_id)).toEqual(['REC-A-00001-1']);
    expect(await ledger.getAward('A-00001')).toMatchObject({ recovery_claimed_fen: 100_000 });
    // Another claim (another amount or reason) is a new one: against nothing left, refused.
    expect(await refusal(openRecovery(deps, { ...cmd, amount_fen: 20_000 }))).toBe('RECOVERY_EXCEEDS_PAID');
    await cancelRecovery(deps, { recovery_id: 'REC-A-00001-1', reason: 'dropped', by: 'fin-li' });
    // Cancelled, the same command opens a new claim.
    expect((await openRecovery(deps, cmd)).recovery_id).toBe('REC-A-00001-2');
    expect((await clean()).clean).toBe(true);
  });
});
