import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { emptyEnvelope } from '../../../shared/domain/envelope.ts';
import { buildFiscalSummary, executionRate } from '../../../shared/domain/fiscal-summary.ts';
import { SUMMARY_HEADERS, summaryCsvFields, summaryRows } from '../../../shared/domain/summary-report.ts';

describe('summary math', () => {
  test('execution rate is committed / budget, half-up to 4 decimals, null without a budget', () => {
    expect(executionRate(0, 0)).toBeNull();
    expect(executionRate(1, 3)).toBe(0.3333);
    expect(executionRate(2, 3)).toBe(0.6667);
    expect(executionRate(66005, 100000)).toBe(0.6601);
    expect(executionRate(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)).toBe(1);
  });

  test('property: the rate is within half a basis point of the exact ratio', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1e12 }), fc.integer({ min: 0, max: 1e12 }), (budget, committed) => {
      const rate = executionRate(Math.min(committed, budget), budget)!;
      expect(Math.abs(rate - Math.min(committed, budget) / budget)).toBeLessThanOrEqual(0.00005 + 1e-12);
    }));
  });

  test('totals, months and the bilingual file rows', () => {
    const e = { ...emptyEnvelope({ measure: 7, fiscal_year: 2025 }), budget_set: true, budget_fen: 1000, reserved_fen: 100, batched_fen: 200, paid_fen: 300, available_fen: 400, waitlisted_fen: 50 };
    const other = { ...e, fiscal_year: 2024 };
    const s = buildFiscalSummary({ fiscal_year: 2025, envelopes: [e, other], paid_by_month: [{ month: '2025-05', paid_fen: 200 }, { month: '2026-01', paid_fen: 100 }] });
    expect(s.total).toEqual({
      budget_fen: 1000, reserved_fen: 100, batched_fen: 200, paid_fen: 300, returned_fen: 0, available_fen: 400, waitlisted_fen: 50, execution_rate: 0.6,
      held_fen: 0, held_count: 0, carried_in_fen: 0, carried_out_fen: 0, lapsed_fen: 0, recovered_fen: 0, net_paid_fen: 300,
    });
    expect(s.sections.find((x) => x.section === '一')).toMatchObject({ budget_fen: 1000, measures: [1, 2, 3, 4, 5, 6, 7] });
    expect(s.monthly_paid).toHaveLength(13);
    expect(s.monthly_paid.at(-1)).toEqual({ month: '2026-01', paid_fen: 100 });
    const rows = summaryRows(s);
    expect(rows.filter((r) => r.kind === 'MEASURE')).toHaveLength(27);
    expect(SUMMARY_HEADERS.every((h) => / \/ /.test(h))).toBe(true);
    const seventh = summaryCsvFields(rows.find((r) => r.kind === 'MEASURE' && r.measure === '7')!);
    expect(seventh).toEqual(['条目 / Measure', '一', '7', '支持产业有效投资和设备更新', 'Support effective industrial investment and equipment renewal',
      '区经信局、区投促中心', '', '10.00', '1.00', '2.00', '3.00', '4.00', '0.50', '60.00%',
      '0.00', '0.00', '0', '0.00', '0.00', '0.00', '0.00', '3.00', '', '']);
    const may = summaryCsvFields(rows.find((r) => r.kind === 'MONTH' && r.month === '2025-05')!);
    expect(may[6]).toBe('2025-05');
    expect(may[10]).toBe('2.00');
    expect(may).toHaveLength(SUMMARY_HEADERS.length);
  });

  test('held, returned, year-end and recovered figures; net paid; the forecast on measure rows (issues 13-15)', () => {
    const closed = {
      ...emptyEnvelope({ measure: 7, fiscal_year: 2025 }), status: 'CLOSED' as const, budget_set: true,
      // budget = paid + returned + carried_out + lapsed (+ held money inside reserved, zero here)
      budget_fen: 10_000, paid_fen: 5_000, returned_fen: 0, carried_out_fen: 3_000, lapsed_fen: 2_000,
      refunded_fen: 400, recovered_fen: 250, held_count: 0,
    };
    const open = {
      ...emptyEnvelope({ measure: 12, fiscal_year: 2025 }), budget_set: true, budget_fen: 8_000, reserved_fen: 3_000, held_fen: 1_000, held_count: 2,
      returned_fen: 500, available_fen: 4_500, carried_in_fen: 1_200,
    };
    const s = buildFiscalSummary({
      fiscal_year: 2025, envelopes: [closed, open], paid_by_month: [],
      forecasts: new Map([[12, { burn_rate_fen_per_day: 150, burn_rate_year_fen_per_day: 90, forecast_exhaustion_date: '2025-12-01' }]]),
    });
    const m7 = s.measures.find((m) => m.measure === 7)!;
    // Recovered: 4.00 back into the open year's envelope (already out of paid) and 2.50 to the treasury after the close.
    expect(m7).toMatchObject({ paid_fen: 5_000, recovered_fen: 650, net_paid_fen: 4_750, carried_out_fen: 3_000, lapsed_fen: 2_000 });
    expect(m7.forecast_exhaustion_date).toBeUndefined();
    const m12 = s.measures.find((m) => m.measure === 12)!;
    expect(m12).toMatchObject({ held_fen: 1_000, held_count: 2, returned_fen: 500, carried_in_fen: 1_200, burn_rate_fen_per_day: 150, forecast_exhaustion_date: '2025-12-01' });
    expect(s.total).toMatchObject({ held_count: 2, recovered_fen: 650, net_paid_fen: 4_750, carried_in_fen: 1_200, carried_out_fen: 3_000, lapsed_fen: 2_000, returned_fen: 500 });
    const row = summaryCsvFields(summaryRows(s).find((r) => r.kind === 'MEASURE' && r.measure === '12')!);
    expect(row.slice(14)).toEqual(['5.00', '10.00', '2', '12.00', '0.00', '0.00', '0.00', '0.00', '1.50', '2025-12-01']);
    const total = summaryCsvFields(summaryRows(s).find((r) => r.kind === 'TOTAL')!);
    expect(total.slice(14)).toEqual(['5.00', '10.00', '2', '12.00', '30.00', '20.00', '6.50', '47.50', '', '']);
  });
});
