/**
 * The RunStore port on the in-memory table: a line-by-line mirror of
 * shared/adapters/dynamo/dynamo-run-store.ts (same requests, items, conditions and updates; the
 * cancellation reasons of a transaction are read per item as the adapter reads them). Checked
 * against the real adapter by memory-store-conformance.test.ts.
 */
import type { Award, HistoryEntry } from '../../../shared/domain/award.ts';
import type { EnvelopeKey } from '../../../shared/domain/envelope.ts';
import { TransientError } from '../../../shared/domain/errors.ts';
import type { RunPayment } from '../../../shared/domain/payment-file.ts';
import { ControlTotals, type BatchTotals } from '../../../shared/domain/run-batching.ts';
import type { Run, RunItem } from '../../../shared/ports/run-store.ts';
import type {
  NewRun, PaidMonth, RunHeader, RunMove, RunStore, RunWriteResult, SettleEntry, SettlementTotals, StoredRunItem,
} from '../../../shared/ports/run-store.ts';
import { backoff } from '../../../shared/retry/backoff.ts';
import { AWARD_SK, ENVELOPE_SK, awardPk, awardStatusPk, envelopePk, itemToAward } from '../../../shared/adapters/dynamo/items.ts';
import {
  RUN_ITEM_PREFIX, RUN_LIST_PK, RUN_SK, SERIES_PREFIX, batchListPk, itemToPayment, itemToRun, itemToRunHeader, itemToRunItem,
  paidMonthPk, paidMonthSk, paymentToItem, runItemSk, runPk, seriesSk,
} from '../../../shared/adapters/dynamo/run-items.ts';
import {
  addNumber, eq, exists, ge, le, listAppend, notExists, plus, type Condition, type IndexKey, type Item, type MemoryTable, type TxOp,
} from './memory-table.ts';


export class MemoryRunStore implements RunStore {
  readonly maxTransactionItems: number;

  constructor(readonly table: MemoryTable, options: { maxTransactionItems: number }) {
    if (options.maxTransactionItems < 5) throw new RangeError('maxTransactionItems must be at least 5');
    this.maxTransactionItems = options.maxTransactionItems;
  }

  // ---- RunReader -----------------------------------------------------------------------------

  async listRuns(): Promise<Run[]> {
    const ids: string[] = [];
    let start: IndexKey | undefined;
    do {
      const out = await this.table.queryIndex({ index: 'gsi2', pk: RUN_LIST_PK, ...(start ? { startAfter: start } : {}) });
      for (const item of out.items) ids.push(String(item.run_id));
      start = out.lastKey;
    } while (start);
    const runs = await Promise.all(ids.map((id) => this.getRun(id)));
    return runs.filter((r): r is Run => r !== undefined).sort((a, b) => (a.run_id < b.run_id ? -1 : 1));
  }

  async getRun(runId: string): Promise<Run | undefined> {
    const item = await this.table.get(runPk(runId), RUN_SK);
    return item ? itemToRun(item) : undefined;
  }

  async *listRunItems(runId: string): AsyncIterable<RunItem> {
    for await (const item of this.runItems(runId)) yield itemToRunItem(item);
  }

  // ---- prepare -------------------------------------------------------------------------------

  async getRunHeader(runId: string): Promise<RunHeader | undefined> {
    const item = await this.table.get(runPk(runId), RUN_SK);
    return item ? itemToRunHeader(item) : undefined;
  }

