import { defaultTransferId, fromKey, sameTransfer, toKey, TRANSFER_ID_PATTERN, type BudgetTransfer, type TransferRequest } from '../domain/budget-transfer.ts';
import { shanghaiDate } from '../domain/dates.ts';
import { envelopeLabel, type Envelope } from '../domain/envelope.ts';
import { fiscalYearClosed } from '../domain/year-close.ts';
import { BursarError, TransientError, ValidationError } from '../domain/errors.ts';
import { formatYuan } from '../domain/money.ts';
import type { Ledger } from '../ports/ledger.ts';
import { noEnvelopeEvents, type EnvelopeEvents } from '../ports/envelope-events.ts';
import { backoff } from '../retry/backoff.ts';
import { checkEnvelopeKey } from './budget.ts';
import type { Clock } from './clock.ts';
import { drainWaitlist } from './drain-waitlist.ts';

export interface TransferCommand extends TransferRequest {
  transfer_id?: string;
}

export interface TransferResult {
  transfer_id: string;
  from: Envelope;
  to: Envelope;
  /** Award ids B's queue reserved with the money that arrived. */
  drained: string[];
  /** False when the transfer id was already used by this same transfer (nothing moved again). */
  changed: boolean;
}

const MAX_ATTEMPTS = 30;

/**
 * Move budget from envelope A to envelope B of the same year (调剂), once per transfer id. The store
 * re-checks at write time that A still has the money and neither envelope moved or closed; B's queue
 * is served afterwards, also when a re-run finds the transfer already done (a crash between the two).
 */
export async function transferBudget(
  ledger: Ledger, clock: Clock, cmd: TransferCommand, events: EnvelopeEvents = noEnvelopeEvents,
): Promise<TransferResult> {
  const request: TransferRequest = {
    fiscal_year: cmd.fiscal_year, from_measure: cmd.from_measure, to_measure: cmd.to_measure,
    amount_fen: cmd.amount_fen, reason: cmd.reason.trim(), by: cmd.by.trim(),
  };
  checkEnvelopeKey(fromKey(request));
  checkEnvelopeKey(toKey(request));
  if (!Number.isSafeInteger(request.amount_fen) || request.amount_fen <= 0) {
    throw new ValidationError('BAD_AMOUNT', 'a transfer must be a positive amount of yuan', { field: 'amount_yuan' });
  }
  if (request.reason === '') throw new ValidationError('MISSING_REASON', 'a reason is required (--reason TEXT)', { field: 'reason' });
  if (request.by === '') throw new ValidationError('MISSING_ACTOR', 'who makes the transfer is required (--by NAME)', { field: 'by' });
  if (request.from_measure === request.to_measure) {
    throw new BursarError('SAME_ENVELOPE', `a transfer needs two different measures; both are ${request.from_measure}`, { field: 'to_measure' });
  }
  const transferId = cmd.transfer_id?.trim() || defaultTransferId(request, shanghaiDate(new Date(clock.now())));
  if (!TRANSFER_ID_PATTERN.test(transferId)) {
    throw new ValidationError('BAD_TRANSFER_ID', 'transfer id: 1-64 letters, digits, dot, underscore or hyphen', { field: 'transfer_id' });
  }

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (attempt > 0) await backoff(attempt);
    const done = await ledger.getTransfer(transferId);
    if (done) return finish(ledger, clock, events, done, request, false);
    const [from, to] = await Promise.all([ledger.getEnvelope(fromKey(request)), ledger.getEnvelope(toKey(request))]);
    if (from?.status === 'CLOSED') throw fiscalYearClosed(from);
    if (to?.status === 'CLOSED') throw fiscalYearClosed(to);
    if (!from || !from.budget_set || from.available_fen < request.amount_fen) {
      throw new BursarError(
        'INSUFFICIENT_AVAILABLE',
        `${envelopeLabel(fromKey(request))}: ${formatYuan(from?.available_fen ?? 0)} yuan available, less than the ${formatYuan(request.amount_fen)} yuan to transfer`,
        { ...fromKey(request), available_fen: from?.available_fen ?? 0, requested_fen: request.amount_fen },
      );
    }
    const transfer: BudgetTransfer = { transfer_id: transferId, ...request, at: clock.now() };
    const result = await ledger.writeTransfer(
      transfer, { from: from.version, to: to?.version }, { from: from.budget_fen, to: to?.budget_set ? to.budget_fen : null },
    );
    if (result.ok) return finish(ledger, clock, events, transfer, request, true);
    // Refused: an envelope moved, or the same id was written meanwhile; look again.
  }
  throw new TransientError(`transfer ${transferId}: the envelopes kept changing; try again`);
}

async function finish(
  ledger: Ledger, clock: Clock, events: EnvelopeEvents, transfer: BudgetTransfer, request: TransferRequest, changed: boolean,
): Promise<TransferResult> {
  if (!sameTransfer(transfer, request)) {
    throw new BursarError('TRANSFER_ID_CONFLICT', `transfer ${transfer.transfer_id} already exists with different arguments; it is unchanged`, {
      transfer_id: transfer.transfer_id, field: 'transfer_id',
    });
  }
  const drained = await drainWaitlist(ledger, clock, toKey(transfer));
  if (changed || drained.length > 0) {
    await events.envelopeChanged(fromKey(transfer), {});
    await events.envelopeChanged(toKey(transfer), {});
  }
  const [from, to] = await Promise.all([ledger.getEnvelope(fromKey(transfer)), ledger.getEnvelope(toKey(transfer))]);
  if (!from || !to) throw new Error(`transfer ${transfer.transfer_id}: an envelope vanished after the transfer`);
  return { transfer_id: transfer.transfer_id, from, to, drained, changed };
}
