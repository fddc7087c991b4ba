/**
 * The fiscal summary laid out as one table for files (CSV, XLSX): bilingual column headers, one row
 * per measure, then section subtotals, unit subtotals, the grand total, and one row per month with
 * the money paid in it. Amounts are yuan with two decimals; the execution rate is a percentage.
 */
import type { FiscalSummary, SummaryFigures } from './fiscal-summary.ts';
import { formatYuan } from './money.ts';
import { neutraliseFormula } from './spreadsheet-safety.ts';
import { unitName, type UnitCode } from './units.ts';

export const SUMMARY_HEADERS = [
  '类别 / Row type',
  '篇 / Section',
  '条 / Measure',
  '简称 / Short title',
  '英文简称 / Short title (English)',
  '责任单位 / Responsible units',
  '月份 / Month',
  '预算(元) / Budget (yuan)',
  '已预留(元) / Reserved (yuan)',
  '已批付(元) / Batched (yuan)',
  '已支付(元) / Paid (yuan)',
  '可用(元) / Available (yuan)',
  '排队需求(元) / Waitlisted demand (yuan)',
  '执行率 / Execution rate',
  // Appended by issues 13-15 (existing columns keep their places).
  '退回待处理(元) / Returned (yuan)',
  '挂起占用(元) / Held, reserved (yuan)',
  '挂起笔数 / Held awards',
  '结转转入(元) / Carried in (yuan)',
  '结转转出(元) / Carried out (yuan)',
  '结余失效(元) / Lapsed (yuan)',
  '追回(元) / Recovered (yuan)',
  '净支付(元) / Net paid (yuan)',
  '近30日日均使用(元) / Burn rate per day, last 30 days (yuan)',
  '预计用尽日期 / Forecast exhaustion date',
] as const;

/** The appended amount columns, in order, after the execution rate. */
export const EXTRA_AMOUNT_FIELDS = ['returned_fen', 'held_fen', 'held_count', 'carried_in_fen', 'carried_out_fen', 'lapsed_fen', 'recovered_fen', 'net_paid_fen'] as const;

export type SummaryRowKind = 'MEASURE' | 'SECTION' | 'UNIT' | 'TOTAL' | 'MONTH';

const KIND_LABEL: Record<SummaryRowKind, string> = {
  MEASURE: '条目 / Measure',
  SECTION: '篇小计 / Section subtotal',
  UNIT: '单位小计 / Unit subtotal',
  TOTAL: '合计 / Total',
  MONTH: '月度支付 / Paid in month',
};

/** A row with its amounts still in fen (the XLSX writer wants numbers, the CSV text). */
export interface SummaryRow {
  kind: SummaryRowKind;
  label: string;
  section: string;
  measure: string;
  title_zh: string;
  title_en: string;
  units: string;
  month: string;
  /** Absent on month rows, which carry only paid_fen. */
  figures?: SummaryFigures;
  paid_fen?: number;
  /** Measure rows of open envelopes: the exhaustion forecast. */
  burn_rate_fen_per_day?: number;
  forecast_exhaustion_date?: string;
}

const unitNames = (codes: readonly UnitCode[]) => codes.map((c) => unitName(c)).join('、');

export function summaryRows(s: FiscalSummary): SummaryRow[] {
  const blank = { section: '', measure: '', title_zh: '', title_en: '', units: '', month: '' };
  return [
    ...s.measures.map((m): SummaryRow => ({
      ...blank, kind: 'MEASURE', label: KIND_LABEL.MEASURE, section: m.section, measure: String(m.measure),
      title_zh: m.title_zh, title_en: m.title_en, units: unitNames(m.units), figures: m,
      ...(m.forecast_exhaustion_date !== undefined ? { burn_rate_fen_per_day: m.burn_rate_fen_per_day, forecast_exhaustion_date: m.forecast_exhaustion_date } : {}),
    })),
    ...s.sections.map((x): SummaryRow => ({
      ...blank, kind: 'SECTION', label: KIND_LABEL.SECTION, section: x.section, measure: x.measures.join(','),
      title_zh: x.title_zh, title_en: x.title_en, figures: x,
    })),
    ...s.units.map((u): SummaryRow => ({
      ...blank, kind: 'UNIT', label: KIND_LABEL.UNIT, measure: u.measures.join(','), title_zh: u.name_zh, title_en: u.name_en,
      units: u.name_zh, figures: u,
    })),
    { ...blank, kind: 'TOTAL', label: KIND_LABEL.TOTAL, title_zh: '合计', title_en: 'Total', figures: s.total },
    ...s.monthly_paid.map((p): SummaryRow => ({ ...blank, kind: 'MONTH', label: KIND_LABEL.MONTH, month: p.month, paid_fen: p.paid_fen })),
  ];
}

/** '85.23%', or '' when there is no budget to measure against. */
export function formatRate(rate: number | null): string {
  return rate === null ? '' : `${(rate * 100).toFixed(2)}%`;
}

/** A row as CSV text fields, in SUMMARY_HEADERS order. */
export function summaryCsvFields(row: SummaryRow): string[] {
  const f = row.figures;
  const y = (fen: number | undefined) => (fen === undefined ? '' : formatYuan(fen));
  return [
    row.label, row.section, row.measure, row.title_zh, row.title_en, row.units, row.month,
    y(f?.budget_fen), y(f?.reserved_fen), y(f?.batched_fen), y(f?.paid_fen ?? row.paid_fen), y(f?.available_fen), y(f?.waitlisted_fen),
    f ? formatRate(f.execution_rate) : '',
    ...EXTRA_AMOUNT_FIELDS.map((k) => (f === undefined ? '' : k === 'held_count' ? String(f.held_count) : y(f[k]))),
    y(row.burn_rate_fen_per_day), row.forecast_exhaustion_date ?? '',
  ].map(neutraliseFormula);
}
