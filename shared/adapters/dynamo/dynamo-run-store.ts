import { ENVELOPE_OPEN } from './dynamo-transfer.ts';
import {
  GetCommand, PutCommand, QueryCommand, UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { Award, HistoryEntry } from '../../domain/award.ts';
import type { EnvelopeKey } from '../../domain/envelope.ts';
import type { RunPayment } from '../../domain/payment-file.ts';
import { ControlTotals, type BatchTotals } from '../../domain/run-batching.ts';
import { EXPORT_CLAIM_LEASE_MS, type Reissue, type Run, type RunItem } from '../../domain/run.ts';
import type {
  ExportClaim, NewRun, PaidMonth, SealedTotals, RunHeader, RunMove, RunStore, RunWriteResult, SettleEntry, SettlementTotals, StoredRunItem,
} from '../../ports/run-store.ts';
import { batchGetAll, conditionalUpdate, conditionally, queryItems } from './operations.ts';
import { Transaction, checkTransactionSize, type TxResult } from './transaction.ts';
import { GSI1, GSI2 } from './table-schema.ts';
import { AWARD_SK, ENVELOPE_SK, awardPk, awardStatusPk, envelopePk, itemToAward, type Item } from './items.ts';
import {
  RUN_ITEM_PREFIX, RUN_LIST_PK, RUN_SK, SERIES_PREFIX, batchListPk, itemToPayment, itemToRun, itemToRunHeader,
  itemToRunItem, paidMonthPk, paidMonthSk, paymentToItem, runItemSk, runPk, seriesSk,
} from './run-items.ts';

/**
 * Runs on the single DynamoDB table (layout in run-items.ts). Implements RunReader, which
 * reconciliation reads, and the writes of prepare, approve, export and settle. Every read a
 * decision rests on is strongly consistent; GSI reads are used only to list (runs, a batch's
 * payments, RESERVED awards), and every write re-checks what it relies on in its conditions.
 */
export class DynamoRunStore implements RunStore {
  readonly maxTransactionItems: number;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: { maxTransactionItems: number },
  ) {
    if (options.maxTransactionItems < 5) throw new RangeError('maxTransactionItems must be at least 5');
    this.maxTransactionItems = options.maxTransactionItems;
  }

  // ---- RunReader -----------------------------------------------------------------------------

  async listRuns(): Promise<Run[]> {
    const ids: string[] = [];
    for await (const item of queryItems(this.doc, {
      TableName: this.tableName,
      IndexName: GSI2.name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': GSI2.pk },
      ExpressionAttributeValues: { ':pk': RUN_LIST_PK },
    })) ids.push(String(item.run_id));
    // The index only says which runs exist; each header is re-read strongly.
    const runs = await Promise.all(ids.map((id) => this.getRun(id)));
    return runs.filter((r): r is Run => r !== undefined).sort((a, b) => (a.run_id < b.run_id ? -1 : 1));
  }

  async getRun(runId: string): Promise<Run | undefined> {
    const item = await this.getHeaderItem(runId);
    return item ? itemToRun(item) : undefined;
  }

  async *listRunItems(runId: string): AsyncIterable<RunItem> {
    for await (const item of this.runItems(runId)) yield itemToRunItem(item);
  }

  // ---- prepare -------------------------------------------------------------------------------

  async getRunHeader(runId: string): Promise<RunHeader | undefined> {
    const item = await this.getHeaderItem(runId);
    return item ? itemToRunHeader(item) : undefined;
  }

  createRun(run: NewRun): Promise<boolean> {
    return conditionally(this.doc.send(new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: runPk(run.run_id), sk: RUN_SK, type: 'RUN', ...run, status: 'PREPARING', sealing: false,
          award_count: 0, total_fen: 0, batches: [], updated_at: run.prepared_at, gsi2pk: RUN_LIST_PK, gsi2sk: run.run_id,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      })));
  }

  async *batchableAwards(key: EnvelopeKey, through: string, pageSize: number): AsyncIterable<Award[]> {
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(new QueryCommand({
        TableName: this.tableName,
        IndexName: GSI1.name,
        // gsi1sk is '<approved_date>#<award_id>': everything up to the cut-off day, inclusive.
        KeyConditionExpression: '#pk = :pk AND #sk <= :through',
        FilterExpression: 'attribute_not_exists(run_id)',
        ExpressionAttributeNames: { '#pk': GSI1.pk, '#sk': GSI1.sk },
        ExpressionAttributeValues: { ':pk': awardStatusPk('RESERVED', key), ':through': `${through}#\uffff` },
        Limit: pageSize,
        ExclusiveStartKey: start,
      }));
      const page = (out.Items ?? []).map(itemToAward);
      if (page.length > 0) yield page;
      start = out.LastEvaluatedKey;
    } while (start);
  }

  async seriesCount(runId: string, series: string): Promise<number> {
    const out = await this.doc.send(new GetCommand({
      TableName: this.tableName, Key: { pk: runPk(runId), sk: seriesSk(series) }, ConsistentRead: true,
    }));
    return Number(out.Item?.last_seq ?? 0);
  }

  moveIntoRun(runId: string, series: string, expectedCount: number, key: EnvelopeKey, moves: readonly RunMove[], at: string): Promise<RunWriteResult> {
    const n = moves.length;
    this.checkSize(2 * n + 3);
    const sum = moves.reduce((s, m) => s + m.award.amount_fen, 0);
    const tx = new Transaction();
    for (const m of moves) {
      const entry: HistoryEntry = { at, status: 'BATCHED', note: `in ${runId}, batch ${m.batch_id} #${m.seq}` };
      tx.add('award', {
        Update: {
          TableName: this.tableName,
          Key: { pk: awardPk(m.award.award_id), sk: AWARD_SK },
          // Still in the fiscal year it was read in: a year close may have carried it (and its money) on.
          ConditionExpression: '#status = :reserved AND attribute_not_exists(run_id) AND fiscal_year = :fy',
          UpdateExpression: 'SET #status = :batched, gsi1pk = :g, run_id = :run, batch_id = :batch, run_seq = :seq, updated_at = :now, history = list_append(history, :h)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':reserved': 'RESERVED', ':fy': key.fiscal_year, ':batched': 'BATCHED', ':g': awardStatusPk('BATCHED', key), ':run': runId,
            ':batch': m.batch_id, ':seq': m.seq, ':now': at, ':h': [entry],
          },
        },
      }, m.award.award_id);
    }
    for (const m of moves) {
      const payment: RunPayment = {
        run_id: runId, batch_id: m.batch_id, seq: m.seq, award_id: m.award.award_id, measure: m.award.measure,
        fiscal_year: m.award.fiscal_year, unit: m.award.approving_unit, approved_date: m.award.approved_date,
        amount_fen: m.award.amount_fen, payee_name: m.award.recipient_name, payee_bank: m.award.payee_bank,
        payee_account: m.award.payee_account,
      };
      tx.add('run-item', { Put: { TableName: this.tableName, Item: paymentToItem(payment, at), ConditionExpression: 'attribute_not_exists(pk)' } }, m.award.award_id);
    }
    tx.add('envelope', {
      Update: {
        TableName: this.tableName,
        Key: { pk: envelopePk(key), sk: ENVELOPE_SK },
        // Never out of a closed year: its close carries what is still reserved there.
        ConditionExpression: `reserved_fen >= :sum AND ${ENVELOPE_OPEN}`,
        UpdateExpression: 'SET reserved_fen = reserved_fen - :sum, batched_fen = batched_fen + :sum, updated_at = :now ADD version :one',
        ExpressionAttributeNames: { '#st': 'status' },
        ExpressionAttributeValues: { ':sum': sum, ':now': at, ':one': 1, ':closed': 'CLOSED' },
      },
    });
    tx.add('run-series', {
      Update: {
        TableName: this.tableName,
        Key: { pk: runPk(runId), sk: seriesSk(series) },
        ConditionExpression: expectedCount === 0 ? 'attribute_not_exists(pk)' : 'last_seq = :expected',
        UpdateExpression: 'SET last_seq = :next, #type = :type, series = :series, updated_at = :now',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ...(expectedCount === 0 ? {} : { ':expected': expectedCount }),
          ':next': expectedCount + n, ':type': 'RUN_SERIES', ':series': series, ':now': at,
        },
      },
    });
    tx.add('run', {
      ConditionCheck: {
        TableName: this.tableName,
        Key: { pk: runPk(runId), sk: RUN_SK },
        ConditionExpression: '#status = :preparing AND sealing = :false',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':preparing': 'PREPARING', ':false': false },
      },
    });
    return tx.run(this.doc).then(toRunWriteResult);
  }

  async startSealing(runId: string, at: string): Promise<boolean> {
    return this.conditionalUpdate({
      Key: { pk: runPk(runId), sk: RUN_SK },
      ConditionExpression: '#status = :preparing',
      UpdateExpression: 'SET sealing = :true, updated_at = :now',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':preparing': 'PREPARING', ':true': true, ':now': at },
    });
  }

  async readControlTotals(runId: string): Promise<{ batches: BatchTotals[]; series: Map<string, number> }> {
    const totals = new ControlTotals();
    for await (const item of this.runItems(runId, ['batch_id', 'measure', 'unit', 'amount_fen'])) {
      totals.add({ batch_id: String(item.batch_id), measure: Number(item.measure), unit: String(item.unit), amount_fen: Number(item.amount_fen) });
    }
    const series = new Map<string, number>();
    for await (const item of queryItems(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :s)',
      ExpressionAttributeValues: { ':pk': runPk(runId), ':s': SERIES_PREFIX },
      ConsistentRead: true,
    })) series.set(String(item.series), Number(item.last_seq));
    return { batches: totals.batches(), series };
  }

  async sealRun(runId: string, totals: SealedTotals, at: string): Promise<boolean> {
    return this.conditionalUpdate({
      Key: { pk: runPk(runId), sk: RUN_SK },
      ConditionExpression: '#status = :preparing AND sealing = :true',
      UpdateExpression: 'SET #status = :prepared, sealing = :false, award_count = :count, total_fen = :total, batches = :batches, digest = :digest, sealed_by = :by, sealed_at = :now, updated_at = :now',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':preparing': 'PREPARING', ':prepared': 'PREPARED', ':true': true, ':false': false, ':count': totals.award_count,
        ':total': totals.total_fen, ':batches': totals.batches, ':digest': totals.digest, ':by': totals.sealed_by, ':now': at,
      },
    });
  }

  // ---- approve, export, re-issue -------------------------------------------------------------

  async approveRun(runId: string, by: string, at: string, digest?: string): Promise<boolean> {
    return this.conditionalUpdate({
      Key: { pk: runPk(runId), sk: RUN_SK },
      // The approval binds the digest the approver saw: a run whose digest changed meanwhile is refused.
      ConditionExpression: digest === undefined ? '#status = :prepared' : '#status = :prepared AND digest = :digest',
      UpdateExpression: `SET #status = :approved, approved_by = :by, approved_at = :now, updated_at = :now${digest === undefined ? '' : ', approved_digest = :digest'}`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':prepared': 'PREPARED', ':approved': 'APPROVED', ':by': by, ':now': at, ...(digest === undefined ? {} : { ':digest': digest }) },
    });
  }

  async claimExport(runId: string, claim: ExportClaim): Promise<boolean> {
    const target = claim.reissue === undefined
      ? '#status = :approved'
      : '#status = :exported AND reissue.#n = :n AND attribute_exists(reissue.approved_by) AND attribute_not_exists(reissue.exported_at)';
    return this.conditionalUpdate({
      Key: { pk: runPk(runId), sk: RUN_SK },
      ConditionExpression: `${target} AND (attribute_not_exists(export_claim) OR export_claim_at < :stale)`,
      UpdateExpression: 'SET export_claim = :id, export_claim_at = :now',
      ExpressionAttributeNames: { '#status': 'status', ...(claim.reissue === undefined ? {} : { '#n': 'number' }) },
      ExpressionAttributeValues: {
        ':id': claim.id, ':now': claim.at, ':stale': claim.stale_before,
        ...(claim.reissue === undefined ? { ':approved': 'APPROVED' } : { ':exported': 'EXPORTED', ':n': claim.reissue }),
      },
    });
  }

  async releaseExportClaim(runId: string, claimId: string): Promise<void> {
    await this.conditionalUpdate({
      Key: { pk: runPk(runId), sk: RUN_SK },
      ConditionExpression: 'export_claim = :id',
      UpdateExpression: 'REMOVE export_claim, export_claim_at',
      ExpressionAttributeValues: { ':id': claimId },
    });
  }

  async recordExport(runId: string, at: string, files: readonly { name: string; location: string; sha256: string }[], claim?: { id: string; reissue?: number }): Promise<boolean> {
    const claimed = claim ? ' AND export_claim = :claim' : '';
    const values = claim ? { ':claim': claim.id } : {};
    if (claim?.reissue !== undefined) {
      return this.conditionalUpdate({
        Key: { pk: runPk(runId), sk: RUN_SK },
        ConditionExpression: `reissue.#n = :n AND attribute_not_exists(reissue.exported_at)${claimed}`,
        UpdateExpression: 'SET reissue.exported_at = :now, last_export = :files, updated_at = :now REMOVE export_claim, export_claim_at',
        ExpressionAttributeNames: { '#n': 'number' },
        ExpressionAttributeValues: { ':n': claim.reissue, ':now': at, ':files': files, ...values },
      });
    }
    // APPROVED → EXPORTED, once: a second export is refused before it writes (run-lifecycle.ts).
    return this.conditionalUpdate({
      Key: { pk: runPk(runId), sk: RUN_SK },
      ConditionExpression: `#status = :approved${claimed}`,
      UpdateExpression: 'SET #status = :exported, exported_at = :now, last_export = :files, updated_at = :now REMOVE export_claim, export_claim_at',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':approved': 'APPROVED', ':exported': 'EXPORTED', ':now': at, ':files': files, ...values },
    });
  }

  async requestReissue(runId: string, reissue: Reissue): Promise<boolean> {
    return this.conditionalUpdate({
      Key: { pk: runPk(runId), sk: RUN_SK },
      // Numbered one after the last: two concurrent requests cannot both become re-issue n.
      ConditionExpression: reissue.number === 1
        ? '#status = :exported AND attribute_not_exists(reissue) AND attribute_not_exists(export_claim)'
        : '#status = :exported AND reissue.#n = :prev AND attribute_not_exists(export_claim)',
      UpdateExpression: 'SET reissue = :r, updated_at = :now',
      ExpressionAttributeNames: { '#status': 'status', ...(reissue.number === 1 ? {} : { '#n': 'number' }) },
      ExpressionAttributeValues: { ':exported': 'EXPORTED', ':r': reissue, ':now': reissue.requested_at, ...(reissue.number === 1 ? {} : { ':prev': reissue.number - 1 }) },
    });
  }

  async approveReissue(runId: string, number: number, digest: string, by: string, at: string): Promise<boolean> {
    return this.conditionalUpdate({
      Key: { pk: runPk(runId), sk: RUN_SK },
      ConditionExpression: 'reissue.#n = :n AND reissue.digest = :digest AND attribute_not_exists(reissue.approved_by)',
      UpdateExpression: 'SET reissue.approved_by = :by, reissue.approved_at = :now, updated_at = :now',
      ExpressionAttributeNames: { '#n': 'number' },
      ExpressionAttributeValues: { ':n': number, ':digest': digest, ':by': by, ':now': at },
    });
  }

  async *listBatchPayments(_runId: string, batchId: string): AsyncIterable<RunPayment> {
    for await (const item of queryItems(this.doc, {
      TableName: this.tableName,
      IndexName: GSI2.name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': GSI2.pk },
      ExpressionAttributeValues: { ':pk': batchListPk(batchId) },
    })) yield itemToPayment(item);
  }

  // ---- settle --------------------------------------------------------------------------------

  async getRunItemsByAward(runId: string, awardIds: readonly string[]): Promise<Map<string, StoredRunItem>> {
    const keys = [...new Set(awardIds)].map((id) => ({ pk: runPk(runId), sk: runItemSk(id) }));
    const found = new Map<string, StoredRunItem>();
    for (const item of await batchGetAll(this.doc, this.tableName, keys)) {
      const runItem = itemToRunItem(item);
      found.set(runItem.award_id, runItem);
    }
    return found;
  }

  settlePayments(runId: string, key: EnvelopeKey, entries: readonly SettleEntry[], month: string, at: string, by: string): Promise<RunWriteResult> {
    const n = entries.length;
    const tx = new Transaction();
    const paid = entries.filter((e) => e.outcome === 'PAID');
    const paidFen = paid.reduce((s, e) => s + e.amount_fen, 0);
    const failedFen = entries.filter((e) => e.outcome === 'FAILED').reduce((s, e) => s + e.amount_fen, 0);
    this.checkSize(2 * n + (paid.length > 0 ? 3 : 2));
    for (const e of entries) {
      const common = {
        TableName: this.tableName,
        Key: { pk: awardPk(e.award_id), sk: AWARD_SK },
        ConditionExpression: '#status = :batched AND run_id = :run',
        ExpressionAttributeNames: { '#status': 'status' },
      };
      if (e.outcome === 'PAID') {
        const entry: HistoryEntry = { at, status: 'PAID', by, note: `paid in ${runId}, bank reference ${e.reference}` };
        tx.add('award', {
          Update: {
            ...common,
            UpdateExpression: 'SET #status = :paid, gsi1pk = :g, paid_at = :now, payment_reference = :ref, updated_at = :now, history = list_append(history, :h)',
            ExpressionAttributeValues: {
              ':batched': 'BATCHED', ':run': runId, ':paid': 'PAID', ':g': awardStatusPk('PAID', key), ':now': at, ':ref': e.reference, ':h': [entry],
            },
          },
        }, e.award_id);
      } else {
        // RETURNED, still in the run and its money still committed, until a second person releases it
        // (release-failed) or it is cancelled. The reason stays in the history.
        const entry: HistoryEntry = { at, status: 'RETURNED', by, note: `payment failed in ${runId}: ${e.reason}` };
        tx.add('award', {
          Update: {
            ...common,
            UpdateExpression: 'SET #status = :returned, gsi1pk = :g, last_payment_failure = :reason, updated_at = :now, history = list_append(history, :h)',
            ExpressionAttributeValues: {
              ':batched': 'BATCHED', ':run': runId, ':returned': 'RETURNED', ':g': awardStatusPk('RETURNED', key), ':reason': e.reason, ':now': at, ':h': [entry],
            },
          },
        }, e.award_id);
      }
    }
    for (const e of entries) {
      // Empty texts are left out: the bundled DynamoDB Local refuses empty string values.
      const texts = { ...(e.reference ? { reference: e.reference } : {}), ...(e.reason ? { reason: e.reason } : {}) };
      tx.add('run-item', {
        Update: {
          TableName: this.tableName,
          Key: { pk: runPk(runId), sk: runItemSk(e.award_id) },
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(outcome)',
          UpdateExpression: ['SET outcome = :outcome, settled_at = :now, settled_by = :by', ...Object.keys(texts).map((k) => `#${k} = :${k}`)].join(', '),
          ...(Object.keys(texts).length > 0 ? { ExpressionAttributeNames: Object.fromEntries(Object.keys(texts).map((k) => [`#${k}`, k])) } : {}),
          ExpressionAttributeValues: {
            ':outcome': e.outcome, ':now': at, ':by': by, ...Object.fromEntries(Object.entries(texts).map(([k, v]) => [`:${k}`, v])),
          },
        },
      }, e.award_id);
    }
    tx.add('envelope', {
      Update: {
        TableName: this.tableName,
        Key: { pk: envelopePk(key), sk: ENVELOPE_SK },
        ConditionExpression: 'batched_fen >= :sum',
        UpdateExpression: 'SET batched_fen = batched_fen - :sum, paid_fen = paid_fen + :paid, returned_fen = if_not_exists(returned_fen, :zero) + :failed, updated_at = :now ADD version :one',
        ExpressionAttributeValues: { ':sum': paidFen + failedFen, ':paid': paidFen, ':failed': failedFen, ':zero': 0, ':now': at, ':one': 1 },
      },
    });
    // No result is applied while a payment file is being written (a re-issue must not pay what settles meanwhile).
    tx.add('run', {
      ConditionCheck: {
        TableName: this.tableName,
        Key: { pk: runPk(runId), sk: RUN_SK },
        // A claim older than the export lease is a crashed export's: it holds nothing up.
        ConditionExpression: 'attribute_not_exists(export_claim) OR export_claim_at < :stale',
        ExpressionAttributeValues: { ':stale': new Date(Date.parse(at) - EXPORT_CLAIM_LEASE_MS).toISOString() },
      },
    });
    if (paid.length > 0) {
      tx.add('paid-month', {
        Update: {
          TableName: this.tableName,
          Key: { pk: paidMonthPk(key.fiscal_year), sk: paidMonthSk(month, key.measure) },
          UpdateExpression: 'SET #type = :type, fiscal_year = :fy, measure = :m, #month = :month, updated_at = :now ADD paid_fen :paid, paid_count :n',
          ExpressionAttributeNames: { '#type': 'type', '#month': 'month' },
          ExpressionAttributeValues: {
            ':type': 'PAID_MONTH', ':fy': key.fiscal_year, ':m': key.measure, ':month': month, ':now': at, ':paid': paidFen, ':n': paid.length,
          },
        },
      });
    }
    return tx.run(this.doc).then(toRunWriteResult);
  }

  releaseReturned(runId: string, key: EnvelopeKey, entries: readonly { award_id: string; amount_fen: number }[], by: string, at: string): Promise<RunWriteResult> {
    const sum = entries.reduce((s, e) => s + e.amount_fen, 0);
    this.checkSize(2 * entries.length + 1);
    const tx = new Transaction();
    for (const e of entries) {
      const entry: HistoryEntry = { at, status: 'RESERVED', by, note: `failed payment of ${runId} released for the next run` };
      tx.add('award', {
        Update: {
          TableName: this.tableName,
          Key: { pk: awardPk(e.award_id), sk: AWARD_SK },
          ConditionExpression: '#status = :returned AND run_id = :run',
          UpdateExpression: 'SET #status = :reserved, gsi1pk = :g, updated_at = :now, history = list_append(history, :h) REMOVE run_id, batch_id, run_seq',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':returned': 'RETURNED', ':run': runId, ':reserved': 'RESERVED', ':g': awardStatusPk('RESERVED', key), ':now': at, ':h': [entry] },
        },
      }, e.award_id);
      tx.add('run-item', {
        Update: {
          TableName: this.tableName,
          Key: { pk: runPk(runId), sk: runItemSk(e.award_id) },
          ConditionExpression: 'outcome = :failed AND attribute_not_exists(released_at)',
          UpdateExpression: 'SET released_by = :by, released_at = :now',
          ExpressionAttributeValues: { ':failed': 'FAILED', ':by': by, ':now': at },
        },
      }, e.award_id);
    }
    tx.add('envelope', {
      Update: {
        TableName: this.tableName,
        Key: { pk: envelopePk(key), sk: ENVELOPE_SK },
        ConditionExpression: 'returned_fen >= :sum',
        UpdateExpression: 'SET returned_fen = returned_fen - :sum, reserved_fen = reserved_fen + :sum, updated_at = :now ADD version :one',
        ExpressionAttributeValues: { ':sum': sum, ':now': at, ':one': 1 },
      },
    });
    return tx.run(this.doc).then(toRunWriteResult);
  }

  async readSettlementTotals(runId: string): Promise<SettlementTotals> {
    const totals: SettlementTotals = { item_count: 0, paid_count: 0, paid_fen: 0, failed_count: 0, failed_fen: 0 };
    for await (const item of this.runItems(runId, ['amount_fen', 'outcome'])) {
      totals.item_count++;
      if (item.outcome === 'PAID') { totals.paid_count++; totals.paid_fen += Number(item.amount_fen); }
      if (item.outcome === 'FAILED') { totals.failed_count++; totals.failed_fen += Number(item.amount_fen); }
    }
    return totals;
  }

  async recordSettlement(runId: string, totals: SettlementTotals, at: string): Promise<void> {
    const settled = totals.paid_count + totals.failed_count;
    const complete = settled === totals.item_count;
    // A concurrent import that read fewer settled items must not overwrite a later count.
    await this.conditionalUpdate({
      Key: { pk: runPk(runId), sk: RUN_SK },
      ConditionExpression: '#status IN (:exported, :settled) AND (attribute_not_exists(settled_count) OR settled_count <= :count)',
      UpdateExpression: [
        'SET paid_count = :pc, paid_fen = :pf, failed_count = :fc, failed_fen = :ff, settled_count = :count, updated_at = :now',
        complete ? ', #status = :settled, settled_at = if_not_exists(settled_at, :now)' : '',
      ].join(''),
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':exported': 'EXPORTED', ':settled': 'SETTLED', ':count': settled, ':pc': totals.paid_count, ':pf': totals.paid_fen,
        ':fc': totals.failed_count, ':ff': totals.failed_fen, ':now': at,
      },
    });
  }

  async paidByMonth(fiscalYear: number): Promise<PaidMonth[]> {
    const months: PaidMonth[] = [];
    for await (const item of queryItems(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': paidMonthPk(fiscalYear) },
      ConsistentRead: true,
    })) months.push({ month: String(item.month), measure: Number(item.measure), paid_fen: Number(item.paid_fen), paid_count: Number(item.paid_count) });
    return months;
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private async getHeaderItem(runId: string): Promise<Item | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: runPk(runId), sk: RUN_SK }, ConsistentRead: true }));
    return out.Item;
  }

  /** The run's items, strongly consistent, page by page. */
  private runItems(runId: string, projection?: readonly string[]): AsyncIterable<Item> {
    // Attribute names go through placeholders: some (unit, reference …) are DynamoDB reserved words.
    const names = Object.fromEntries((projection ?? []).map((name, i) => [`#p${i}`, name]));
    return queryItems(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :i)',
      ExpressionAttributeValues: { ':pk': runPk(runId), ':i': RUN_ITEM_PREFIX },
      ConsistentRead: true,
      ...(projection ? { ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names } : {}),
    });
  }

  private checkSize(items: number): void {
    checkTransactionSize(items, this.maxTransactionItems);
  }

  private conditionalUpdate(input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>): Promise<boolean> {
    return conditionalUpdate(this.doc, { TableName: this.tableName, ...input });
  }
}

/** A run transaction's refusal, read by role. */
function toRunWriteResult(outcome: TxResult): RunWriteResult {
  if (outcome.ok) return { ok: true };
  return {
    ok: false,
    staleAwards: outcome.failedIds('award'),
    staleItems: outcome.failedIds('run-item'),
    envelopeShort: outcome.failed('envelope'),
    counterMoved: outcome.failed('run-series'),
    runClosed: outcome.failed('run'),
    collided: outcome.conflict,
  };
}
