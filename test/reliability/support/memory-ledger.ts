/**
 * The Ledger port on the in-memory table (memory-table.ts): a line-by-line mirror of
 * shared/adapters/dynamo/dynamo-ledger.ts. Each method issues the same requests, in the same order,
 * with the same items, conditions and updates (written as functions instead of expression strings),
 * and turns a cancelled transaction into a WriteResult the way the adapter does, from the per-item
 * cancellation reasons. memory-store-conformance.test.ts runs one scenario suite against this and
 * the real DynamoLedger on DynamoDB Local and requires the same results and the same stored items.
 */
import { randomUUID } from 'node:crypto';
import type { Award, HistoryEntry } from '../../../shared/domain/award.ts';
import { DEFAULT_ALERT_THRESHOLDS, type Envelope, type EnvelopeKey } from '../../../shared/domain/envelope.ts';
import { TransientError } from '../../../shared/domain/errors.ts';
import type { Scheme } from '../../../shared/domain/scheme.ts';
import type { AwardQuery, BudgetAuditEntry, IntakeIssue, Ledger, QueueEntry, WriteResult } from '../../../shared/ports/ledger.ts';
import { backoff } from '../../../shared/retry/backoff.ts';
import {
  AUDIT_PREFIX, AWARD_SK, ENVELOPE_LIST_PK, ENVELOPE_SK, QUEUE_PREFIX, SCHEME_LIST_PK, SCHEME_SK, awardPk, awardStatusPk,
  awardToItem, envelopeListSk, envelopePk, intakePk, itemToAward, itemToEnvelope, itemToQueueEntry, itemToScheme,
  queueItem, queueSk, schemePk, schemeToItem,
} from '../../../shared/adapters/dynamo/items.ts';
import {
  addNumber, eq, exists, ge, ifNotExists, listAppend, notExists, plus, type IndexKey, type Item, type MemoryTable, type TxOp,
} from './memory-table.ts';

export class MemoryLedger implements Ledger {
  readonly maxTransactionItems: number;

  constructor(readonly table: MemoryTable, options: { maxTransactionItems: number }) {
    if (options.maxTransactionItems < 3) throw new RangeError('maxTransactionItems must be at least 3');
    this.maxTransactionItems = options.maxTransactionItems;
  }

  // ---- reads ---------------------------------------------------------------------------------

  async getEnvelope(key: EnvelopeKey): Promise<Envelope | undefined> {
    const item = await this.table.get(envelopePk(key), ENVELOPE_SK);
    return item ? itemToEnvelope(item) : undefined;
  }

  async listEnvelopes(fiscalYear?: number): Promise<Envelope[]> {
    const keys: EnvelopeKey[] = [];
    for await (const item of this.indexPages({ index: 'gsi2', pk: ENVELOPE_LIST_PK, ...(fiscalYear === undefined ? {} : { skBeginsWith: `${fiscalYear}#` }) })) {
      keys.push({ measure: Number(item.measure), fiscal_year: Number(item.fiscal_year) });
    }
    const envelopes = await Promise.all(keys.map((k) => this.getEnvelope(k)));
    return envelopes.filter((e): e is Envelope => e !== undefined);
  }

  async getAward(awardId: string): Promise<Award | undefined> {
    const item = await this.table.get(awardPk(awardId), AWARD_SK);
    return item ? itemToAward(item) : undefined;
  }