  async createRun(run: NewRun): Promise<boolean> {
    try {
      await this.table.put({
        pk: runPk(run.run_id), sk: RUN_SK, type: 'RUN', ...run, status: 'PREPARING', sealing: false,
        award_count: 0, total_fen: 0, batches: [], updated_at: run.prepared_at, gsi2pk: RUN_LIST_PK, gsi2sk: run.run_id,
      }, (it) => notExists(it, 'pk'));
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async *batchableAwards(key: EnvelopeKey, through: string, pageSize: number): AsyncIterable<Award[]> {
    let start: IndexKey | undefined;
    do {
      const out = await this.table.queryIndex({
        index: 'gsi1', pk: awardStatusPk('RESERVED', key), skAtMost: `${through}#\uffff`, limit: pageSize,
        filter: (it) => notExists(it, 'run_id'), ...(start ? { startAfter: start } : {}),
      });
      const page = out.items.map(itemToAward);
      if (page.length > 0) yield page;
      start = out.lastKey;
    } while (start);
  }

  async seriesCount(runId: string, series: string): Promise<number> {
    const item = await this.table.get(runPk(runId), seriesSk(series));
    return Number(item?.last_seq ?? 0);
  }

  moveIntoRun(runId: string, series: string, expectedCount: number, key: EnvelopeKey, moves: readonly RunMove[], at: string): Promise<RunWriteResult> {
    const n = moves.length;
    this.checkSize(2 * n + 3);
    const sum = moves.reduce((s, m) => s + m.award.amount_fen, 0);
    const ops: TxOp[] = [];
    for (const m of moves) {
      const entry: HistoryEntry = { at, status: 'BATCHED', note: `in ${runId}, batch ${m.batch_id} #${m.seq}` };
      ops.push({
        type: 'Update', pk: awardPk(m.award.award_id), sk: AWARD_SK,
        condition: (it) => eq(it, 'status', 'RESERVED') && notExists(it, 'run_id'),
        mutate: (d) => {
          d.status = 'BATCHED';
          d.gsi1pk = awardStatusPk('BATCHED', key);
          d.run_id = runId;
          d.batch_id = m.batch_id;
          d.run_seq = m.seq;
          d.updated_at = at;
          listAppend(d, 'history', [entry]);
        },
      });
    }
    for (const m of moves) {
      const payment: RunPayment = {
        run_id: runId, batch_id: m.batch_id, seq: m.seq, award_id: m.award.award_id, measure: m.award.measure,
        fiscal_year: m.award.fiscal_year, unit: m.award.approving_unit, approved_date: m.award.approved_date,
        amount_fen: m.award.amount_fen, payee_name: m.award.recipient_name, payee_bank: m.award.payee_bank,
        payee_account: m.award.payee_account,
      };
      ops.push({ type: 'Put', item: paymentToItem(payment, at), condition: (it) => notExists(it, 'pk') });
    }
    ops.push({
      type: 'Update', pk: envelopePk(key), sk: ENVELOPE_SK,
      condition: (it) => ge(it, 'reserved_fen', sum),
      mutate: (d) => { plus(d, 'reserved_fen', -sum); plus(d, 'batched_fen', sum); d.updated_at = at; addNumber(d, 'version', 1); },
    });
    ops.push({
      type: 'Update', pk: runPk(runId), sk: seriesSk(series),
      condition: expectedCount === 0 ? (it) => notExists(it, 'pk') : (it) => eq(it, 'last_seq', expectedCount),
      mutate: (d) => { d.last_seq = expectedCount + n; d.type = 'RUN_SERIES'; d.series = series; d.updated_at = at; },
    });
    ops.push({
      type: 'ConditionCheck', pk: runPk(runId), sk: RUN_SK,
      condition: (it) => eq(it, 'status', 'PREPARING') && eq(it, 'sealing', false),
    });
    return this.transact(ops).then((outcome): RunWriteResult => {
      if (outcome.ok) return { ok: true };
      const failed = (i: number) => outcome.codes[i] === 'ConditionalCheckFailed';
      return {
        ok: false,
        staleAwards: moves.filter((_, i) => failed(i)).map((m) => m.award.award_id),
        staleItems: moves.filter((_, i) => failed(n + i)).map((m) => m.award.award_id),
        envelopeShort: failed(2 * n),
        counterMoved: failed(2 * n + 1),
        runClosed: failed(2 * n + 2),
        collided: outcome.conflict,
      };
    });
  }

  startSealing(runId: string, at: string): Promise<boolean> {
    return this.conditionalUpdate(runPk(runId), RUN_SK, (it) => eq(it, 'status', 'PREPARING'), (d) => { d.sealing = true; d.updated_at = at; });
  }

  async readControlTotals(runId: string): Promise<{ batches: BatchTotals[]; series: Map<string, number> }> {
    const totals = new ControlTotals();
    for await (const item of this.runItems(runId)) {
      totals.add({ batch_id: String(item.batch_id), measure: Number(item.measure), unit: String(item.unit), amount_fen: Number(item.amount_fen) });
    }
    const series = new Map<string, number>();
    for await (const item of this.tablePages(runPk(runId), SERIES_PREFIX)) series.set(String(item.series), Number(item.last_seq));
    return { batches: totals.batches(), series };
  }

  sealRun(runId: string, totals: { award_count: number; total_fen: number; batches: BatchTotals[] }, at: string): Promise<boolean> {
    return this.conditionalUpdate(runPk(runId), RUN_SK, (it) => eq(it, 'status', 'PREPARING') && eq(it, 'sealing', true), (d) => {
      d.status = 'PREPARED';
      d.sealing = false;
      d.award_count = totals.award_count;
      d.total_fen = totals.total_fen;
      d.batches = structuredClone(totals.batches);
      d.sealed_at = at;
      d.updated_at = at;
    });
  }

  // ---- approve, export -----------------------------------------------------------------------

  approveRun(runId: string, by: string, at: string): Promise<boolean> {
    return this.conditionalUpdate(runPk(runId), RUN_SK, (it) => eq(it, 'status', 'PREPARED'), (d) => {
      d.status = 'APPROVED';
      d.approved_by = by;
      d.approved_at = at;
      d.updated_at = at;
    });
  }

  async recordExport(runId: string, at: string, files: readonly { name: string; location: string; sha256: string }[]): Promise<void> {
    const moved = await this.conditionalUpdate(runPk(runId), RUN_SK, (it) => eq(it, 'status', 'APPROVED'), (d) => {
      d.status = 'EXPORTED';
      d.exported_at = at;
      d.last_export = structuredClone(files);
      d.updated_at = at;
    });
    if (moved) return;
    await this.table.update(runPk(runId), RUN_SK, (it) => eq(it, 'status', 'EXPORTED') || eq(it, 'status', 'SETTLED'), (d) => {
      d.last_export = structuredClone(files);
      d.updated_at = at;
    });
  }

  async *listBatchPayments(_runId: string, batchId: string): AsyncIterable<RunPayment> {
    let start: IndexKey | undefined;
    do {
      const out = await this.table.queryIndex({ index: 'gsi2', pk: batchListPk(batchId), ...(start ? { startAfter: start } : {}) });
      for (const item of out.items) yield itemToPayment(item);
      start = out.lastKey;
    } while (start);
  }

  // ---- settle --------------------------------------------------------------------------------

  async getRunItemsByAward(runId: string, awardIds: readonly string[]): Promise<Map<string, StoredRunItem>> {
    const found = new Map<string, StoredRunItem>();
    const unique = [...new Set(awardIds)];
    for (let i = 0; i < unique.length; i += 100) {
      let keys = unique.slice(i, i + 100).map((id) => ({ pk: runPk(runId), sk: runItemSk(id) }));
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt > 8) throw new TransientError('BatchGetItem kept returning unprocessed keys');
        if (attempt > 0) await backoff(attempt);
        const out = await this.table.batchGet(keys);
        for (const item of out.items) {
          const runItem = itemToRunItem(item);
          found.set(runItem.award_id, runItem);
        }
        keys = out.unprocessed;
      }
    }
    return found;
  }

