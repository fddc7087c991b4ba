import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, test } from '@jest/globals';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { strFromU8, unzipSync } from 'fflate';
import { freshTable, type TestTable } from '../../support/dynamo.ts';
import { awardFields, ledgerOn, tickingClock } from '../../support/records.ts';
import { budget, reserve, runStoreOn } from '../../support/runs.ts';
import type { DynamoLedger } from '../../../shared/adapters/dynamo/dynamo-ledger.ts';
import type { DynamoRunStore } from '../../../shared/adapters/dynamo/dynamo-run-store.ts';
import { LocalDirSink } from '../../../shared/adapters/files/local-dir-sink.ts';
import { prepareRun } from '../../../shared/services/prepare-run.ts';
import { approveRun } from '../../../shared/services/approve-run.ts';
import { exportRun, type Manifest } from '../../../shared/services/export-run.ts';
import { PAYMENT_HEADERS_BILINGUAL } from '../../../shared/domain/payment-file.ts';
import type { Clock } from '../../../shared/services/clock.ts';

const tables: TestTable[] = [];
let ledger: DynamoLedger;
let runs: DynamoRunStore;
let clock: Clock;
let outDir: string;

beforeEach(async () => {
  const table = await freshTable();
  tables.push(table);
  ledger = ledgerOn(table);
  runs = runStoreOn(table);
  clock = tickingClock();
  outDir = mkdtempSync(path.join(os.tmpdir(), 'bursar-export-test-'));
  await budget(ledger, clock, 7, 2025, 100_000);
  await budget(ledger, clock, 9, 2025, 100_000);
  await reserve(ledger, clock, [
    awardFields(1, { recipient_name: '=HYPERLINK("http://evil.example","点击")', amount_yuan: '1234.5' }),
    awardFields(2, { payee_bank: '+86 中国银行', approved_date: '2025-04-02' }),
    awardFields(3, { recipient_name: '@SUM(1,2)', approved_date: '2025-04-03' }),
    awardFields(4, { recipient_name: '-2+3, "引号" 公司', approved_date: '2025-04-04', approving_unit: 'IPC' }),
    awardFields(5, { measure: '9', amount_yuan: '0.01' }),
  ]);
  await prepareRun({ ledger, runs, clock }, { period: '2025-04', by: 'maker' }, { batchSize: 2 });
});
afterAll(async () => { await Promise.all(tables.map((t) => t.drop())); });

const exportDeps = () => ({ runs, clock, sink: new LocalDirSink(outDir) });

