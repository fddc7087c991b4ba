import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { POLICY, findMeasure } from '../domain/catalog.ts';
import { PAYMENT_HEADERS_BILINGUAL, paymentRow, type RunPayment } from '../domain/payment-file.ts';
import { neutraliseFormula } from '../domain/spreadsheet-safety.ts';
import type { BatchTotals } from '../domain/run-batching.ts';
import type { Run } from '../ports/run-store.ts';

export const SUMMARY_SHEET = '汇总 Summary';
const AMOUNT_FORMAT = '#,##0.00';

/**
 * The payment workbook, streamed (ExcelJS's WorkbookWriter commits each row to the zip as it goes):
 * a summary sheet with the run and its control totals, then one sheet per batch, named by batch id.
 * Text cells are neutralised like the CSV; account numbers are text, so a spreadsheet keeps every
 * digit; amounts are numbers in yuan shown with two decimals, so the sheets can be summed and checked
 * against the control totals.
 */
export class PaymentWorkbook {
  private readonly workbook: ExcelJS.stream.xlsx.WorkbookWriter;
  private sheet: ExcelJS.Worksheet | undefined;

  constructor(stream: Writable, run: Run) {
    this.workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
    this.workbook.creator = 'Bursar';
    const at = new Date(run.approved_at ?? run.prepared_at);
    this.workbook.created = at;
    this.workbook.modified = at;
    this.writeSummary(run);
  }

  private writeSummary(run: Run): void {
    const sheet = this.workbook.addWorksheet(SUMMARY_SHEET);
    sheet.columns = [{ width: 30 }, { width: 14 }, { width: 10 }, { width: 12 }, { width: 20 }];
    const pairs: [string, string | number][] = [
      ['政策文号 / Policy', POLICY.documentNumber],
      ['批次编号 / Run', run.run_id],
      ['期间 / Period', run.period],
      ['截止审批日 / Approved on or before', run.through_date ?? ''],
      ['编制人 / Prepared by', neutraliseFormula(run.prepared_by)],
      ['审核人 / Approved by', neutraliseFormula(run.approved_by ?? '')],
      ['笔数 / Payments', run.award_count],
      ['金额(元) / Total (yuan)', run.total_fen / 100],
    ];
    for (const [label, value] of pairs) {
      const row = sheet.addRow([label, value]);
      if (label.startsWith('金额')) row.getCell(2).numFmt = AMOUNT_FORMAT;
      row.commit();
    }
    sheet.addRow([]).commit();
    sheet.addRow(['批 / Batch', '条 / Measure', '单位 / Unit', '笔数 / Count', '金额(元) / Total (yuan)']).commit();
    for (const b of run.batches) {
      const row = sheet.addRow([b.batch_id, b.measure, b.unit, b.count, b.total_fen / 100]);
      row.getCell(5).numFmt = AMOUNT_FORMAT;
      row.commit();
    }
    sheet.commit();
  }

  beginBatch(batch: BatchTotals): void {
    const sheet = this.workbook.addWorksheet(batch.batch_id);
    sheet.columns = [{ width: 28 }, { width: 8 }, { width: 14 }, { width: 36 }, { width: 28 }, { width: 24 }, { width: 16 }, { width: 60 }];
    sheet.addRow([`${POLICY.documentNumber} 第${batch.measure}条 ${findMeasure(batch.measure)?.titleZh ?? ''}`.trim()]).commit();
    sheet.addRow([...PAYMENT_HEADERS_BILINGUAL]).commit();
    this.sheet = sheet;
  }

  add(payment: RunPayment): void {
    if (!this.sheet) throw new Error('beginBatch first');
    const [batchId, , awardId, name, bank, account, , purpose] = paymentRow(payment);
    const row = this.sheet.addRow([batchId, payment.seq, awardId, name, bank, account, payment.amount_fen / 100, purpose]);
    row.getCell(6).numFmt = '@';
    row.getCell(7).numFmt = AMOUNT_FORMAT;
    row.commit();
  }

  endBatch(batch: BatchTotals): void {
    if (!this.sheet) throw new Error('beginBatch first');
    const row = this.sheet.addRow(['合计 / Total', batch.count, null, null, null, null, batch.total_fen / 100]);
    row.getCell(7).numFmt = AMOUNT_FORMAT;
    row.commit();
    this.sheet.commit();
    this.sheet = undefined;
  }

  async commit(): Promise<void> {
    await this.workbook.commit();
  }
}
