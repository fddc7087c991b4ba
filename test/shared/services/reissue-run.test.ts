/**
 * Issue 13 findings 1, 2, 3, 4 and 6 on the real adapters (DynamoDB Local): a run is exported once;
 * a second file is an explicit re-issue of the unsettled payments, approved by a second person;
 * approval binds the content digest; the manifest is signed and verified; a FAILED payment is
 * RETURNED until a second person releases it.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeEach, describe, expect, test } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { freshTable, type TestTable } from '../../support/dynamo.ts';
import { awardFields, ledgerOn, tickingClock } from '../../support/records.ts';
import { budget, reserve, runStoreOn } from '../../support/runs.ts';
import type { DynamoLedger } from '../../../shared/adapters/dynamo/dynamo-ledger.ts';
import type { DynamoRunStore } from '../../../shared/adapters/dynamo/dynamo-run-store.ts';
import { LocalDirSink } from '../../../shared/adapters/files/local-dir-sink.ts';
import { LocalEd25519Signer } from '../../../shared/adapters/crypto/local-ed25519-signer.ts';
import { prepareRun } from '../../../shared/services/prepare-run.ts';
import { approveRun } from '../../../shared/services/approve-run.ts';
import { exportRun } from '../../../shared/services/export-run.ts';
import { reissueRun } from '../../../shared/services/reissue-run.ts';
import { releaseFailed } from '../../../shared/services/release-failed.ts';
import { resultRowsFromFile, settleRun } from '../../../shared/services/settle-run.ts';
import { verifyExport } from '../../../shared/services/verify-export.ts';
import type { Clock } from '../../../shared/services/clock.ts';

const tables: TestTable[] = [];
let table: TestTable;
let ledger: DynamoLedger;
let runs: DynamoRunStore;
let clock: Clock;
let signer: LocalEd25519Signer;
const RUN = 'RUN-2025-04';
const key = { measure: 7, fiscal_year: 2025 };

beforeEach(async () => {
  table = await freshTable();
  tables.push(table);
  ledger = ledgerOn(table);
  runs = runStoreOn(table);
  clock = tickingClock();
  signer = LocalEd25519Signer.inDataDir(tmp('key'));
  await budget(ledger, clock, 7, 2025, 10_000);
  await reserve(ledger, clock, [1, 2, 3, 4].map((n) => awardFields(n, { approved_date: `2025-04-0${n}`, amount_yuan: `${n}00` })));
  await prepareRun({ ledger, runs, clock }, { period: '2025-04', by: 'maker' });
});
afterAll(async () => { await Promise.all(tables.map((t) => t.drop())); });

function tmp(name: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `bursar-integrity-${name}-`));
}
const exportTo = (dir: string) => exportRun({ runs, clock, sink: new LocalDirSink(dir), signer }, { run_id: RUN });
function results(dir: string, lines: string[], header = 'award_id,status,reference,reason,amount_yuan'): string {
  const file = path.join(dir, `results-${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(file, `${header}\n${lines.join('\n')}\n`);
  return file;
}
const settle = (file: string, by = 'importer') => settleRun({ runs, clock }, { run_id: RUN, rows: resultRowsFromFile(file), by });
const csvAwards = (file: string) => (parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as string[][]).slice(1).map((r) => r[2]);
const verify = (dir: string) => verifyExport({ runs, signer }, { run_id: RUN, read: async (n) => readFile(path.join(dir, n)).catch(() => undefined) });
const envelope = async () => (await ledger.getEnvelope(key))!;

describe('finding 1: exported once; a re-issue holds only unsettled payments and needs a second approval', () => {
  test('after settlement a second export is refused and writes nothing; the re-issue leaves out PAID and FAILED payments', async () => {
    await approveRun({ runs, clock }, { run_id: RUN, by: 'checker' });
    const first = tmp('first');
    await exportTo(first);
    await settle(results(first, ['A-00001,PAID,B1,,100.00', 'A-00002,FAILED,,account closed,200.00']));

    const again = tmp('again');
    await expect(exportTo(again)).rejects.toMatchObject({ code: 'ALREADY_EXPORTED' });
    expect(readdirSync(again)).toEqual([]);

    const asked = await reissueRun({ runs, clock }, { run_id: RUN, reason: 'bank lost the file', by: 'clerk-a' });
    expect(asked.reissue).toMatchObject({ number: 1, award_count: 2, total_fen: 70000, requested_by: 'clerk-a' });
    // Not exportable until a second person approves it; the re-issuer may not.
    await expect(exportTo(again)).rejects.toMatchObject({ code: 'NOT_APPROVED' });
    await expect(approveRun({ runs, clock }, { run_id: RUN, by: ' CLERK-A ' })).rejects.toMatchObject({ code: 'SAME_PERSON' });
    await expect(approveRun({ runs, clock }, { run_id: RUN, by: 'checker', digest: `sha256:${'0'.repeat(64)}` })).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    const approved = await approveRun({ runs, clock }, { run_id: RUN, by: 'checker', digest: asked.reissue!.digest });
    expect(approved.run.reissue).toMatchObject({ approved_by: 'checker' });

    const out = await exportTo(again);
    expect(out.reissue).toBe(1);
    expect(path.basename(out.files[0]!)).toBe(`${RUN}-R1-payments.csv`);
    expect(csvAwards(out.files[0]!)).toEqual(['A-00003', 'A-00004']);
    const manifest = JSON.parse(readFileSync(out.manifest, 'utf8'));
    expect(manifest).toMatchObject({ approved_by: 'checker', approved_digest: asked.reissue!.digest, reissue: { number: 1, supersedes: [`${RUN}-payments.csv`] } });
    // Once exported, the re-issue is not exported again.
    await expect(exportTo(tmp('third'))).rejects.toMatchObject({ code: 'ALREADY_EXPORTED' });
  });

  test('a settled run cannot be re-issued (NOTHING_TO_REISSUE); nor a run not yet exported', async () => {
    await expect(reissueRun({ runs, clock }, { run_id: RUN, reason: 'x', by: 'clerk-a' })).rejects.toMatchObject({ code: 'NOT_EXPORTED' });
    await approveRun({ runs, clock }, { run_id: RUN, by: 'checker' });
    const dir = tmp('settled');
    await exportTo(dir);
    await settle(results(dir, ['A-00001,PAID,B1,,100.00', 'A-00002,PAID,B2,,200.00', 'A-00003,PAID,B3,,300.00', 'A-00004,FAILED,,closed,400.00']));
    await expect(reissueRun({ runs, clock }, { run_id: RUN, reason: 'again', by: 'clerk-a' })).rejects.toMatchObject({ code: 'NOTHING_TO_REISSUE' });
  });
});

describe('finding 2: approval is bound to the digest of the payment rows', () => {
  test('run show carries the digest; a stale digest is refused; a payee changed after approval is refused at export', async () => {
    const run = (await runs.getRun(RUN))!;
    expect(run.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    await expect(approveRun({ runs, clock }, { run_id: RUN, by: 'checker', digest: `sha256:${'1'.repeat(64)}` })).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    expect((await runs.getRun(RUN))!.status).toBe('PREPARED');
    await approveRun({ runs, clock }, { run_id: RUN, by: 'checker', digest: run.digest! });

    // Tamper: the payee account of a run item changes after approval.
    await table.doc.send(new UpdateCommand({
      TableName: table.tableName, Key: { pk: `RUN#${RUN}`, sk: 'ITEM#A-00003' },
      UpdateExpression: 'SET payee_account = :a', ExpressionAttributeValues: { ':a': '6222000011112222333' },
    }));
    const dir = tmp('tampered');
    await expect(exportTo(dir)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    expect(readdirSync(dir)).toEqual([]);
    expect((await runs.getRun(RUN))!.status).toBe('APPROVED');
  });

  test('the manifest carries the approved digest, approver and time', async () => {
    const { run } = await approveRun({ runs, clock }, { run_id: RUN, by: 'checker' });
    const out = await exportTo(tmp('manifest'));
    expect(JSON.parse(readFileSync(out.manifest, 'utf8'))).toMatchObject({ approved_digest: run.digest, approved_by: 'checker', approved_at: run.approved_at });
  });
});

describe('finding 3: signed manifest, verify', () => {
  test('verify passes on the exported files and names a swapped file', async () => {
    await approveRun({ runs, clock }, { run_id: RUN, by: 'checker' });
    const dir = tmp('verify');
    const out = await exportTo(dir);
    expect(await verify(dir)).toMatchObject({ ok: true, differences: [] });

    const csv = readFileSync(out.files[0]!, 'utf8');
    writeFileSync(out.files[0]!, csv.replace('6217000000000003', '6222000011112222'));
    const swapped = await verify(dir);
    expect(swapped.ok).toBe(false);
    expect(swapped.differences).toEqual([expect.objectContaining({ file: `${RUN}-payments.csv`, problem: 'SHA256_DIFFERS' })]);

    // A manifest rewritten to match the swapped file no longer carries a valid signature.
    const manifest = JSON.parse(readFileSync(out.manifest, 'utf8'));
    manifest.files[0].sha256 = (await import('node:crypto')).createHash('sha256').update(readFileSync(out.files[0]!)).digest('hex');
    writeFileSync(out.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
    expect((await verify(dir)).differences).toEqual([expect.objectContaining({ file: `${RUN}-manifest.json`, problem: 'BAD_SIGNATURE' })]);
  });
});

describe('finding 4: RETURNED until a second person releases', () => {
  test('FAILED → RETURNED with returned_fen; the importer may not release; a reviewer releases to RESERVED for the next run', async () => {
    await approveRun({ runs, clock }, { run_id: RUN, by: 'checker' });
    const dir = tmp('returned');
    await exportTo(dir);
    const result = await settle(results(dir, ['A-00002,FAILED,,account closed,200.00']), 'importer');
    expect(result.warnings).toBeUndefined();
    expect((await ledger.getAward('A-00002'))!.status).toBe('RETURNED');
    expect(await envelope()).toMatchObject({ returned_fen: 20000, batched_fen: 80000, reserved_fen: 0 });
    // Not taken by the next run while RETURNED.
    await expect(prepareRun({ ledger, runs, clock }, { period: '2025-05', by: 'maker' })).rejects.toMatchObject({ code: 'NOTHING_TO_PAY' });

    await expect(releaseFailed({ runs, clock }, { run_id: RUN, by: 'Importer' })).rejects.toMatchObject({ code: 'SAME_PERSON' });
    const released = await releaseFailed({ runs, clock }, { run_id: RUN, by: 'reviewer', award_id: 'A-00002' });
    expect(released).toMatchObject({ released: 1, released_fen: 20000, award_ids: ['A-00002'] });
    expect(await envelope()).toMatchObject({ returned_fen: 0, reserved_fen: 20000 });
    await expect(releaseFailed({ runs, clock }, { run_id: RUN, by: 'reviewer' })).rejects.toMatchObject({ code: 'NOTHING_TO_RELEASE' });
    const next = await prepareRun({ ledger, runs, clock }, { period: '2025-05', by: 'maker' });
    expect(next.run).toMatchObject({ award_count: 1, total_fen: 20000 });
  });

  test('a results file whose amount differs is refused whole; the old four-column format is read with a warning', async () => {
    await approveRun({ runs, clock }, { run_id: RUN, by: 'checker' });
    const dir = tmp('amounts');
    await exportTo(dir);
    const before = await envelope();
    await expect(settle(results(dir, ['A-00001,PAID,B1,,100.00', 'A-00002,PAID,B2,,2000.00']))).rejects.toMatchObject({
      code: 'AMOUNT_MISMATCH', context: { problems: [expect.objectContaining({ line: 3, award_id: 'A-00002', code: 'AMOUNT_MISMATCH' })] },
    });
    expect(await envelope()).toEqual(before);
    // amount_yuan anywhere in the header
    const moved = await settle(results(dir, ['100.00,A-00001,PAID,B1,'], 'amount_yuan,award_id,status,reference,reason'));
    expect(moved).toMatchObject({ paid: 1 });
    expect(moved.warnings).toBeUndefined();
    const old = await settle(results(dir, ['A-00002,PAID,B2,'], 'award_id,status,reference,reason'));
    expect(old).toMatchObject({ paid: 1, warnings: [expect.stringContaining('amount_yuan')] });
  });
});

describe('finding 6: four eyes by person, sealer included', () => {
  test('a prepare resumed and sealed by a second person: neither may approve', async () => {
    const t2 = await freshTable();
    tables.push(t2);
    const l2 = ledgerOn(t2);
    const r2 = runStoreOn(t2);
    await budget(l2, clock, 7, 2025, 10_000);
    await reserve(l2, clock, [awardFields(1, { approved_date: '2025-04-01' })]);
    // The first prepare stops before sealing: the run header is created, then the process dies.
    await r2.createRun({ run_id: RUN, period: '2025-04', through_date: '2025-04-30', batch_size: 500, prepared_by: 'maker', prepared_at: clock.now() });
    const resumed = await prepareRun({ ledger: l2, runs: r2, clock }, { period: '2025-04', by: 'sealer' });
    expect(resumed.run).toMatchObject({ prepared_by: 'maker', sealed_by: 'sealer', status: 'PREPARED' });
    await expect(approveRun({ runs: r2, clock }, { run_id: RUN, by: 'SEALER' })).rejects.toMatchObject({ code: 'SAME_PERSON' });
    await expect(approveRun({ runs: r2, clock }, { run_id: RUN, by: 'maker' })).rejects.toMatchObject({ code: 'SAME_PERSON' });
    await expect(approveRun({ runs: r2, clock }, { run_id: RUN, by: 'checker' })).resolves.toMatchObject({ changed: true });
  });
});