describe('run export', () => {
  test('refuses a run that is not approved, and writes nothing', async () => {
    await expect(exportRun(exportDeps(), { run_id: 'RUN-2025-04' })).rejects.toMatchObject({ code: 'NOT_APPROVED' });
    expect(readdirSync(outDir)).toEqual([]);
  });

  test('writes the CSV (BOM, one row per payment, full account), the workbook and a manifest with hashes', async () => {
    await approveRun({ runs, clock }, { run_id: 'RUN-2025-04', by: 'checker' });

    const result = await exportRun(exportDeps(), { run_id: 'RUN-2025-04' });

    expect(result.files.map((f) => path.basename(f))).toEqual(['RUN-2025-04-payments.csv', 'RUN-2025-04-payments.xlsx']);
    expect(path.basename(result.manifest)).toBe('RUN-2025-04-manifest.json');
    expect(readdirSync(outDir).sort()).toEqual(['RUN-2025-04-manifest.json', 'RUN-2025-04-payments.csv', 'RUN-2025-04-payments.xlsx']);
    expect((await runs.getRun('RUN-2025-04'))!.status).toBe('EXPORTED');

    const csvBytes = readFileSync(result.files[0]!);
    expect([...csvBytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csvText = csvBytes.subarray(3).toString('utf8');
    expect(csvText.split('\r\n')).toHaveLength(7); // header, 5 payments, CRLF after each
    expect(csvText.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);
    expect(csvText.split('\r\n')[4]).toBe(`RUN-2025-04-M07-IPC-001,1,A-00004,"'-2+3, ""引号"" 公司",中国银行宁波奉化支行,6217000000000004,1000.00,奉政办发〔2025〕2号第7条奖补资金：支持产业有效投资和设备更新`);
    const rows: string[][] = parse(csvText);
    expect(rows[0]).toEqual(['batch_id', 'seq', 'award_id', 'payee_name', 'payee_bank', 'payee_account', 'amount_yuan', 'purpose']);
    expect(rows.slice(1).map((r) => [r[0], r[1], r[2]])).toEqual([
      ['RUN-2025-04-M07-EITB-001', '1', 'A-00001'],
      ['RUN-2025-04-M07-EITB-001', '2', 'A-00002'],
      ['RUN-2025-04-M07-EITB-002', '1', 'A-00003'],
      ['RUN-2025-04-M07-IPC-001', '1', 'A-00004'],
      ['RUN-2025-04-M09-EITB-001', '1', 'A-00005'],
    ]);
    const first = rows[1]!;
    expect(first[5]).toBe('6217000000000001'); // in full, only here
    expect(first[6]).toBe('1234.50');
    expect(first[7]).toContain('奉政办发〔2025〕2号');
    expect(first[7]).toContain('第7条');
    // Formula triggers are neutralised; quoting keeps commas and quotes intact.
    expect(first[3]).toBe(`'=HYPERLINK("http://evil.example","点击")`);
    expect(rows[2]![4]).toBe("'+86 中国银行");
    expect(rows[3]![3]).toBe("'@SUM(1,2)");
    expect(rows[4]![3]).toBe(`'-2+3, "引号" 公司`);
    expect(rows[5]![6]).toBe('0.01');

    const manifest = JSON.parse(readFileSync(result.manifest, 'utf8')) as Manifest;
    expect(manifest.control_totals).toMatchObject({ award_count: 5, total_fen: 423451, total_yuan: '4234.51' });
    expect(manifest.control_totals.batches.map((b) => [b.batch_id.slice(12), b.count, b.total_yuan])).toEqual([
      ['M07-EITB-001', 2, '2234.50'], ['M07-EITB-002', 1, '1000.00'], ['M07-IPC-001', 1, '1000.00'], ['M09-EITB-001', 1, '0.01'],
    ]);
    for (const file of manifest.files) {
      const bytes = readFileSync(path.join(outDir, file.name));
      expect(file.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(file.bytes).toBe(bytes.length);
    }
    expect(manifest).toMatchObject({ prepared_by: 'maker', approved_by: 'checker', policy: '奉政办发〔2025〕2号' });
    expect(readFileSync(result.manifest, 'utf8')).not.toContain('62170000');
  });

  test('the workbook has a summary sheet and one sheet per batch, text neutralised, amounts as numbers', async () => {
    await approveRun({ runs, clock }, { run_id: 'RUN-2025-04', by: 'checker' });
    const result = await exportRun(exportDeps(), { run_id: 'RUN-2025-04' });

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(result.files[1]!);
    expect(workbook.worksheets.map((s) => s.name)).toEqual([
      '汇总 Summary', 'RUN-2025-04-M07-EITB-001', 'RUN-2025-04-M07-EITB-002', 'RUN-2025-04-M07-IPC-001', 'RUN-2025-04-M09-EITB-001',
    ]);
    const batch = workbook.getWorksheet('RUN-2025-04-M07-EITB-001')!;
    const values = (r: number) => (batch.getRow(r).values as unknown[]).slice(1);
    expect(values(1)).toEqual(['奉政办发〔2025〕2号 第7条 支持产业有效投资和设备更新']);
    expect(values(2)).toEqual([...PAYMENT_HEADERS_BILINGUAL]);
    expect(PAYMENT_HEADERS_BILINGUAL.map((_, c) => batch.getRow(2).getCell(c + 1).font?.bold)).toEqual(PAYMENT_HEADERS_BILINGUAL.map(() => true));
    expect(values(3)).toEqual(['RUN-2025-04-M07-EITB-001', 1, 'A-00001', `'=HYPERLINK("http://evil.example","点击")`, '中国银行宁波奉化支行', '6217000000000001', 1234.5, expect.stringContaining('奉政办发〔2025〕2号')]);
    expect(values(4)[4]).toBe("'+86 中国银行");
    expect([batch.getCell('A5').value, batch.getCell('B5').value, batch.getCell('G5').value]).toEqual(['合计 / Total', 2, 2234.5]);
    expect(batch.rowCount).toBe(5);
    // Accounts are text (every digit kept), amounts numbers shown with two decimals.
    expect([batch.getCell('F3').type, batch.getCell('F3').numFmt]).toEqual([ExcelJS.ValueType.String, '@']);
    expect([batch.getCell('B3').type, batch.getCell('G3').type]).toEqual([ExcelJS.ValueType.Number, ExcelJS.ValueType.Number]);
    expect([batch.getCell('G3').numFmt, batch.getCell('G4').numFmt, batch.getCell('G5').numFmt]).toEqual(['#,##0.00', '#,##0.00', '#,##0.00']);
    expect([3, 4].reduce((sum, r) => sum + (batch.getCell(`G${r}`).value as number), 0)).toBeCloseTo(batch.getCell('G5').value as number, 2);
    expect(batch.getColumn(8).width).toBe(60);
    const ipc = workbook.getWorksheet('RUN-2025-04-M07-IPC-001')!;
    expect(ipc.getCell('D3').value).toBe(`'-2+3, "引号" 公司`);
    expect(workbook.getWorksheet('RUN-2025-04-M09-EITB-001')!.getCell('G3').value).toBe(0.01);
    // No cell anywhere holds a formula.
    for (const sheet of workbook.worksheets) sheet.eachRow((row) => row.eachCell((cell) => expect(cell.type).not.toBe(ExcelJS.ValueType.Formula)));

    const summary = workbook.getWorksheet('汇总 Summary')!;
    const summaryRow = (r: number) => (summary.getRow(r).values as unknown[]).slice(1);
    expect(summaryRow(1)).toEqual(['政策文号 / Policy', '奉政办发〔2025〕2号']);
    expect(summaryRow(2)).toEqual(['批次编号 / Run', 'RUN-2025-04']);
    expect(summaryRow(5)).toEqual(['编制人 / Prepared by', 'maker']);
    expect(summaryRow(6)).toEqual(['审核人 / Approved by', 'checker']);
    expect(summaryRow(7)).toEqual(['笔数 / Payments', 5]);
    expect(summaryRow(8)).toEqual(['金额(元) / Total (yuan)', 4234.51]);
    expect(summary.getCell('B8').numFmt).toBe('#,##0.00');
    expect(summaryRow(10)).toEqual(['批 / Batch', '条 / Measure', '单位 / Unit', '笔数 / Count', '金额(元) / Total (yuan)']);
    expect(summary.getCell('A10').font?.bold).toBe(true);
    expect([11, 12, 13, 14].map(summaryRow)).toEqual([
      ['RUN-2025-04-M07-EITB-001', 7, 'EITB', 2, 2234.5], ['RUN-2025-04-M07-EITB-002', 7, 'EITB', 1, 1000],
      ['RUN-2025-04-M07-IPC-001', 7, 'IPC', 1, 1000], ['RUN-2025-04-M09-EITB-001', 9, 'EITB', 1, 0.01],
    ]);
    expect(summary.getCell('E11').numFmt).toBe('#,##0.00');

    // In the package itself: no formula element, and every text cell an inline string.
    const sheets = Object.entries(unzipSync(readFileSync(result.files[1]!))).filter(([name]) => name.startsWith('xl/worksheets/'));
    expect(sheets).toHaveLength(5);
    for (const [, data] of sheets) {
      const xml = strFromU8(data);
      expect(xml).not.toMatch(/<f[\s>]/);
      expect(xml.match(/ t="(?!inlineStr")[^"]*"/g)).toBeNull();
    }
  });

  test('a claim whose reply was lost is given back: the export can be run again at once (found by the property model)', async () => {
    await approveRun({ runs, clock }, { run_id: 'RUN-2025-04', by: 'checker' });
    // The claim is written, then the reply is lost (the store answers with an error).
    const lossy = Object.create(runs, {
      claimExport: { value: async (...args: Parameters<DynamoRunStore['claimExport']>) => { await runs.claimExport(...args); throw new Error('socket hang up'); } },
    }) as DynamoRunStore;
    await expect(exportRun({ runs: lossy, clock, sink: new LocalDirSink(outDir) }, { run_id: 'RUN-2025-04' })).rejects.toThrow('socket hang up');
    expect(readdirSync(outDir)).toEqual([]);
    // Without the give-back this would be EXPORT_IN_PROGRESS for the claim's 15-minute lease.
    const again = await exportRun(exportDeps(), { run_id: 'RUN-2025-04' });
    expect(again.files).toHaveLength(2);
    expect((await runs.getRun('RUN-2025-04'))!.status).toBe('EXPORTED');
  });

  test('a run is exported once: a second export is refused (ALREADY_EXPORTED), writes nothing and changes nothing', async () => {
    await approveRun({ runs, clock }, { run_id: 'RUN-2025-04', by: 'checker' });
    await exportRun(exportDeps(), { run_id: 'RUN-2025-04' });
    const before = await runs.getRun('RUN-2025-04');
    const again = mkdtempSync(path.join(os.tmpdir(), 'bursar-export-again-'));
    await expect(exportRun({ runs, clock, sink: new LocalDirSink(again) }, { run_id: 'RUN-2025-04' })).rejects.toMatchObject({ code: 'ALREADY_EXPORTED' });
    expect(readdirSync(again)).toEqual([]);
    expect(await runs.getRun('RUN-2025-04')).toEqual(before);
  });

  test('exporting into a directory that holds a file of the same name is refused (FILE_EXISTS) unless the sink may overwrite; the run stays APPROVED until then', async () => {
    await approveRun({ runs, clock }, { run_id: 'RUN-2025-04', by: 'checker' });
    writeFileSync(path.join(outDir, 'RUN-2025-04-payments.xlsx'), 'an older file');
    await expect(exportRun(exportDeps(), { run_id: 'RUN-2025-04' })).rejects.toMatchObject({ code: 'FILE_EXISTS' });
    expect(readdirSync(outDir)).toEqual(['RUN-2025-04-payments.xlsx']);
    expect(readFileSync(path.join(outDir, 'RUN-2025-04-payments.xlsx'), 'utf8')).toBe('an older file');
    expect((await runs.getRun('RUN-2025-04'))!.status).toBe('APPROVED');
    const forced = await exportRun({ ...exportDeps(), sink: new LocalDirSink(outDir, { overwrite: true }) }, { run_id: 'RUN-2025-04' });
    expect(readFileSync(forced.files[1]!).subarray(0, 2).toString()).toBe('PK');
    expect((await runs.getRun('RUN-2025-04'))!.status).toBe('EXPORTED');
  });

  test('a batch that does not match its control totals discards the files', async () => {
    await approveRun({ runs, clock }, { run_id: 'RUN-2025-04', by: 'checker' });
    const tampered = Object.create(runs, {
      listBatchPayments: { value: async function* (runId: string, batchId: string) {
        for await (const p of runs.listBatchPayments(runId, batchId)) yield { ...p, amount_fen: p.amount_fen + 1 };
      } },
    });
    await expect(exportRun({ runs: tampered, clock, sink: new LocalDirSink(outDir) }, { run_id: 'RUN-2025-04' })).rejects.toMatchObject({ code: 'CONTROL_TOTALS_MISMATCH' });
    expect(readdirSync(outDir)).toEqual([]);
    expect((await runs.getRun('RUN-2025-04'))!.status).toBe('APPROVED');
  });
});