  settlePayments(runId: string, key: EnvelopeKey, entries: readonly SettleEntry[], month: string, at: string, by: string): Promise<RunWriteResult> {
    const n = entries.length;
    const paid = entries.filter((e) => e.outcome === 'PAID');
    const paidFen = paid.reduce((s, e) => s + e.amount_fen, 0);
    const failedFen = entries.filter((e) => e.outcome === 'FAILED').reduce((s, e) => s + e.amount_fen, 0);
    this.checkSize(2 * n + (paid.length > 0 ? 2 : 1));
    const ops: TxOp[] = [];
    const inRun: Condition = (it) => eq(it, 'status', 'BATCHED') && eq(it, 'run_id', runId);
    for (const e of entries) {
      if (e.outcome === 'PAID') {
        const entry: HistoryEntry = { at, status: 'PAID', by, note: `paid in ${runId}, bank reference ${e.reference}` };
        ops.push({
          type: 'Update', pk: awardPk(e.award_id), sk: AWARD_SK, condition: inRun,
          mutate: (d) => {
            d.status = 'PAID';
            d.gsi1pk = awardStatusPk('PAID', key);
            d.paid_at = at;
            d.payment_reference = e.reference;
            d.updated_at = at;
            listAppend(d, 'history', [entry]);
          },
        });
      } else {
        const entry: HistoryEntry = { at, status: 'RESERVED', by, note: `payment failed in ${runId}: ${e.reason}` };
        ops.push({
          type: 'Update', pk: awardPk(e.award_id), sk: AWARD_SK, condition: inRun,
          mutate: (d) => {
            d.status = 'RESERVED';
            d.gsi1pk = awardStatusPk('RESERVED', key);
            d.last_payment_failure = e.reason;
            d.updated_at = at;
            listAppend(d, 'history', [entry]);
            delete d.run_id;
            delete d.batch_id;
            delete d.run_seq;
          },
        });
      }
    }
    for (const e of entries) {
      ops.push({
        type: 'Update', pk: runPk(runId), sk: runItemSk(e.award_id),
        condition: (it) => exists(it, 'pk') && notExists(it, 'outcome'),
        mutate: (d) => {
          d.outcome = e.outcome;
          d.settled_at = at;
          d.settled_by = by;
          // Empty texts are left out, as the adapter leaves them out.
          if (e.reference) d.reference = e.reference;
          if (e.reason) d.reason = e.reason;
        },
      });
    }
    ops.push({
      type: 'Update', pk: envelopePk(key), sk: ENVELOPE_SK,
      condition: (it) => ge(it, 'batched_fen', paidFen + failedFen),
      mutate: (d) => {
        plus(d, 'batched_fen', -(paidFen + failedFen));
        plus(d, 'paid_fen', paidFen);
        plus(d, 'reserved_fen', failedFen);
        d.updated_at = at;
        addNumber(d, 'version', 1);
      },
    });
    if (paid.length > 0) {
      ops.push({
        type: 'Update', pk: paidMonthPk(key.fiscal_year), sk: paidMonthSk(month, key.measure),
        mutate: (d) => {
          d.type = 'PAID_MONTH';
          d.fiscal_year = key.fiscal_year;
          d.measure = key.measure;
          d.month = month;
          d.updated_at = at;
          addNumber(d, 'paid_fen', paidFen);
          addNumber(d, 'paid_count', paid.length);
        },
      });
    }
    return this.transact(ops).then((outcome): RunWriteResult => {
      if (outcome.ok) return { ok: true };
      const failed = (i: number) => outcome.codes[i] === 'ConditionalCheckFailed';
      return {
        ok: false,
        staleAwards: entries.filter((_, i) => failed(i)).map((e) => e.award_id),
        staleItems: entries.filter((_, i) => failed(n + i)).map((e) => e.award_id),
        envelopeShort: failed(2 * n),
        counterMoved: false,
        runClosed: false,
        collided: outcome.conflict,
      };
    });
  }

