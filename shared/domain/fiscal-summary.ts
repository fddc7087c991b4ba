/**
 * The budget-execution summary (预算执行情况) of one fiscal year: every measure of the catalog with
 * its envelope's figures (zeros where it has none), subtotals per section and per responsible unit,
 * a grand total, and the money paid per month.
 *
 * - Execution rate = (reserved + batched + paid + returned) / budget: money committed to awards, as
 *   a share of the budget, rounded half-up to 4 decimals (0.8523 is 85.23%); null when the budget is zero.
 * - Held (issue 14), carried in/out, lapsed and recovered (issue 15) are the envelopes' own figures;
 *   net paid = paid − money recovered to the treasury (recoveries settled while the year was open
 *   are out of paid already). A measure with an open envelope also carries its exhaustion forecast.
 * - A measure with several responsible units counts in the subtotal of each of them (as the policy
 *   makes each responsible), so unit subtotals overlap and do not add up to the total; section
 *   subtotals do.
 * - Paid per month: settled payments by the month (Asia/Shanghai) their bank results were imported,
 *   January to December of the year, plus any later month in which this year's awards were paid,
 *   so the months add up to the paid total.
 */
import { MEASURES, POLICY, SECTIONS, type SectionNumeral } from './catalog.ts';
import type { Envelope } from './envelope.ts';
import type { Forecast } from './forecast.ts';
import { UNITS, type UnitCode } from './units.ts';

export interface SummaryFigures {
  budget_fen: number;
  reserved_fen: number;
  batched_fen: number;
  /** As the envelope shows it: recoveries settled while the year was open are already out of it. */
  paid_fen: number;
  /** integrity: failed payments awaiting release, still committed. */
  returned_fen: number;
  available_fen: number;
  waitlisted_fen: number;
  // -- controls (issue 14)
  /** Money HELD awards keep reserved (inside reserved_fen). */
  held_fen: number;
  held_count: number;
  // -- year end and recoveries (issue 15)
  /** Reservations carried in from the previous year's close (inside budget). */
  carried_in_fen: number;
  /** Reservations carried out to the next year at this year's close. */
  carried_out_fen: number;
  /** The unspent balance that lapsed at this year's close (结余). */
  lapsed_fen: number;
  /** Recovered from paid awards (追回): back into the open envelope, or to the treasury after the close. */
  recovered_fen: number;
  /** Paid net of every recovery: paid_fen minus what went back to the treasury. */
  net_paid_fen: number;
  execution_rate: number | null;
}

export interface MeasureSummary extends SummaryFigures {
  /** The exhaustion forecast (issue 15), for a measure with an open envelope. */
  burn_rate_fen_per_day?: number;
  forecast_exhaustion_date?: string;
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
const AMOUNT_FIELDS = [
  'budget_fen', 'reserved_fen', 'batched_fen', 'paid_fen', 'returned_fen', 'available_fen', 'waitlisted_fen',
  'held_fen', 'held_count', 'carried_in_fen', 'carried_out_fen', 'lapsed_fen', 'recovered_fen', 'net_paid_fen',
] as const satisfies readonly (keyof Amounts)[];
const ZERO = Object.fromEntries(AMOUNT_FIELDS.map((f) => [f, 0])) as Amounts;

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
  return Object.fromEntries(AMOUNT_FIELDS.map((f) => [f, a[f] + b[f]])) as Amounts;
}

/** An envelope's figures for the summary (fields absent on older items count as zero). */
const envelopeAmounts = (e: Envelope): Amounts => ({
  budget_fen: e.budget_fen, reserved_fen: e.reserved_fen, batched_fen: e.batched_fen, paid_fen: e.paid_fen,
  returned_fen: e.returned_fen ?? 0, available_fen: e.available_fen, waitlisted_fen: e.waitlisted_fen,
  held_fen: e.held_fen ?? 0, held_count: e.held_count ?? 0,
  carried_in_fen: e.carried_in_fen ?? 0, carried_out_fen: e.carried_out_fen ?? 0, lapsed_fen: e.lapsed_fen ?? 0,
  recovered_fen: (e.refunded_fen ?? 0) + (e.recovered_fen ?? 0),
  net_paid_fen: e.paid_fen - (e.recovered_fen ?? 0),
});

const amountsOf = (f: Amounts): Amounts => Object.fromEntries(AMOUNT_FIELDS.map((k) => [k, f[k]])) as Amounts;

export function monthsOfYear(fiscalYear: number): string[] {
  return Array.from({ length: 12 }, (_, i) => `${fiscalYear}-${String(i + 1).padStart(2, '0')}`);
}

export function buildFiscalSummary(input: {
  fiscal_year: number; envelopes: readonly Envelope[]; paid_by_month: readonly MonthlyPaid[];
  /** Per measure, for open envelopes (forecast-envelopes.ts). */
  forecasts?: ReadonlyMap<number, Forecast>;
}): FiscalSummary {
  const fy = input.fiscal_year;
  const byMeasure = new Map(input.envelopes.filter((e) => e.fiscal_year === fy).map((e) => [e.measure, e]));

  const measures: MeasureSummary[] = MEASURES.map((m) => {
    const e = byMeasure.get(m.number);
    const amounts: Amounts = e ? envelopeAmounts(e) : ZERO;
    const forecast = input.forecasts?.get(m.number);
    return {
      measure: m.number, section: m.section, title_zh: m.titleZh, title_en: m.titleEn, units: [...m.units],
      has_envelope: e !== undefined, ...withRate(amounts),
      ...(forecast ? { burn_rate_fen_per_day: forecast.burn_rate_fen_per_day, forecast_exhaustion_date: forecast.forecast_exhaustion_date } : {}),
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
