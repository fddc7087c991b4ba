import type { Writable } from 'node:stream';
import { POLICY, findMeasure } from '../domain/catalog.ts';
import { PAYMENT_HEADERS_BILINGUAL, paymentRow, type RunPayment } from '../domain/payment-file.ts';
import { neutraliseFormula } from '../domain/spreadsheet-safety.ts';
import type { BatchTotals } from '../domain/run-batching.ts';
import type { Run } from '../domain/run.ts';
import { XlsxStreamWriter, type Cell, type XlsxSheet } from './xlsx-stream-writer.ts';

export const SUMMARY_SHEET = '汇总 Summary';

// 0-based columns of a batch sheet (PAYMENT_HEADERS_BILINGUAL) that hold ids and accounts.
const BATCH_COLUMN = 0;
const AWARD_COLUMN = 2;
const ACCOUNT_COLUMN = 5;

const amount = (fen: number): Cell => ({ value: fen / 100, style: 'amount' });
/** Ids and accounts: text cells with the text format, so no spreadsheet turns them into numbers. */
const text = (value: string | undefined): Cell => ({ value, style: 'text' });

/**
 * The payment workbook, streamed (xlsx-stream-writer.ts puts each row into the zip as it goes): a
 * summary sheet with the run and its control totals, then one sheet per batch, named by batch id.
 * Text cells are neutralised like the CSV (and, as inline strings, never formulas). Account numbers
 * and ids (run, batch, award) are text cells with the text format `@`, in columns formatted as text,
 * so Excel, WPS and LibreOffice keep every digit even when a cell is edited (a 19-digit account read
 * as a number becomes 6.22848E+18; issue 13, finding 10). This workbook, not the CSV, is the file
 * for people to open. Amounts are numbers in yuan shown with two decimals, so the sheets can be
 * summed and checked against the control totals.
 */
export class PaymentWorkbook {
  private readonly workbook: XlsxStreamWriter;
  private sheet: XlsxSheet | undefined;

  constructor(stream: Writable, run: Run) {
    // The run's own time, so exporting the same run again gives the same bytes.
    this.workbook = new XlsxStreamWriter(stream, { creator: 'Bursar', created: new Date(run.approved_at ?? run.prepared_at) });
    this.writeSummary(run);
  }

  /** A few rows plus one per batch: written at once, the output's backpressure is honoured from the first payment on. */
  private writeSummary(run: Run): void {
    const sheet = this.workbook.addSheet(SUMMARY_SHEET, { columns: [30, 14, 10, 12, 20] });
    const pairs: [string, Cell][] = [
      ['政策文号 / Policy', POLICY.documentNumber],
      ['批次编号 / Run', text(run.run_id)],
      ['期间 / Period', text(run.period)],
      ['截止审批日 / Approved on or before', text(run.through_date ?? '')],
      ['编制人 / Prepared by', neutraliseFormula(run.prepared_by)],
      ['审核人 / Approved by', neutraliseFormula(run.approved_by ?? '')],
      ['笔数 / Payments', run.award_count],
      ['金额(元) / Total (yuan)', amount(run.total_fen)],
    ];
    for (const [label, value] of pairs) sheet.addRow([label, value]);
    sheet.addRow([]);
    sheet.addRow(['批 / Batch', '条 / Measure', '单位 / Unit', '笔数 / Count', '金额(元) / Total (yuan)'], 'bold');
    for (const b of run.batches) sheet.addRow([text(b.batch_id), b.measure, text(b.unit), b.count, amount(b.total_fen)]);
    sheet.end();
  }

  beginBatch(batch: BatchTotals): void {
    const sheet = this.workbook.addSheet(batch.batch_id, { columns: [28, 8, 14, 36, 28, 24, 16, 60], textColumns: [BATCH_COLUMN, AWARD_COLUMN, ACCOUNT_COLUMN] });
    sheet.addRow([`${POLICY.documentNumber} 第${batch.measure}条 ${findMeasure(batch.measure)?.titleZh ?? ''}`.trim()]);
    sheet.addRow([...PAYMENT_HEADERS_BILINGUAL], 'bold');
    this.sheet = sheet;
  }

  /** Adds the payment's row; resolves when the output can take more. */
  async add(payment: RunPayment): Promise<void> {
    if (!this.sheet) throw new Error('beginBatch first');
    const [batchId, , awardId, name, bank, account, , purpose] = paymentRow(payment);
    this.sheet.addRow([text(batchId), payment.seq, text(awardId), name, bank, text(account), amount(payment.amount_fen), purpose]);
    await this.workbook.drained();
  }

  endBatch(batch: BatchTotals): void {
    if (!this.sheet) throw new Error('beginBatch first');
    this.sheet.addRow(['合计 / Total', batch.count, null, null, null, null, amount(batch.total_fen)]);
    this.sheet.end();
    this.sheet = undefined;
  }

  /** Writes the workbook's remaining parts; the caller ends the stream. */
  async commit(): Promise<void> {
    await this.workbook.finish();
  }
}
