/**
 * Budget alert thresholds: which thresholds of committed money (reserved + batched + paid) an
 * envelope has crossed, and what to fire or re-arm given the thresholds that already fired.
 *
 * Exact integer arithmetic only: a threshold t% is crossed when committed × 100 ≥ t × budget,
 * computed in BigInt because committed × 100 can leave the safe-integer range.
 */
import { committedFen, type Envelope } from './envelope.ts';

type Figures = Pick<Envelope, 'budget_set' | 'budget_fen' | 'reserved_fen' | 'batched_fen' | 'paid_fen'>;

/** An envelope without a budget (or with a zero budget) has crossed nothing: there is nothing to commit. */
export function isThresholdCrossed(envelope: Figures, threshold: number): boolean {
  if (!envelope.budget_set || envelope.budget_fen <= 0) return false;
  return BigInt(committedFen(envelope)) * 100n >= BigInt(threshold) * BigInt(envelope.budget_fen);
}

export interface ThresholdDecision {
  /** Crossed and not yet fired: fire these, lowest first. */
  fire: number[];
  /**
   * Fired but no longer crossed (a budget increase or a cancellation took the envelope back below),
   * or no longer configured: take them out of the fired set so a later crossing fires again.
   */
  rearm: number[];
}

export function decideThresholds(envelope: Figures & Pick<Envelope, 'alert_at'>, fired: readonly number[]): ThresholdDecision {
  const firedSet = new Set(fired);
  const configured = new Set(envelope.alert_at);
  const fire = [...configured].filter((t) => !firedSet.has(t) && isThresholdCrossed(envelope, t)).sort((a, b) => a - b);
  const rearm = [...firedSet].filter((t) => !configured.has(t) || !isThresholdCrossed(envelope, t)).sort((a, b) => a - b);
  return { fire, rearm };
}

/**
 * Percentage committed with one decimal, rounded down (so "100.0%" means fully committed), as text:
 * '85.3'. An envelope without a budget reports '0.0', or '—' if money is committed against nothing.
 */
export function committedPercentText(envelope: Figures): string {
  const committed = committedFen(envelope);
  if (envelope.budget_fen <= 0) return committed > 0 ? '—' : '0.0';
  const tenths = (BigInt(committed) * 1000n) / BigInt(envelope.budget_fen);
  return `${tenths / 10n}.${tenths % 10n}`;
}
