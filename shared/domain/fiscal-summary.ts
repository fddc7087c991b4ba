/**
 * The budget-execution summary (预算执行情况) of one fiscal year: every measure of the catalog with
 * its envelope's figures (zeros where it has none), subtotals per section and per responsible unit,
 * a grand total, and the money paid per month.
 *
 * - Execution rate = (reserved + batched + paid) / budget: money committed to awards, as a share of
 *   the budget, rounded half-up to 4 decimals (0.8523 is 85.23%); null when the budget is zero.
 * - A measure with several responsible units counts in the subtotal of each of them (as the policy
 *   makes each responsible), so unit subtotals overlap and do not add up to the total; section
 *   subtotals do.
 * - Paid per month: settled payments by the month (Asia/Shanghai) their bank results were imported,
 *   January to December of the year, plus any later month in which this year's awards were paid,
 *   so the months add up to the paid total.
 */
import { MEASURES, POLICY, SECTIONS, type SectionNumeral } from './catalog.ts';
import type { Envelope } from './envelope.ts';
import { UNITS, type UnitCode } from './units.ts';

export interface SummaryFigures {
  budget_fen: number;
  reserved_fen: number;
  batched_fen: number;
  paid_fen: number;
  /** integrity: failed payments awaiting release, still committed. */
  returned_fen: number;
  available_fen: number;
  waitlisted_fen: number;
  execution_rate: number | null;
}

export interface MeasureSummary extends SummaryFigures {
  measure: number;
  section: SectionNumeral;
  title_zh: string;
  title_en: string;
  units: UnitCode[];
  has_envelope: boolean;
}

export interface SectionSummary extends SummaryFigures {
  section: SectionNumeral;
  title_zh: string;
  title_en: string;
  measures: number[];
}

export interface UnitSummary extends SummaryFigures {
  unit: UnitCode;
  name_zh: string;
  name_en: string;
  measures: number[];
}

export interface MonthlyPaid {
  month: string;
  paid_fen: number;
}

export interface FiscalSummary {
  fiscal_year: number;
  policy: string;
  measures: MeasureSummary[];
  sections: SectionSummary[];
  units: UnitSummary[];
  total: SummaryFigures;
  monthly_paid: MonthlyPaid[];
}

type Amounts = Omit<SummaryFigures, 'execution_rate'>;
const ZERO: Amounts = { budget_fen: 0, reserved_fen: 0, batched_fen: 0, paid_fen: 0, returned_fen: 0, available_fen: 0, waitlisted_fen: 0 };

/** (reserved + batched + paid) / budget, half-up to 4 decimals, exact for any safe-integer amounts. */
export function executionRate(committedFen: number, budgetFen: number): number | null {
  if (budgetFen <= 0) return null;
  const scaled = (BigInt(committedFen) * 20000n + BigInt(budgetFen)) / (2n * BigInt(budgetFen));
  return Number(scaled) / 10000;
}

function withRate(a: Amounts): SummaryFigures {
  return { ...a, execution_rate: executionRate(a.reserved_fen + a.batched_fen + a.paid_fen + a.returned_fen, a.budget_fen) };
}

function add(a: Amounts, b: Amounts): Amounts {
  return {
    budget_fen: a.budget_fen + b.budget_fen,
    reserved_fen: a.reserved_fen + b.reserved_fen,
    batched_fen: a.batched_fen + b.batched_fen,
    paid_fen: a.paid_fen + b.paid_fen,
    returned_fen: a.returned_fen + b.returned_fen,
    available_fen: a.available_fen + b.available_fen,
    waitlisted_fen: a.waitlisted_fen + b.waitlisted_fen,
  };
}

const amountsOf = (f: Amounts): Amounts => ({
  budget_fen: f.budget_fen, reserved_fen: f.reserved_fen, batched_fen: f.batched_fen,
  paid_fen: f.paid_fen, returned_fen: f.returned_fen ?? 0, available_fen: f.available_fen, waitlisted_fen: f.waitlisted_fen,
});

export function monthsOfYear(fiscalYear: number): string[] {
  return Array.from({ length: 12 }, (_, i) => `${fiscalYear}-${String(i + 1).padStart(2, '0')}`);
}

export function buildFiscalSummary(input: { fiscal_year: number; envelopes: readonly Envelope[]; paid_by_month: readonly MonthlyPaid[] }): FiscalSummary {
  const fy = input.fiscal_year;
  const byMeasure = new Map(input.envelopes.filter((e) => e.fiscal_year === fy).map((e) => [e.measure, e]));

  const measures: MeasureSummary[] = MEASURES.map((m) => {
    const e = byMeasure.get(m.number);
    const amounts: Amounts = e ? amountsOf(e) : ZERO;
    return {
      measure: m.number, section: m.section, title_zh: m.titleZh, title_en: m.titleEn, units: [...m.units],
      has_envelope: e !== undefined, ...withRate(amounts),
    };
  });

  const sections: SectionSummary[] = SECTIONS.map((s) => {
    const members = measures.filter((m) => m.section === s.numeral);
    return {
      section: s.numeral, title_zh: s.titleZh, title_en: s.titleEn, measures: members.map((m) => m.measure),
      ...withRate(members.reduce<Amounts>((sum, m) => add(sum, amountsOf(m)), ZERO)),
    };
  });

  const units: UnitSummary[] = UNITS.flatMap((u) => {
    const members = measures.filter((m) => m.units.includes(u.code));
    if (members.length === 0) return []; // e.g. the finance bureau, responsible for no measure
    return [{
      unit: u.code, name_zh: u.nameZh, name_en: u.nameEn, measures: members.map((m) => m.measure),
      ...withRate(members.reduce<Amounts>((sum, m) => add(sum, amountsOf(m)), ZERO)),
    }];
  });

  const paid = new Map<string, number>(monthsOfYear(fy).map((month) => [month, 0]));
  for (const p of input.paid_by_month) paid.set(p.month, (paid.get(p.month) ?? 0) + p.paid_fen);
  const monthly_paid = [...paid].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([month, paid_fen]) => ({ month, paid_fen }));

  return {
    fiscal_year: fy,
    policy: POLICY.documentNumber,
    measures,
    sections,
    units,
    total: withRate(measures.reduce<Amounts>((sum, m) => add(sum, amountsOf(m)), ZERO)),
    monthly_paid,
  };
}
