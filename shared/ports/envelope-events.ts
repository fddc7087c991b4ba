import type { Award, WaitReason } from '../domain/award.ts';
import type { EnvelopeKey } from '../domain/envelope.ts';

/**
 * Told after an envelope's figures changed, so budget alerts can be raised (issue: alerts). Calls
 * come after the change is committed and may repeat (retries, redeliveries): implementations must
 * be idempotent. `waitlisted` is set when awards joined the envelope's queue with that reason.
 */
export interface EnvelopeEvents {
  envelopeChanged(key: EnvelopeKey, change: { waitlisted?: { reason: WaitReason; count: number } }): Promise<void>;
  /** Issue 14: an award was HELD (at intake or run preparation); raises its HOLD alert, once per award. */
  awardHeld?(award: Award): Promise<void>;
}

export const noEnvelopeEvents: EnvelopeEvents = { envelopeChanged: async () => {} };