  async readSettlementTotals(runId: string): Promise<SettlementTotals> {
    const totals: SettlementTotals = { item_count: 0, paid_count: 0, paid_fen: 0, failed_count: 0, failed_fen: 0 };
    for await (const item of this.runItems(runId)) {
      totals.item_count++;
      if (item.outcome === 'PAID') { totals.paid_count++; totals.paid_fen += Number(item.amount_fen); }
      if (item.outcome === 'FAILED') { totals.failed_count++; totals.failed_fen += Number(item.amount_fen); }
    }
    return totals;
  }

  async recordSettlement(runId: string, totals: SettlementTotals, at: string): Promise<void> {
    const settled = totals.paid_count + totals.failed_count;
    const complete = settled === totals.item_count;
    await this.conditionalUpdate(
      runPk(runId), RUN_SK,
      (it) => (eq(it, 'status', 'EXPORTED') || eq(it, 'status', 'SETTLED')) && (notExists(it, 'settled_count') || le(it, 'settled_count', settled)),
      (d) => {
        d.paid_count = totals.paid_count;
        d.paid_fen = totals.paid_fen;
        d.failed_count = totals.failed_count;
        d.failed_fen = totals.failed_fen;
        d.settled_count = settled;
        d.updated_at = at;
        if (complete) {
          d.status = 'SETTLED';
          if (d.settled_at === undefined) d.settled_at = at;
        }
      },
    );
  }

  async paidByMonth(fiscalYear: number): Promise<PaidMonth[]> {
    const months: PaidMonth[] = [];
    for await (const item of this.tablePages(paidMonthPk(fiscalYear))) {
      months.push({ month: String(item.month), measure: Number(item.measure), paid_fen: Number(item.paid_fen), paid_count: Number(item.paid_count) });
    }
    return months;
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private runItems(runId: string): AsyncIterable<Item> {
    return this.tablePages(runPk(runId), RUN_ITEM_PREFIX);
  }

  private async *tablePages(pk: string, skBeginsWith?: string): AsyncIterable<Item> {
    let start: string | undefined;
    do {
      const out = await this.table.query({ pk, ...(skBeginsWith === undefined ? {} : { skBeginsWith }), ...(start === undefined ? {} : { startAfter: start }) });
      yield* out.items;
      start = out.lastKey;
    } while (start !== undefined);
  }

  private checkSize(items: number): void {
    if (items > this.maxTransactionItems) throw new RangeError(`a transaction of ${items} items exceeds the limit of ${this.maxTransactionItems}`);
  }

  private async conditionalUpdate(pk: string, sk: string, condition: Condition, mutate: (d: Item) => void): Promise<boolean> {
    try {
      await this.table.update(pk, sk, condition, mutate);
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  private async transact(ops: TxOp[]): Promise<TxOutcome> {
    try {
      await this.table.transact(ops);
      return { ok: true };
    } catch (error) {
      return cancelledOutcome(error);
    }
  }
}

type TxOutcome = { ok: true } | { ok: false; codes: string[]; conflict: boolean };
function cancelledOutcome(error: unknown): TxOutcome {
  const e = error as { name?: string; CancellationReasons?: { Code?: string }[] };
  if (e.name === 'TransactionCanceledException') {
    const codes = (e.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
    return { ok: false, codes, conflict: codes.length === 0 || codes.some((c) => c === 'TransactionConflict') };
  }
  if (e.name === 'TransactionConflictException' || e.name === 'TransactionInProgressException') return { ok: false, codes: [], conflict: true };
  throw error;
}
