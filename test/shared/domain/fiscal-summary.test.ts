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
    expect(s.total).toEqual({ budget_fen: 1000, reserved_fen: 100, batched_fen: 200, paid_fen: 300, returned_fen: 0, available_fen: 400, waitlisted_fen: 50, execution_rate: 0.6 });
    expect(s.sections.find((x) => x.section === '一')).toMatchObject({ budget_fen: 1000, measures: [1, 2, 3, 4, 5, 6, 7] });
    expect(s.monthly_paid).toHaveLength(13);
    expect(s.monthly_paid.at(-1)).toEqual({ month: '2026-01', paid_fen: 100 });
    const rows = summaryRows(s);
    expect(rows.filter((r) => r.kind === 'MEASURE')).toHaveLength(27);
    expect(SUMMARY_HEADERS.every((h) => / \/ /.test(h))).toBe(true);
    const seventh = summaryCsvFields(rows.find((r) => r.kind === 'MEASURE' && r.measure === '7')!);
    expect(seventh).toEqual(['条目 / Measure', '一', '7', '支持产业有效投资和设备更新', 'Support effective industrial investment and equipment renewal',
      '区经信局、区投促中心', '', '10.00', '1.00', '2.00', '3.00', '4.00', '0.50', '60.00%']);
    const may = summaryCsvFields(rows.find((r) => r.kind === 'MONTH' && r.month === '2025-05')!);
    expect(may[6]).toBe('2025-05');
    expect(may[10]).toBe('2.00');
  });
});
