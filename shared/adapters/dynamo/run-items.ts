/**
 * Key builders and item <-> domain mapping for disbursement runs in the single table:
 *
 *   pk                 sk                      item
 *   RUN#<run_id>       RUN                     run header (status, control totals; GSI2 RUNS / <run_id>)
 *   RUN#<run_id>       ITEM#<award_id>         a payment of the run (GSI2 RUNBATCH#<batch_id> / <seq 6 digits>)
 *   RUN#<run_id>       SERIES#<M07-EITB>       how many payments of a (measure, unit) series the run holds
 *   PAID#<fy>          <YYYY-MM>#<measure>     money of a fiscal year's envelope paid in a month
 *   RUNREQ#<req_id>    RUNREQ                  a run request handled (idempotency of the run-request queue)
 *
 * Run items are keyed by award, so "is this award in this run?" is one read and an award can be put
 * into a run only once; GSI2 lists a batch's payments in sequence order for the payment files.
 */
import type { RunPayment } from '../../domain/payment-file.ts';
import type { Reissue, Run, RunBatch, RunItem, RunStatus } from '../../domain/run.ts';
import type { RunHeader, StoredRunItem } from '../../ports/run-store.ts';
import type { Item } from './items.ts';

export const runPk = (runId: string) => `RUN#${runId}`;
export const RUN_SK = 'RUN';
export const RUN_ITEM_PREFIX = 'ITEM#';
export const runItemSk = (awardId: string) => `${RUN_ITEM_PREFIX}${awardId}`;
export const SERIES_PREFIX = 'SERIES#';
export const seriesSk = (series: string) => `${SERIES_PREFIX}${series}`;
export const RUN_LIST_PK = 'RUNS';
export const batchListPk = (batchId: string) => `RUNBATCH#${batchId}`;
export const batchListSk = (seq: number) => String(seq).padStart(6, '0');
export const paidMonthPk = (fiscalYear: number) => `PAID#${fiscalYear}`;
export const paidMonthSk = (month: string, measure: number) => `${month}#${String(measure).padStart(3, '0')}`;
export const runRequestPk = (requestId: string) => `RUNREQ#${requestId}`;
export const RUN_REQUEST_SK = 'RUNREQ';

const str = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
const num = (v: unknown) => Number(v ?? 0);

export function itemToRun(item: Item): Run {
  const run: Run = {
    run_id: String(item.run_id),
    period: String(item.period),
    status: String(item.status) as RunStatus,
    prepared_by: String(item.prepared_by),
    prepared_at: String(item.prepared_at),
    award_count: num(item.award_count),
    total_fen: num(item.total_fen),
    batches: ((item.batches as Item[] | undefined) ?? []).map((b): RunBatch => ({
      batch_id: String(b.batch_id), measure: num(b.measure), unit: String(b.unit), count: num(b.count), total_fen: num(b.total_fen),
      ...(b.digest !== undefined ? { digest: String(b.digest) } : {}),
    })),
  };
  if (item.reissue !== undefined && item.reissue !== null) run.reissue = item.reissue as Reissue;
  const optionalText = ['sealed_by', 'approved_by', 'approved_at', 'digest', 'approved_digest', 'through_date', 'exported_at', 'settled_at'] as const;
  for (const name of optionalText) if (str(item[name]) !== undefined) run[name] = String(item[name]);
  const optionalNumbers = ['batch_size', 'paid_count', 'paid_fen', 'failed_count', 'failed_fen'] as const;
  for (const name of optionalNumbers) if (item[name] !== undefined) run[name] = num(item[name]);
  return run;
}

export function itemToRunHeader(item: Item): RunHeader {
  return {
    ...itemToRun(item),
    batch_size: num(item.batch_size),
    through_date: String(item.through_date),
    sealing: item.sealing === true,
  };
}

export function paymentToItem(p: RunPayment, at: string): Item {
  return {
    pk: runPk(p.run_id),
    sk: runItemSk(p.award_id),
    type: 'RUN_ITEM',
    ...p,
    created_at: at,
    gsi2pk: batchListPk(p.batch_id),
    gsi2sk: batchListSk(p.seq),
  };
}

export function itemToPayment(item: Item): RunPayment {
  return {
    run_id: String(item.run_id),
    batch_id: String(item.batch_id),
    seq: num(item.seq),
    award_id: String(item.award_id),
    measure: num(item.measure),
    fiscal_year: num(item.fiscal_year),
    unit: String(item.unit),
    approved_date: String(item.approved_date),
    amount_fen: num(item.amount_fen),
    payee_name: String(item.payee_name),
    payee_bank: String(item.payee_bank),
    payee_account: String(item.payee_account),
  };
}

/** A run item as RunReader reports it: no payee details (reconciliation has no need of them). */
export function itemToRunItem(item: Item): StoredRunItem {
  const runItem: RunItem = {
    run_id: String(item.run_id),
    batch_id: String(item.batch_id),
    seq: num(item.seq),
    award_id: String(item.award_id),
    amount_fen: num(item.amount_fen),
  };
  if (item.outcome === 'PAID' || item.outcome === 'FAILED') runItem.outcome = item.outcome;
  for (const name of ['reference', 'reason', 'settled_at', 'settled_by', 'released_by', 'released_at'] as const) if (str(item[name]) !== undefined) runItem[name] = String(item[name]);
  return { ...runItem, measure: num(item.measure), fiscal_year: num(item.fiscal_year), unit: String(item.unit) };
}
