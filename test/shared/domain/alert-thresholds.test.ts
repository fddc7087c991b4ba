import { describe, expect, test } from '@jest/globals';
import { committedPercentText, decideThresholds, isThresholdCrossed } from '../../../shared/domain/alert-thresholds.ts';
import { emptyEnvelope } from '../../../shared/domain/envelope.ts';

const env = (budget: number, reserved: number, batched = 0, paid = 0, alert_at = [80, 90, 100]) => ({
  ...emptyEnvelope({ measure: 7, fiscal_year: 2025 }), budget_set: true, budget_fen: budget, reserved_fen: reserved, batched_fen: batched,
  paid_fen: paid, available_fen: budget - reserved - batched - paid, alert_at,
});

describe('threshold crossing', () => {
  test('counts reserved + batched + paid, crossing exactly at the threshold and not a fen before', () => {
    expect(isThresholdCrossed(env(1000, 799), 80)).toBe(false);
    expect(isThresholdCrossed(env(1000, 800), 80)).toBe(true);
    expect(isThresholdCrossed(env(1000, 300, 300, 200), 80)).toBe(true);
    expect(isThresholdCrossed(env(1000, 300, 300, 199), 80)).toBe(false);
  });

  test('is exact beyond the safe-integer range of committed × 100', () => {
    const budget = Number.MAX_SAFE_INTEGER - 1; // even, so half is exact
    expect(isThresholdCrossed(env(budget, budget / 2), 50)).toBe(true);
    expect(isThresholdCrossed(env(budget, budget / 2 - 1), 50)).toBe(false);
  });

  test('an envelope without a budget, or with a zero budget, crosses nothing', () => {
    expect(isThresholdCrossed({ ...env(0, 0), budget_set: true }, 100)).toBe(false);
    expect(isThresholdCrossed({ ...env(1000, 900), budget_set: false }, 80)).toBe(false);
  });

  test('fires crossed thresholds not yet fired, lowest first; re-arms fired ones no longer crossed or configured', () => {
    expect(decideThresholds(env(1000, 950), [])).toEqual({ fire: [80, 90], rearm: [] });
    expect(decideThresholds(env(1000, 950), [80])).toEqual({ fire: [90], rearm: [] });
    expect(decideThresholds(env(1000, 950), [80, 90])).toEqual({ fire: [], rearm: [] });
    // After a budget increase the envelope is at 47.5%: both re-arm.
    expect(decideThresholds(env(2000, 950), [80, 90])).toEqual({ fire: [], rearm: [80, 90] });
    // Thresholds changed to 50,80,100 while at 95%: 50 fires, 90 (no longer configured) re-arms.
    expect(decideThresholds(env(1000, 950, 0, 0, [50, 80, 100]), [80, 90])).toEqual({ fire: [50], rearm: [90] });
  });

  test('percentage text rounds down to one decimal, so 100.0 means fully committed', () => {
    expect(committedPercentText(env(300000, 255999))).toBe('85.3');
    expect(committedPercentText(env(1000, 999))).toBe('99.9');
    expect(committedPercentText(env(1000, 1000))).toBe('100.0');
    expect(committedPercentText(env(0, 0))).toBe('0.0');
  });
});
