/** Money paid in error and claimed back from the recipient (追回). */
export type RecoveryStatus = 'DUE' | 'SETTLED' | 'CANCELLED';
export const RECOVERY_STATUSES: readonly RecoveryStatus[] = ['DUE', 'SETTLED', 'CANCELLED'];

export interface Recovery {
  recovery_id: string;
  award_id: string;
  measure: number;
  fiscal_year: number;
  amount_fen: number;
  reason: string;
  status: RecoveryStatus;
  opened_by: string;
  opened_at: string;
  /**
   * Where settled money went: back to the award's envelope (its year open: paid down, available up)
   * or to the treasury (缴回国库: its year closed, recorded as the envelope's recovered_fen).
   */
  settled_to?: 'ENVELOPE' | 'TREASURY';
  reference?: string;
  settled_by?: string;
  settled_at?: string;
  cancelled_by?: string;
  cancel_reason?: string;
  cancelled_at?: string;
}

/**
 * A recovery's id: the award's, numbered 1, 2, …; the n-th is opened in the transaction that moves
 * the award's recovery_count to n, so the number is never taken twice and the award's recoveries
 * can be read back by id.
 */
export const recoveryId = (awardId: string, n: number) => `REC-${awardId}-${n}`;

/** The number n of `REC-<awardId>-<n>`, or undefined when the id is not one of this award's. */
export function recoveryNumber(awardId: string, id: string): number | undefined {
  const prefix = recoveryId(awardId, 0).slice(0, -1);
  if (!id.startsWith(prefix)) return undefined;
  const digits = id.slice(prefix.length);
  return /^[1-9][0-9]*$/.test(digits) ? Number(digits) : undefined;
}

/** How much of an award may still be claimed: what was paid minus what DUE or SETTLED recoveries claim. */
export function claimableFen(award: { amount_fen: number; recovery_claimed_fen?: number }): number {
  return award.amount_fen - (award.recovery_claimed_fen ?? 0);
}
