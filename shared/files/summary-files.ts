import type { Writable } from 'node:stream';
import { csvText } from '../domain/csv-format.ts';
import type { FiscalSummary } from '../domain/fiscal-summary.ts';
import { EXTRA_AMOUNT_FIELDS, SUMMARY_HEADERS, summaryCsvFields, summaryRows } from '../domain/summary-report.ts';
import { POLICY } from '../domain/catalog.ts';
import { XlsxStreamWriter, type Cell } from './xlsx-stream-writer.ts';

/** The summary as CSV text: UTF-8 BOM, bilingual headers, yuan with two decimals. */
export function summaryCsv(summary: FiscalSummary): string {
  return csvText([SUMMARY_HEADERS, ...summaryRows(summary).map(summaryCsvFields)], { bom: true });
}

const FIRST_AMOUNT_COLUMN = 8; // 1-based: budget … waitlisted are columns 8-13, the rate 14

/**
 * The summary as an XLSX workbook, one sheet with the same rows as the CSV. Amounts are numbers in
 * yuan shown with two decimals and the rate a percentage, so the sheet can be summed; text cells are
 * neutralised like the CSV. The caller ends the stream.
 */
export async function writeSummaryWorkbook(summary: FiscalSummary, stream: Writable): Promise<void> {
  const workbook = new XlsxStreamWriter(stream, { creator: 'Bursar' });
  const sheet = workbook.addSheet(`${summary.fiscal_year} 预算执行 Budget execution`, {
    columns: SUMMARY_HEADERS.map((_, i) => (i === 3 || i === 4 ? 40 : i < 3 ? 16 : 18)),
  });
  sheet.addRow([`${POLICY.documentNumber} ${summary.fiscal_year}年度预算执行情况 / Budget execution, FY${summary.fiscal_year}`]);
  sheet.addRow([...SUMMARY_HEADERS], 'bold');
  for (const row of summaryRows(summary)) {
    const text = summaryCsvFields(row).slice(0, FIRST_AMOUNT_COLUMN - 1);
    const f = row.figures;
    const fens = f
      ? [f.budget_fen, f.reserved_fen, f.batched_fen, f.paid_fen, f.available_fen, f.waitlisted_fen]
      : [undefined, undefined, undefined, row.paid_fen ?? 0, undefined, undefined];
    const amounts = fens.map((fen): Cell => (fen === undefined ? null : { value: fen / 100, style: 'amount' }));
    const rate: Cell = f && f.execution_rate !== null ? { value: f.execution_rate, style: 'percent' } : null;
    const extras = EXTRA_AMOUNT_FIELDS.map((k): Cell => (f === undefined ? null : k === 'held_count' ? f.held_count : { value: f[k] / 100, style: 'amount' }));
    const burn: Cell = row.burn_rate_fen_per_day === undefined ? null : { value: row.burn_rate_fen_per_day / 100, style: 'amount' };
    sheet.addRow([...text, ...amounts, rate, ...extras, burn, row.forecast_exhaustion_date ?? null]);
    await workbook.drained();
  }
  await workbook.finish();
}
