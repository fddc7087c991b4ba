import { showYearEnd, yearStatus } from '../../../../../web/src/pages/overview/year-end.ts';

const env = (fiscal_year: number, over: Partial<{ budget_set: boolean; status: 'OPEN' | 'CLOSED'; carried_in_fen: number; carried_out_fen: number; lapsed_fen: number; recovered_fen: number }> = {}) => ({
  fiscal_year, budget_set: true, status: 'OPEN' as const, carried_in_fen: 0, carried_out_fen: 0, lapsed_fen: 0, recovered_fen: 0, ...over,
});

describe('yearStatus', () => {
  it('is open, partly closed or closed by the budgeted envelopes of that year only', () => {
    expect(yearStatus([env(2025), env(2025)], 2025)).toBe('yearOpen');
    expect(yearStatus([env(2025, { status: 'CLOSED' }), env(2025)], 2025)).toBe('yearPartlyClosed');
    expect(yearStatus([env(2025, { status: 'CLOSED' }), env(2025, { status: 'CLOSED' }), env(2026)], 2025)).toBe('yearClosed');
    // An envelope that exists only for waiting awards (no budget) does not keep a closed year open.
    expect(yearStatus([env(2025, { status: 'CLOSED' }), env(2025, { budget_set: false })], 2025)).toBe('yearClosed');
  });

  it('is null for a year without a budget', () => {
    expect(yearStatus([env(2026)], 2025)).toBeNull();
    expect(yearStatus([env(2025, { budget_set: false })], 2025)).toBeNull();
  });
});

describe('showYearEnd', () => {
  it('shows the year-end columns once money was carried, lapsed or recovered, or the year is closed', () => {
    expect(showYearEnd([env(2025), env(2026, { lapsed_fen: 5 })], 2025)).toBe(false);
    expect(showYearEnd([env(2025, { carried_in_fen: 1 })], 2025)).toBe(true);
    expect(showYearEnd([env(2025, { recovered_fen: 1 })], 2025)).toBe(true);
    expect(showYearEnd([env(2025, { status: 'CLOSED' })], 2025)).toBe(true);
  });
});
