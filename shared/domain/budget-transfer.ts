import { createHash } from 'node:crypto';
import type { EnvelopeKey } from './envelope.ts';

/** A transfer of budget between two measures' envelopes of one fiscal year (调剂). */
export interface TransferRequest {
  fiscal_year: number;
  from_measure: number;
  to_measure: number;
  amount_fen: number;
  reason: string;
  by: string;
}

/** The stored transfer: the request, its id and when it happened. */
export interface BudgetTransfer extends TransferRequest {
  transfer_id: string;
  at: string;
}

export const fromKey = (t: TransferRequest): EnvelopeKey => ({ measure: t.from_measure, fiscal_year: t.fiscal_year });
export const toKey = (t: TransferRequest): EnvelopeKey => ({ measure: t.to_measure, fiscal_year: t.fiscal_year });

/**
 * The default transfer id: the same arguments on the same Asia/Shanghai day are the same transfer
 * (a retried command does not move the money twice); the next day they are a new one.
 */
export function defaultTransferId(t: TransferRequest, shanghaiDay: string): string {
  const digest = createHash('sha256').update(JSON.stringify(fingerprintOf(t))).update(shanghaiDay).digest('hex').slice(0, 12);
  return `TRF-${shanghaiDay.replaceAll('-', '')}-${digest}`;
}

/** What makes two requests under one transfer id the same transfer. */
export function fingerprintOf(t: TransferRequest): (string | number)[] {
  return [t.fiscal_year, t.from_measure, t.to_measure, t.amount_fen, t.reason, t.by];
}

export function sameTransfer(a: TransferRequest, b: TransferRequest): boolean {
  return JSON.stringify(fingerprintOf(a)) === JSON.stringify(fingerprintOf(b));
}

/** Ids are printed and used as keys: keep them short and plain. */
export const TRANSFER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
