import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { UTF8_BOM, csvRecord } from '../domain/csv-format.ts';
import type { FiscalSummary } from '../domain/fiscal-summary.ts';
import { SUMMARY_HEADERS, summaryCsvFields, summaryRows } from '../domain/summary-report.ts';
import { POLICY } from '../domain/catalog.ts';

/** The summary as CSV text: UTF-8 BOM, bilingual headers, yuan with two decimals. */
export function summaryCsv(summary: FiscalSummary): string {
  return UTF8_BOM + csvRecord(SUMMARY_HEADERS) + summaryRows(summary).map((row) => csvRecord(summaryCsvFields(row))).join('');
}

const AMOUNT_FORMAT = '#,##0.00';
const FIRST_AMOUNT_COLUMN = 8; // 1-based: budget … waitlisted are columns 8-13, the rate 14

/**
 * The summary as an XLSX workbook, one sheet with the same rows as the CSV. Amounts are numbers in
 * yuan shown with two decimals and the rate a percentage, so the sheet can be summed; text cells are
 * neutralised like the CSV. A few dozen rows: built in memory.
 */
export async function writeSummaryWorkbook(summary: FiscalSummary, stream: Writable): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Bursar';
  const sheet = workbook.addWorksheet(`${summary.fiscal_year} 预算执行 Budget execution`.slice(0, 31));
  sheet.addRow([`${POLICY.documentNumber} ${summary.fiscal_year}年度预算执行情况 / Budget execution, FY${summary.fiscal_year}`]);
  sheet.addRow([...SUMMARY_HEADERS]).font = { bold: true };
  for (const row of summaryRows(summary)) {
    const text = summaryCsvFields(row).slice(0, FIRST_AMOUNT_COLUMN - 1);
    const f = row.figures;
    const amounts = f
      ? [f.budget_fen, f.reserved_fen, f.batched_fen, f.paid_fen, f.available_fen, f.waitlisted_fen].map((fen) => fen / 100)
      : [null, null, null, (row.paid_fen ?? 0) / 100, null, null];
    const added = sheet.addRow([...text, ...amounts, f?.execution_rate ?? null]);
    for (let c = FIRST_AMOUNT_COLUMN; c < FIRST_AMOUNT_COLUMN + 6; c++) added.getCell(c).numFmt = AMOUNT_FORMAT;
    added.getCell(FIRST_AMOUNT_COLUMN + 6).numFmt = '0.00%';
  }
  SUMMARY_HEADERS.forEach((_, i) => { sheet.getColumn(i + 1).width = i === 3 || i === 4 ? 40 : i < 3 ? 16 : 18; });
  await workbook.xlsx.write(stream);
}
