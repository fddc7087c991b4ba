/**
 * Settlement: the bank's results for an exported run, one line per payment:
 *
 *   award_id,status,reference,reason
 *   A-00001,PAID,BOC20250502-0001,
 *   A-00002,FAILED,,账户已销户 account closed
 *
 * Rules:
 * - status is PAID or FAILED. A PAID line needs the bank's reference; a FAILED line needs a reason.
 * - Every award_id must be a payment of that run, and may appear once in a file (an identical
 *   repeat is tolerated; a differing one is a contradiction).
 * - A line that repeats an earlier settlement of the same payment (same status and reference) is a
 *   no-op, so re-importing a file changes nothing. A line that differs from an earlier settlement
 *   contradicts it, and the whole file is refused: nothing of it is applied.
 * - PAID: the award becomes PAID, its money moves batched → paid. FAILED: the award becomes
 *   RETURNED (its money batched → returned, still committed) with the reason in its history; a
 *   reviewer who did not import the file releases it to RESERVED for the next run
 *   (`run release-failed`) or cancels it. The run's item keeps the failure.
 */
import { ID_PATTERN } from './award-record.ts';
import { parseYuan } from './money.ts';

export const SETTLEMENT_COLUMNS = ['award_id', 'status', 'reference', 'reason'] as const;
/**
 * The amount the bank paid or failed to pay, yuan (optional column, anywhere in the header). When
 * present on a line it must equal the run item's amount, or the whole file is refused
 * (AMOUNT_MISMATCH); a file without the column is read with a warning that amounts were not checked.
 */
export const SETTLEMENT_AMOUNT_COLUMN = 'amount_yuan';
export type PaymentOutcome = 'PAID' | 'FAILED';

export interface SettlementLine {
  award_id: string;
  outcome: PaymentOutcome;
  reference: string;
  reason: string;
  /** The amount the line states, when the file has an amount_yuan column. */
  amount_fen?: number;
}

export interface EarlierSettlement {
  outcome?: PaymentOutcome;
  reference?: string;
  reason?: string;
}

const MAX_REFERENCE = 100;
const MAX_REASON = 500;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export type ParsedLine = { ok: true; line: SettlementLine } | { ok: false; field: string; message: string };

export function parseSettlementLine(fields: Readonly<Record<string, string | undefined>>): ParsedLine {
  const awardId = (fields['award_id'] ?? '').trim();
  const status = (fields['status'] ?? '').trim().toUpperCase();
  const reference = (fields['reference'] ?? '').trim();
  const reason = (fields['reason'] ?? '').trim();
  if (!ID_PATTERN.test(awardId)) return { ok: false, field: 'award_id', message: 'award_id must be an award id' };
  if (status !== 'PAID' && status !== 'FAILED') {
    return { ok: false, field: 'status', message: `status must be PAID or FAILED, got ${JSON.stringify(status.slice(0, 20))}` };
  }
  if (reference.length > MAX_REFERENCE || CONTROL.test(reference)) {
    return { ok: false, field: 'reference', message: `reference must be at most ${MAX_REFERENCE} characters without control characters` };
  }
  if (reason.length > MAX_REASON || CONTROL.test(reason)) {
    return { ok: false, field: 'reason', message: `reason must be at most ${MAX_REASON} characters without control characters` };
  }
  if (status === 'PAID' && reference === '') return { ok: false, field: 'reference', message: 'a PAID line needs the bank reference' };
  if (status === 'FAILED' && reason === '') return { ok: false, field: 'reason', message: 'a FAILED line needs a reason' };
  const amountText = fields[SETTLEMENT_AMOUNT_COLUMN];
  let amount: number | undefined;
  if (amountText !== undefined) {
    const parsed = parseYuan(amountText.trim(), { label: SETTLEMENT_AMOUNT_COLUMN });
    if (!parsed.ok) return { ok: false, field: SETTLEMENT_AMOUNT_COLUMN, message: parsed.message };
    amount = parsed.fen;
  }
  return {
    ok: true,
    line: { award_id: awardId, outcome: status, reference, reason: status === 'PAID' ? '' : reason, ...(amount !== undefined ? { amount_fen: amount } : {}) },
  };
}

/** The same settlement again (a no-op) — compared on what the bank decided: status and reference. */
export function sameSettlement(a: Pick<SettlementLine, 'outcome' | 'reference'>, b: EarlierSettlement): boolean {
  return a.outcome === b.outcome && a.reference === (b.reference ?? '');
}

/** What a line does, given what the run already recorded for that payment. */
export function classifyLine(line: SettlementLine, earlier: EarlierSettlement): 'apply' | 'repeat' | 'contradiction' {
  if (earlier.outcome === undefined) return 'apply';
  return sameSettlement(line, earlier) ? 'repeat' : 'contradiction';
}

/** A fingerprint of a line's decision, to spot a differing repeat of one award_id in one file. */
export function lineFingerprint(line: SettlementLine): string {
  return `${line.outcome}\u0000${line.reference}`;
}
