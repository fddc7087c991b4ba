import { describe, expect, test } from '@jest/globals';
import { forecastEnvelope, forecastWarns, NOT_THIS_YEAR } from '../../../shared/domain/forecast.ts';

describe('exhaustion forecast', () => {
  const env = { fiscal_year: 2025, available_fen: 300_000 };
  test('rate over the last 30 days and since the year began; exhaustion at the 30-day rate', () => {
    const commitments = [
      { date: '2025-01-10', amount_fen: 900_000 }, // before the window: only in the year rate
      { date: '2025-05-02', amount_fen: 150_000 },
      { date: '2025-05-31', amount_fen: 150_000 }, // today: in the window
      { date: '2025-06-01', amount_fen: 999_999 }, // after today: ignored
    ];
    const f = forecastEnvelope(env, commitments, '2025-05-31');
    expect(f).toEqual({ burn_rate_fen_per_day: 10_000, burn_rate_year_fen_per_day: Math.floor(1_200_000 / 151), forecast_exhaustion_date: '2025-06-30' });
    expect(forecastWarns(f, '2025-05-31')).toBe(true);
    expect(forecastWarns(f, '2025-05-31', 29)).toBe(false);
  });
  test('window edge: a commitment 30 days back is out, 29 days back is in', () => {
    expect(forecastEnvelope(env, [{ date: '2025-05-01', amount_fen: 30_000 }], '2025-05-31').burn_rate_fen_per_day).toBe(0);
    expect(forecastEnvelope(env, [{ date: '2025-05-02', amount_fen: 30_000 }], '2025-05-31').burn_rate_fen_per_day).toBe(1_000);
  });
  test('not this year: no commitments, or the date falls after 31 December; exhausted already: today', () => {
    expect(forecastEnvelope(env, [], '2025-05-31').forecast_exhaustion_date).toBe(NOT_THIS_YEAR);
    expect(forecastEnvelope(env, [{ date: '2025-12-20', amount_fen: 30_000 }], '2025-12-20').forecast_exhaustion_date).toBe(NOT_THIS_YEAR);
    expect(forecastEnvelope({ ...env, available_fen: 0 }, [], '2025-05-31').forecast_exhaustion_date).toBe('2025-05-31');
    expect(forecastWarns(forecastEnvelope(env, [], '2025-05-31'), '2025-05-31')).toBe(false);
  });
  test('a large balance at a tiny rate is "not this year", not a date past what a Date can hold', () => {
    // 10^13 fen at 1 fen a day is about 10^13 days away: dateOf() of that would throw "Invalid time value".
    const f = forecastEnvelope({ fiscal_year: 2025, available_fen: 10_000_000_000_000 }, [{ date: '2025-05-31', amount_fen: 30 }], '2025-05-31');
    expect(f).toEqual({ burn_rate_fen_per_day: 1, burn_rate_year_fen_per_day: 0, forecast_exhaustion_date: NOT_THIS_YEAR });
  });
});
