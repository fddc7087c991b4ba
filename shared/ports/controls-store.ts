import type { Award, AwardHold, HistoryEntry, WaitReason } from '../domain/award.ts';
import type { CreditRestriction } from '../domain/credit-restriction.ts';
import type { EnterpriseControls, EnterpriseGate } from '../domain/enterprise-controls.ts';
import type { EnvelopeKey } from '../domain/envelope.ts';
import type { WriteResult } from './ledger.ts';

/**
 * The store behind issue 14's controls: enterprise records, credit restrictions and held awards.
 * Every move of a held award is one transaction with its envelope's figures (held_count, held_fen,
 * and reserved/available or the queue when money moves) and, when it stops being live, its
 * enterprise record.
 */
export interface ControlsStore {
  /** Strongly consistent: each enterprise's controls record and restrictions. */
  readEnterprises(usccs: readonly string[]): Promise<Map<string, EnterpriseControls>>;
  /**
   * Strongly consistent: each enterprise's controls record only (guards and totals, `restrictions`
   * empty), 100 a call. Intake reads a batch's enterprises this way and the restrictions once from
   * `listRestrictions`, as run preparation does.
   */
  readControls(usccs: readonly string[]): Promise<Map<string, EnterpriseControls>>;

  /** A new award HELD at intake: commits no money; counted in its enterprise (caps re-checked by the gate). */
  holdNew(key: EnvelopeKey, award: Award, gate: EnterpriseGate): Promise<WriteResult>;
  /** RESERVED (in no run) → HELD keeping its reservation (run preparation). */
  holdReserved(award: Award, hold: AwardHold, entry: HistoryEntry): Promise<WriteResult>;
  /** HELD keeping its reservation → RESERVED. */
  releaseToReserved(award: Award, entry: HistoryEntry): Promise<WriteResult>;
  /** HELD at intake → RESERVED, only if nobody waits and the money is available. */
  releaseReserving(award: Award, entry: HistoryEntry): Promise<WriteResult>;
  /** HELD at intake → WAITLISTED, joining the queue at its place. */
  releaseToQueue(award: Award, entry: HistoryEntry, reason: WaitReason): Promise<WriteResult>;
  /** HELD → REJECTED: money it kept returns, its enterprise's room is freed. */
  rejectHeld(award: Award, entry: HistoryEntry): Promise<WriteResult>;

  putRestriction(r: CreditRestriction): Promise<'created' | 'updated' | 'unchanged'>;
  listRestrictions(): Promise<CreditRestriction[]>;
  /** Lift every unlifted restriction of an enterprise; returns those lifted. */
  liftRestrictions(uscc: string, lift: NonNullable<CreditRestriction['lifted']>): Promise<CreditRestriction[]>;
}
