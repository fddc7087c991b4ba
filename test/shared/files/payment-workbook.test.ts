/**
 * Issue 13, finding 10: Excel, WPS and LibreOffice read a 19-digit account in a CSV as a number
 * (6.22848E+18) and lose digits on saving. The payment workbook keeps accounts and ids as text cells
 * with the text format, in columns formatted as text; a spreadsheet reader finds every one intact.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, test } from '@jest/globals';
import ExcelJS from 'exceljs';
import type { RunPayment } from '../../../shared/domain/payment-file.ts';
import type { Run } from '../../../shared/domain/run.ts';
import { PaymentWorkbook, SUMMARY_SHEET } from '../../../shared/files/payment-workbook.ts';

const RUN_ID = 'RUN-2025-06';
const BATCHES = [
  { batch_id: `${RUN_ID}-M07-EITB-001`, measure: 7, unit: 'EITB', count: 3, total_fen: 0 },
  { batch_id: `${RUN_ID}-M09-STB-001`, measure: 9, unit: 'STB', count: 2, total_fen: 0 },
];
// 19 digits (above 2^53: a float cannot hold them), leading zeros, and digits-only award ids.
const PAYMENTS: RunPayment[] = [
  ['6228480402564890018', '1000000000000000001'],
  ['6217999999999999999', '0000000000000000002'],
  ['0012345678901234567', '20250600003'],
  ['9007199254740993123', '4'],
  ['6222021001116245702', 'A-00005'],
].map(([account, awardId], i) => {
  const batch = BATCHES[i < 3 ? 0 : 1]!;
  return {
    run_id: RUN_ID, batch_id: batch.batch_id, seq: i < 3 ? i + 1 : i - 2, award_id: awardId!, measure: batch.measure, fiscal_year: 2025,
    unit: batch.unit, approved_date: '2025-06-01', amount_fen: 100_000 + i, payee_name: `企业${i}`, payee_bank: '中国银行', payee_account: account!,
  };
});
for (const b of BATCHES) b.total_fen = PAYMENTS.filter((p) => p.batch_id === b.batch_id).reduce((s, p) => s + p.amount_fen, 0);
const RUN: Run = {
  run_id: RUN_ID, period: '2025-06', status: 'APPROVED', prepared_by: 'maker', prepared_at: '2025-07-01T01:00:00.000Z',
  approved_by: 'checker', approved_at: '2025-07-01T02:00:00.000Z', award_count: 5, total_fen: PAYMENTS.reduce((s, p) => s + p.amount_fen, 0),
  batches: BATCHES, through_date: '2025-06-30',
};

async function workbookBytes(): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const workbook = new PaymentWorkbook(out, RUN);
  for (const batch of BATCHES) {
    workbook.beginBatch(batch);
    for (const p of PAYMENTS.filter((q) => q.batch_id === batch.batch_id)) await workbook.add(p);
    workbook.endBatch(batch);
  }
  await workbook.commit();
  out.end();
  return Buffer.concat(chunks);
}

const expectText = (cell: ExcelJS.Cell, value: string) => {
  expect({ ref: cell.address, value: cell.value, type: cell.type, numFmt: cell.numFmt })
    .toEqual({ ref: cell.address, value, type: ExcelJS.ValueType.String, numFmt: '@' });
};

describe('payment workbook: accounts and ids are text', () => {
  test('a spreadsheet reader finds every 19-digit account and every id intact, as text cells formatted as text', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await workbookBytes()) as unknown as ArrayBuffer);
    const found: string[] = [];
    for (const batch of BATCHES) {
      const sheet = workbook.getWorksheet(batch.batch_id)!;
      const payments = PAYMENTS.filter((p) => p.batch_id === batch.batch_id);
      payments.forEach((p, i) => {
        const row = sheet.getRow(3 + i);
        expectText(row.getCell(1), p.batch_id);
        expectText(row.getCell(3), p.award_id);
        expectText(row.getCell(6), p.payee_account);
        found.push(row.getCell(6).value as string);
      });
      // The columns themselves are text, so what is typed into them later stays text too.
      expect([1, 3, 6].map((c) => sheet.getColumn(c).numFmt)).toEqual(['@', '@', '@']);
    }
    expect(found).toEqual(PAYMENTS.map((p) => p.payee_account));

    const summary = workbook.getWorksheet(SUMMARY_SHEET)!;
    expectText(summary.getCell('B2'), RUN_ID);
    expectText(summary.getCell('B3'), '2025-06');
    expectText(summary.getCell('B4'), '2025-06-30');
    expectText(summary.getCell('A11'), BATCHES[0]!.batch_id);
    expectText(summary.getCell('C11'), 'EITB');
  });
});