  async getAwards(awardIds: readonly string[]): Promise<Map<string, Award>> {
    const found = new Map<string, Award>();
    const unique = [...new Set(awardIds)];
    for (let i = 0; i < unique.length; i += 100) {
      let keys = unique.slice(i, i + 100).map((id) => ({ pk: awardPk(id), sk: AWARD_SK }));
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt > 8) throw new TransientError('BatchGetItem kept returning unprocessed keys');
        if (attempt > 0) await backoff(attempt);
        const out = await this.table.batchGet(keys);
        for (const item of out.items) {
          const award = itemToAward(item);
          found.set(award.award_id, award);
        }
        keys = out.unprocessed;
      }
    }
    return found;
  }

  async *listAwards(query: AwardQuery): AsyncIterable<Award> {
    const { status, measure, fiscal_year } = query;
    if (status !== undefined && measure !== undefined && fiscal_year !== undefined) {
      for await (const item of this.indexPages({ index: 'gsi1', pk: awardStatusPk(status, { measure, fiscal_year }) })) yield itemToAward(item);
      return;
    }
    const items = await this.table.scan((it) => it.type === 'AWARD'
      && (status === undefined || it.status === status)
      && (measure === undefined || it.measure === measure)
      && (fiscal_year === undefined || it.fiscal_year === fiscal_year));
    for (const item of items) yield itemToAward(item);
  }

  async getScheme(schemeId: string): Promise<Scheme | undefined> {
    const item = await this.table.get(schemePk(schemeId), SCHEME_SK);
    return item ? itemToScheme(item) : undefined;
  }

  async putScheme(scheme: Scheme): Promise<'created' | 'updated' | 'unchanged'> {
    const existing = await this.getScheme(scheme.scheme_id);
    if (existing && JSON.stringify(existing) === JSON.stringify(scheme)) return 'unchanged';
    await this.table.put(schemeToItem(scheme));
    return existing ? 'updated' : 'created';
  }

  async listSchemes(): Promise<Scheme[]> {
    const schemes: Scheme[] = [];
    for await (const item of this.indexPages({ index: 'gsi2', pk: SCHEME_LIST_PK })) schemes.push(itemToScheme(item));
    return schemes;
  }

  async queueHead(key: EnvelopeKey, limit: number): Promise<QueueEntry[]> {
    const out = await this.table.query({ pk: envelopePk(key), skBeginsWith: QUEUE_PREFIX, limit });
    return out.items.map(itemToQueueEntry);
  }

  async listBudgetAudit(key: EnvelopeKey): Promise<BudgetAuditEntry[]> {
    const entries: BudgetAuditEntry[] = [];
    for await (const item of this.tablePages(envelopePk(key), AUDIT_PREFIX)) {
      const { at, by, old_budget_fen, new_budget_fen, alert_at } = item as unknown as BudgetAuditEntry;
      entries.push({ at, by, old_budget_fen: old_budget_fen ?? null, new_budget_fen, ...(alert_at ? { alert_at } : {}) });
    }
    return entries;
  }

  async listIntakeIssues(submissionId: string): Promise<IntakeIssue[]> {
    const issues: IntakeIssue[] = [];
    for await (const item of this.tablePages(intakePk(submissionId))) {
      const { pk: _pk, sk: _sk, type: _type, ...issue } = item;
      issues.push(issue as unknown as IntakeIssue);
    }
    return issues;
  }

  // ---- writes --------------------------------------------------------------------------------

  insertRejected(award: Award): Promise<WriteResult> {
    return this.transact([putAward(award)], { awardIndexes: [award.award_id] });
  }

  reserveNew(key: EnvelopeKey, awards: readonly Award[]): Promise<WriteResult> {
    this.checkSize(awards.length + 1);
    const sum = sumOf(awards);
    const now = latest(awards);
    return this.transact(
      [
        ...awards.map(putAward),
        {
          type: 'Update', pk: envelopePk(key), sk: ENVELOPE_SK,
          condition: (it) => eq(it, 'budget_set', true) && eq(it, 'waitlisted_count', 0) && ge(it, 'available_fen', sum),
          mutate: (d) => { plus(d, 'available_fen', -sum); plus(d, 'reserved_fen', sum); d.updated_at = now; addNumber(d, 'version', 1); },
        },
      ],
      { awardIndexes: awards.map((a) => a.award_id), envelopeIndex: awards.length },
    );
  }

  waitlistNew(key: EnvelopeKey, awards: readonly Award[]): Promise<WriteResult> {
    this.checkSize(awards.length * 2 + 1);
    const awardIds: (string | undefined)[] = [];
    const ops: TxOp[] = [];
    for (const award of awards) {
      ops.push(putAward(award), { type: 'Put', item: queueItem(key, award) });
      awardIds.push(award.award_id, undefined);
    }
    const sum = sumOf(awards);
    const now = latest(awards);
    ops.push({
      type: 'Update', pk: envelopePk(key), sk: ENVELOPE_SK,
      mutate: (d) => {
        d.measure = key.measure;
        d.fiscal_year = key.fiscal_year;
        ifNotExists(d, 'budget_set', false);
        for (const name of ['budget_fen', 'reserved_fen', 'batched_fen', 'paid_fen', 'available_fen']) ifNotExists(d, name, 0);
        ifNotExists(d, 'alert_at', [...DEFAULT_ALERT_THRESHOLDS]);
        d.gsi2pk = ENVELOPE_LIST_PK;
        d.gsi2sk = envelopeListSk(key);
        d.updated_at = now;
        addNumber(d, 'waitlisted_count', awards.length);
        addNumber(d, 'waitlisted_fen', sum);
        addNumber(d, 'queue_seq', 1);
        addNumber(d, 'version', 1);
      },
    });
    return this.transact(ops, { awardIndexes: awardIds, envelopeIndex: ops.length - 1 });
  }

  reserveFromQueue(
    key: EnvelopeKey, queueSeq: number, entries: readonly QueueEntry[], at: string, reservedAtIntake?: ReadonlySet<string>,
  ): Promise<WriteResult> {
    this.checkSize(entries.length * 2 + 1);
    const history: HistoryEntry = { at, status: 'RESERVED', note: 'reserved from the waitlist' };
    const ops: TxOp[] = [];
    for (const entry of entries) {
      ops.push(
        {
          type: 'Update', pk: awardPk(entry.award_id), sk: AWARD_SK,
          condition: (it) => eq(it, 'status', 'WAITLISTED'),
          mutate: (d) => {
            d.status = 'RESERVED';
            if (reservedAtIntake?.has(entry.award_id)) d.intake_outcome = 'RESERVED';
            d.gsi1pk = awardStatusPk('RESERVED', key);
            d.updated_at = at;
            listAppend(d, 'history', [history]);
            delete d.reason;
          },
        },
        { type: 'Delete', pk: envelopePk(key), sk: queueSk(entry), condition: (it) => exists(it, 'pk') },
      );
    }
    const sum = entries.reduce((s, e) => s + e.amount_fen, 0);
    ops.push({
      type: 'Update', pk: envelopePk(key), sk: ENVELOPE_SK,
      condition: (it) => eq(it, 'queue_seq', queueSeq) && eq(it, 'budget_set', true) && ge(it, 'available_fen', sum),
      mutate: (d) => {
        plus(d, 'available_fen', -sum);
        plus(d, 'reserved_fen', sum);
        plus(d, 'waitlisted_fen', -sum);
        plus(d, 'waitlisted_count', -entries.length);
        d.updated_at = at;
        addNumber(d, 'version', 1);
      },
    });
    return this.transact(ops, { envelopeIndex: ops.length - 1 });
  }

  writeBudget(
    key: EnvelopeKey,
    expectedVersion: number | undefined,
    figures: { budget_fen: number; available_fen: number; alert_at: number[] },
    audit: BudgetAuditEntry,
  ): Promise<WriteResult> {
    return this.transact(
      [
        {
          type: 'Update', pk: envelopePk(key), sk: ENVELOPE_SK,
          condition: (it) => (expectedVersion === undefined ? notExists(it, 'pk') : eq(it, 'version', expectedVersion)),
          mutate: (d) => {
            d.measure = key.measure;
            d.fiscal_year = key.fiscal_year;
            d.budget_set = true;
            d.budget_fen = figures.budget_fen;
            d.available_fen = figures.available_fen;
            d.alert_at = [...figures.alert_at];
            for (const name of ['reserved_fen', 'batched_fen', 'paid_fen', 'waitlisted_fen', 'waitlisted_count', 'queue_seq']) ifNotExists(d, name, 0);
            d.gsi2pk = ENVELOPE_LIST_PK;
            d.gsi2sk = envelopeListSk(key);
            d.updated_at = audit.at;
            addNumber(d, 'version', 1);
          },
        },
        { type: 'Put', item: { pk: envelopePk(key), sk: `${AUDIT_PREFIX}${audit.at}#${randomUUID()}`, type: 'BUDGET_AUDIT', ...audit } },
      ],
      { envelopeIndex: 0 },
    );
  }

  cancelReserved(award: Award, entry: HistoryEntry): Promise<WriteResult> {
    return this.transact(
      [
        cancelAwardUpdate(award, 'RESERVED', entry),
        {
          type: 'Update', pk: envelopePk(award), sk: ENVELOPE_SK,
          condition: (it) => ge(it, 'reserved_fen', award.amount_fen),
          mutate: (d) => {
            plus(d, 'reserved_fen', -award.amount_fen);
            plus(d, 'available_fen', award.amount_fen);
            d.updated_at = entry.at;
            addNumber(d, 'version', 1);
          },
        },
      ],
      { envelopeIndex: 1 },
    );
  }

  cancelWaitlisted(award: Award, entry: HistoryEntry): Promise<WriteResult> {
    return this.transact(
      [
        cancelAwardUpdate(award, 'WAITLISTED', entry),
        { type: 'Delete', pk: envelopePk(award), sk: queueSk(award), condition: (it) => exists(it, 'pk') },
        {
          type: 'Update', pk: envelopePk(award), sk: ENVELOPE_SK,
          condition: (it) => ge(it, 'waitlisted_count', 1) && ge(it, 'waitlisted_fen', award.amount_fen),
          mutate: (d) => {
            plus(d, 'waitlisted_count', -1);
            plus(d, 'waitlisted_fen', -award.amount_fen);
            d.updated_at = entry.at;
            addNumber(d, 'version', 1);
          },
        },
      ],
      { envelopeIndex: 2 },
    );
  }

  async recordIntakeIssue(issue: IntakeIssue): Promise<void> {
    await this.table.put({ pk: intakePk(issue.submission_id), sk: `LINE#${String(issue.line).padStart(9, '0')}`, type: 'INTAKE_ISSUE', ...issue });
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private checkSize(items: number): void {
    if (items > this.maxTransactionItems) {
      throw new RangeError(`a transaction of ${items} items exceeds the limit of ${this.maxTransactionItems}`);
    }
  }

  /** As DynamoLedger.transact: a cancellation becomes a WriteResult read from the per-item reasons. */
  private async transact(ops: TxOp[], roles: { awardIndexes?: (string | undefined)[]; envelopeIndex?: number }): Promise<WriteResult> {
    try {
      await this.table.transact(ops);
      return { ok: true };
    } catch (error) {
      const e = error as { name?: string; CancellationReasons?: { Code?: string }[] };
      if (e.name === 'TransactionCanceledException') {
        const codes = (e.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
        const failedAt = (i: number) => codes[i] === 'ConditionalCheckFailed';
        return {
          ok: false,
          envelopeChanged: roles.envelopeIndex !== undefined && failedAt(roles.envelopeIndex),
          existingAwards: (roles.awardIndexes ?? []).flatMap((id, i) => (id !== undefined && failedAt(i) ? [id] : [])),
          collided: codes.some((c) => c === 'TransactionConflict') || codes.length === 0,
        };
      }
      if (e.name === 'TransactionConflictException' || e.name === 'TransactionInProgressException') {
        return { ok: false, envelopeChanged: false, existingAwards: [], collided: true };
      }
      throw error;
    }
  }

  private async *tablePages(pk: string, skBeginsWith?: string): AsyncIterable<Item> {
    let start: string | undefined;
    do {
      const out = await this.table.query({ pk, ...(skBeginsWith === undefined ? {} : { skBeginsWith }), ...(start === undefined ? {} : { startAfter: start }) });
      yield* out.items;
      start = out.lastKey;
    } while (start !== undefined);
  }

  private async *indexPages(q: { index: 'gsi1' | 'gsi2'; pk: string; skBeginsWith?: string }): AsyncIterable<Item> {
    let start: IndexKey | undefined;
    do {
      const out = await this.table.queryIndex({ ...q, ...(start === undefined ? {} : { startAfter: start }) });
      yield* out.items;
      start = out.lastKey;
    } while (start !== undefined);
  }
}

function putAward(award: Award): TxOp {
  return { type: 'Put', item: awardToItem(award), condition: (it) => notExists(it, 'pk') };
}

function cancelAwardUpdate(award: Award, from: 'RESERVED' | 'WAITLISTED', entry: HistoryEntry): TxOp {
  return {
    type: 'Update', pk: awardPk(award.award_id), sk: AWARD_SK,
    condition: (it) => eq(it, 'status', from),
    mutate: (d) => {
      d.status = 'CANCELLED';
      d.reason = entry.note ?? 'cancelled';
      d.gsi1pk = awardStatusPk('CANCELLED', award);
      d.updated_at = entry.at;
      listAppend(d, 'history', [entry]);
    },
  };
}

const sumOf = (awards: readonly Award[]) => awards.reduce((s, a) => s + a.amount_fen, 0);
const latest = (awards: readonly Award[]) => awards.reduce((t, a) => (a.updated_at > t ? a.updated_at : t), '');
