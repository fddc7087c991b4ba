import { randomUUID } from 'node:crypto';
import { batchGetAll, queryItems, scanItems } from './operations.ts';
import { Transaction, checkTransactionSize, type TxItem } from './transaction.ts';
import {
  GetCommand, PutCommand, QueryCommand,
  type DynamoDBDocumentClient, type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Award, HistoryEntry } from '../../domain/award.ts';
import { DEFAULT_ALERT_THRESHOLDS, envelopeId, type Envelope, type EnvelopeKey } from '../../domain/envelope.ts';
import type { Scheme } from '../../domain/scheme.ts';
import type {
  AwardQuery, BudgetAuditEntry, IntakeIssue, Ledger, QueueEntry, WriteResult,
} from '../../ports/ledger.ts';
import { GSI1, GSI2 } from './table-schema.ts';
import type { BudgetTransfer } from '../../domain/budget-transfer.ts';
import { ENVELOPE_OPEN, readTransfer, transferTransaction } from './dynamo-transfer.ts';
import type { EnterpriseGate } from '../../domain/enterprise-controls.ts';
import { enterpriseCountItem, releaseControls } from './enterprise-items.ts';
import { DynamoControls } from './dynamo-controls.ts';
import {
  AUDIT_PREFIX, AWARD_SK, ENVELOPE_LIST_PK, ENVELOPE_SK, QUEUE_PREFIX, SCHEME_SK, awardPk, awardStatusPk,
  awardToItem, envelopeListSk, envelopePk, intakePk, itemToAward, itemToEnvelope, itemToQueueEntry,
  itemToScheme, queueItem, queueSk, schemePk, schemeToItem, SCHEME_LIST_PK,
} from './items.ts';
import { runItemSk, runPk } from './run-items.ts';


export interface DynamoLedgerOptions {
  /** Items one transaction may hold: 100 in AWS, 10 on the bundled DynamoDB Local. */
  maxTransactionItems: number;
}

/** The Ledger port on one DynamoDB table. Every multi-item change is one TransactWriteItems call. */
export class DynamoLedger implements Ledger {
  readonly maxTransactionItems: number;
  /** Issue 14's controls (enterprise records, credit restrictions, holds) on the same table. */
  readonly controls: DynamoControls;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: DynamoLedgerOptions,
  ) {
    if (options.maxTransactionItems < 3) throw new RangeError('maxTransactionItems must be at least 3');
    this.maxTransactionItems = options.maxTransactionItems;
    this.controls = new DynamoControls(doc, tableName);
  }

  // ---- reads ---------------------------------------------------------------------------------

  async getEnvelope(key: EnvelopeKey): Promise<Envelope | undefined> {
    const out = await this.doc.send(new GetCommand({
      TableName: this.tableName, Key: { pk: envelopePk(key), sk: ENVELOPE_SK }, ConsistentRead: true,
    }));
    return out.Item ? itemToEnvelope(out.Item) : undefined;
  }

  async listEnvelopes(fiscalYear?: number): Promise<Envelope[]> {
    const input: QueryCommandInput = {
      TableName: this.tableName,
      IndexName: GSI2.name,
      KeyConditionExpression: fiscalYear === undefined ? '#pk = :pk' : '#pk = :pk AND begins_with(#sk, :fy)',
      ExpressionAttributeNames: fiscalYear === undefined ? { '#pk': GSI2.pk } : { '#pk': GSI2.pk, '#sk': GSI2.sk },
      ExpressionAttributeValues: fiscalYear === undefined ? { ':pk': ENVELOPE_LIST_PK } : { ':pk': ENVELOPE_LIST_PK, ':fy': `${fiscalYear}#` },
    };
    // The index is eventually consistent; it only tells which envelopes exist, the figures are re-read.
    const keys: EnvelopeKey[] = [];
    const keysOnly = { ...input, ProjectionExpression: '#m, #fy', ExpressionAttributeNames: { ...input.ExpressionAttributeNames, '#m': 'measure', '#fy': 'fiscal_year' } };
    for await (const item of queryItems(this.doc, keysOnly)) keys.push({ measure: Number(item.measure), fiscal_year: Number(item.fiscal_year) });
    // One strongly consistent BatchGetItem per 100 envelopes, not one GetItem each (27 a year).
    const found = new Map((await batchGetAll(this.doc, this.tableName, keys.map((k) => ({ pk: envelopePk(k), sk: ENVELOPE_SK }))))
      .map((item) => { const e = itemToEnvelope(item); return [envelopeId(e), e] as const; }));
    return keys.flatMap((k) => found.get(envelopeId(k)) ?? []);
  }

  async getAward(awardId: string): Promise<Award | undefined> {
    const out = await this.doc.send(new GetCommand({
      TableName: this.tableName, Key: { pk: awardPk(awardId), sk: AWARD_SK }, ConsistentRead: true,
    }));
    return out.Item ? itemToAward(out.Item) : undefined;
  }

  async getAwards(awardIds: readonly string[]): Promise<Map<string, Award>> {
    const keys = [...new Set(awardIds)].map((id) => ({ pk: awardPk(id), sk: AWARD_SK }));
    const found = new Map<string, Award>();
    for (const item of await batchGetAll(this.doc, this.tableName, keys)) {
      const award = itemToAward(item);
      found.set(award.award_id, award);
    }
    return found;
  }

  async *listAwards(query: AwardQuery): AsyncIterable<Award> {
    const { status, measure, fiscal_year } = query;
    if (status !== undefined && measure !== undefined && fiscal_year !== undefined) {
      yield* mapAsync(queryItems(this.doc, {
        TableName: this.tableName,
        IndexName: GSI1.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': GSI1.pk },
        ExpressionAttributeValues: { ':pk': awardStatusPk(status, { measure, fiscal_year }) },
      }), itemToAward);
      return;
    }
    // Any other combination is an administrative listing: a filtered, paginated scan.
    const filters = ['#type = :award'];
    const names: Record<string, string> = { '#type': 'type' };
    const values: Record<string, unknown> = { ':award': 'AWARD' };
    if (status !== undefined) { filters.push('#status = :status'); names['#status'] = 'status'; values[':status'] = status; }
    if (measure !== undefined) { filters.push('#measure = :measure'); names['#measure'] = 'measure'; values[':measure'] = measure; }
    if (fiscal_year !== undefined) { filters.push('#fy = :fy'); names['#fy'] = 'fiscal_year'; values[':fy'] = fiscal_year; }
    yield* mapAsync(scanItems(this.doc, {
      TableName: this.tableName,
      FilterExpression: filters.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }), itemToAward);
  }

  async *listAwardAmounts({ status, measure, fiscal_year }: Required<AwardQuery>): AsyncIterable<{ created_at: string; amount_fen: number }> {
    for await (const item of queryItems(this.doc, {
      TableName: this.tableName,
      IndexName: GSI1.name,
      KeyConditionExpression: '#pk = :pk',
      ProjectionExpression: '#created, #amount',
      ExpressionAttributeNames: { '#pk': GSI1.pk, '#created': 'created_at', '#amount': 'amount_fen' },
      ExpressionAttributeValues: { ':pk': awardStatusPk(status, { measure, fiscal_year }) },
    })) yield { created_at: String(item.created_at), amount_fen: Number(item.amount_fen) };
  }

  async getScheme(schemeId: string): Promise<Scheme | undefined> {
    const out = await this.doc.send(new GetCommand({
      TableName: this.tableName, Key: { pk: schemePk(schemeId), sk: SCHEME_SK }, ConsistentRead: true,
    }));
    return out.Item ? itemToScheme(out.Item) : undefined;
  }

  async putScheme(scheme: Scheme): Promise<'created' | 'updated' | 'unchanged'> {
    const existing = await this.getScheme(scheme.scheme_id);
    if (existing && JSON.stringify(existing) === JSON.stringify(scheme)) return 'unchanged';
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: schemeToItem(scheme) }));
    return existing ? 'updated' : 'created';
  }

  async listSchemes(): Promise<Scheme[]> {
    const schemes: Scheme[] = [];
    for await (const item of queryItems(this.doc, {
      TableName: this.tableName,
      IndexName: GSI2.name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': GSI2.pk },
      ExpressionAttributeValues: { ':pk': SCHEME_LIST_PK },
    })) schemes.push(itemToScheme(item));
    return schemes;
  }

  async queueHead(key: EnvelopeKey, limit: number): Promise<QueueEntry[]> {
    const out = await this.doc.send(new QueryCommand({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :q)',
      ExpressionAttributeValues: { ':pk': envelopePk(key), ':q': QUEUE_PREFIX },
      ConsistentRead: true,
      Limit: limit,
    }));
    return (out.Items ?? []).map(itemToQueueEntry);
  }

  async listBudgetAudit(key: EnvelopeKey): Promise<BudgetAuditEntry[]> {
    const entries: BudgetAuditEntry[] = [];
    for await (const item of queryItems(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)',
      ExpressionAttributeValues: { ':pk': envelopePk(key), ':a': AUDIT_PREFIX },
      ConsistentRead: true,
    })) {
      const { at, by, old_budget_fen, new_budget_fen, alert_at, transfer, enterprise_cap_fen } = item as unknown as BudgetAuditEntry;
      entries.push({
        at, by, old_budget_fen: old_budget_fen ?? null, new_budget_fen, ...(alert_at ? { alert_at } : {}), ...(transfer ? { transfer } : {}),
        ...(enterprise_cap_fen !== undefined ? { enterprise_cap_fen } : {}),
      });
    }
    return entries;
  }

  async listIntakeIssues(submissionId: string): Promise<IntakeIssue[]> {
    const issues: IntakeIssue[] = [];
    for await (const item of queryItems(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': intakePk(submissionId) },
      ConsistentRead: true,
    })) {
      const { pk: _pk, sk: _sk, type: _type, ...issue } = item;
      issues.push(issue as unknown as IntakeIssue);
    }
    return issues;
  }

  // ---- writes --------------------------------------------------------------------------------

  insertRejected(award: Award): Promise<WriteResult> {
    return this.write(new Transaction().add('award', putAward(this.tableName, award), award.award_id));
  }

  reserveNew(key: EnvelopeKey, awards: readonly Award[], gates?: ReadonlyMap<string, EnterpriseGate>): Promise<WriteResult> {
    this.checkSize(awards.length * (gates ? 2 : 1) + 1);
    const sum = sumOf(awards);
    const tx = new Transaction();
    for (const a of awards) tx.add('award', putAward(this.tableName, a), a.award_id);
    addEnterpriseCounts(tx, this.tableName, awards, gates);
    return this.write(tx.add('envelope', {
          Update: {
            TableName: this.tableName,
            Key: { pk: envelopePk(key), sk: ENVELOPE_SK },
            // The store re-checks the plan: budget set, nobody waiting, and the whole sum still available.
            // (and, since year end, the envelope's year not closed)
            ConditionExpression: `budget_set = :true AND waitlisted_count = :zero AND available_fen >= :sum AND ${ENVELOPE_OPEN}`,
            UpdateExpression: 'SET available_fen = available_fen - :sum, reserved_fen = reserved_fen + :sum, updated_at = :now ADD version :one',
            ExpressionAttributeNames: { '#st': 'status' },
            ExpressionAttributeValues: { ':true': true, ':zero': 0, ':sum': sum, ':now': latest(awards), ':one': 1, ':closed': 'CLOSED' },
          },
    }));
  }

  waitlistNew(key: EnvelopeKey, awards: readonly Award[], gates?: ReadonlyMap<string, EnterpriseGate>): Promise<WriteResult> {
    this.checkSize(awards.length * (gates ? 3 : 2) + 1);
    const tx = new Transaction();
    for (const award of awards) {
      tx.add('award', putAward(this.tableName, award), award.award_id)
        .add('queue-entry', { Put: { TableName: this.tableName, Item: queueItem(key, award) } }, award.award_id);
    }
    addEnterpriseCounts(tx, this.tableName, awards, gates);
    tx.add('envelope', {
      Update: {
        TableName: this.tableName,
        Key: { pk: envelopePk(key), sk: ENVELOPE_SK },
        // Creates a placeholder envelope (budget not set) when awards wait for a budget that does not exist yet.
        ConditionExpression: ENVELOPE_OPEN,
        UpdateExpression: [
          'SET measure = :m, fiscal_year = :fy, budget_set = if_not_exists(budget_set, :false),',
          'budget_fen = if_not_exists(budget_fen, :zero), reserved_fen = if_not_exists(reserved_fen, :zero),',
          'batched_fen = if_not_exists(batched_fen, :zero), paid_fen = if_not_exists(paid_fen, :zero),',
          'available_fen = if_not_exists(available_fen, :zero), alert_at = if_not_exists(alert_at, :alerts),',
          'gsi2pk = :listPk, gsi2sk = :listSk, updated_at = :now',
          'ADD waitlisted_count :n, waitlisted_fen :sum, queue_seq :one, version :one',
        ].join(' '),
        ExpressionAttributeValues: {
          ':m': key.measure, ':fy': key.fiscal_year, ':false': false, ':zero': 0, ':alerts': [...DEFAULT_ALERT_THRESHOLDS],
          ':listPk': ENVELOPE_LIST_PK, ':listSk': envelopeListSk(key), ':now': latest(awards),
          ':n': awards.length, ':sum': sumOf(awards), ':one': 1, ':closed': 'CLOSED',
        },
        ExpressionAttributeNames: { '#st': 'status' },
      },
    });
    return this.write(tx);
  }

  reserveFromQueue(
    key: EnvelopeKey, queueSeq: number, entries: readonly QueueEntry[], at: string, reservedAtIntake?: ReadonlySet<string>,
  ): Promise<WriteResult> {
    this.checkSize(entries.length * 2 + 1);
    const history: HistoryEntry = { at, status: 'RESERVED', note: 'reserved from the waitlist' };
    const tx = new Transaction();
    for (const entry of entries) {
      tx.add('award', {
          Update: {
            TableName: this.tableName,
            Key: { pk: awardPk(entry.award_id), sk: AWARD_SK },
            ConditionExpression: '#status = :waitlisted',
            UpdateExpression: `SET #status = :reserved, gsi1pk = :gsi1pk, updated_at = :now, history = list_append(history, :h)${
              reservedAtIntake?.has(entry.award_id) ? ', intake_outcome = :reserved' : ''} REMOVE reason`,
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':waitlisted': 'WAITLISTED', ':reserved': 'RESERVED', ':gsi1pk': awardStatusPk('RESERVED', key),
              ':now': at, ':h': [history],
            },
          },
        }, entry.award_id)
        .add('queue-entry', {
          Delete: {
            TableName: this.tableName,
            Key: { pk: envelopePk(key), sk: queueSk(entry) },
            ConditionExpression: 'attribute_exists(pk)',
          },
        }, entry.award_id);
    }
    const sum = entries.reduce((s, e) => s + e.amount_fen, 0);
    tx.add('envelope', {
      Update: {
        TableName: this.tableName,
        Key: { pk: envelopePk(key), sk: ENVELOPE_SK },
        // queue_seq proves no award joined the queue since its head was read, so we serve the true head.
        ConditionExpression: `queue_seq = :seq AND budget_set = :true AND available_fen >= :sum AND ${ENVELOPE_OPEN}`,
        ExpressionAttributeNames: { '#st': 'status' },
        UpdateExpression: [
          'SET available_fen = available_fen - :sum, reserved_fen = reserved_fen + :sum,',
          'waitlisted_fen = waitlisted_fen - :sum, waitlisted_count = waitlisted_count - :n, updated_at = :now',
          'ADD version :one',
        ].join(' '),
        ExpressionAttributeValues: { ':seq': queueSeq, ':true': true, ':sum': sum, ':n': entries.length, ':now': at, ':one': 1, ':closed': 'CLOSED' },
      },
    });
    // Only the envelope's refusal is reported here: the caller re-reads the queue head on any refusal.
    return this.write(tx, { awards: false });
  }

  writeBudget(
    key: EnvelopeKey,
    expectedVersion: number | undefined,
    figures: { budget_fen: number; available_fen: number; alert_at: number[]; enterprise_cap_fen?: number },
    audit: BudgetAuditEntry,
  ): Promise<WriteResult> {
    const condition = expectedVersion === undefined ? 'attribute_not_exists(pk)' : 'version = :v';
    return this.write(new Transaction()
      .add('envelope', {
          Update: {
            TableName: this.tableName,
            Key: { pk: envelopePk(key), sk: ENVELOPE_SK },
            ConditionExpression: condition,
            UpdateExpression: [
              'SET measure = :m, fiscal_year = :fy, budget_set = :true, budget_fen = :budget, available_fen = :available,',
              'alert_at = :alerts, reserved_fen = if_not_exists(reserved_fen, :zero), batched_fen = if_not_exists(batched_fen, :zero),',
              'paid_fen = if_not_exists(paid_fen, :zero), waitlisted_fen = if_not_exists(waitlisted_fen, :zero),',
              'waitlisted_count = if_not_exists(waitlisted_count, :zero), queue_seq = if_not_exists(queue_seq, :zero),',
              `gsi2pk = :listPk, gsi2sk = :listSk, updated_at = :now${figures.enterprise_cap_fen !== undefined ? ', enterprise_cap_fen = :cap' : ''}`,
              'ADD version :one',
            ].join(' '),
            ExpressionAttributeValues: {
              ...(expectedVersion === undefined ? {} : { ':v': expectedVersion }),
              ...(figures.enterprise_cap_fen !== undefined ? { ':cap': figures.enterprise_cap_fen } : {}),
              ':m': key.measure, ':fy': key.fiscal_year, ':true': true, ':budget': figures.budget_fen,
              ':available': figures.available_fen, ':alerts': figures.alert_at, ':zero': 0,
              ':listPk': ENVELOPE_LIST_PK, ':listSk': envelopeListSk(key), ':now': audit.at, ':one': 1,
            },
          },
      })
      .add('budget-audit', {
          Put: {
            TableName: this.tableName,
            Item: { pk: envelopePk(key), sk: `${AUDIT_PREFIX}${audit.at}#${randomUUID()}`, type: 'BUDGET_AUDIT', ...audit },
          },
      }));
  }

  writeTransfer(transfer: BudgetTransfer, versions: { from: number; to: number | undefined }, budgets: { from: number; to: number | null }): Promise<WriteResult> {
    return this.write(transferTransaction(this.tableName, transfer, versions, budgets), { awards: false });
  }

  getTransfer(transferId: string): Promise<BudgetTransfer | undefined> {
    return readTransfer(this.doc, this.tableName, transferId);
  }

  cancelReserved(award: Award, entry: HistoryEntry): Promise<WriteResult> {
    return this.write(new Transaction()
      .add('award', cancelAwardUpdate(this.tableName, award, 'RESERVED', entry), award.award_id)
      .addAll(releaseControls(this.tableName, award))
      .add('envelope', {
          Update: {
            TableName: this.tableName,
            Key: { pk: envelopePk(award), sk: ENVELOPE_SK },
            ConditionExpression: 'reserved_fen >= :amt',
            UpdateExpression: 'SET reserved_fen = reserved_fen - :amt, available_fen = available_fen + :amt, updated_at = :now ADD version :one',
            ExpressionAttributeValues: { ':amt': award.amount_fen, ':now': entry.at, ':one': 1 },
          },
      }), { awards: false });
  }

  cancelWaitlisted(award: Award, entry: HistoryEntry): Promise<WriteResult> {
    return this.write(new Transaction()
      .add('award', cancelAwardUpdate(this.tableName, award, 'WAITLISTED', entry), award.award_id)
      .addAll(releaseControls(this.tableName, award))
      .add('queue-entry', {
          Delete: {
            TableName: this.tableName,
            Key: { pk: envelopePk(award), sk: queueSk(award) },
            ConditionExpression: 'attribute_exists(pk)',
          },
      }, award.award_id)
      .add('envelope', {
          Update: {
            TableName: this.tableName,
            Key: { pk: envelopePk(award), sk: ENVELOPE_SK },
            ConditionExpression: 'waitlisted_count >= :one AND waitlisted_fen >= :amt',
            UpdateExpression: 'SET waitlisted_count = waitlisted_count - :one, waitlisted_fen = waitlisted_fen - :amt, updated_at = :now ADD version :one',
            ExpressionAttributeValues: { ':amt': award.amount_fen, ':now': entry.at, ':one': 1 },
          },
      }), { awards: false });
  }

  cancelReturned(award: Award, entry: HistoryEntry): Promise<WriteResult> {
    const runId = award.run_id;
    if (runId === undefined) throw new RangeError(`RETURNED award ${award.award_id} names no run`);
    return this.write(new Transaction()
      .add('award', {
        Update: {
          TableName: this.tableName,
          Key: { pk: awardPk(award.award_id), sk: AWARD_SK },
          // updated_at binds the write to the award as read: the importer the caller checked four eyes
          // against is the one in this version's history. run_id stays: it names where the payment failed.
          ConditionExpression: '#status = :returned AND run_id = :run AND updated_at = :seen',
          UpdateExpression: 'SET #status = :cancelled, reason = :reason, gsi1pk = :gsi1pk, updated_at = :now, history = list_append(history, :h)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':returned': 'RETURNED', ':run': runId, ':seen': award.updated_at, ':cancelled': 'CANCELLED', ':reason': entry.note ?? 'cancelled',
            ':gsi1pk': awardStatusPk('CANCELLED', award), ':now': entry.at, ':h': [entry],
          },
        },
      }, award.award_id)
      // The failed payment is decided, as release-failed marks it: release-failed will not pick it up again.
      .add('run-item', {
        Update: {
          TableName: this.tableName,
          Key: { pk: runPk(runId), sk: runItemSk(award.award_id) },
          ConditionExpression: 'outcome = :failed AND attribute_not_exists(released_at)',
          UpdateExpression: 'SET released_by = :by, released_at = :now',
          ExpressionAttributeValues: { ':failed': 'FAILED', ':by': entry.by ?? 'unknown', ':now': entry.at },
        },
      }, award.award_id)
      .addAll(releaseControls(this.tableName, award))
      .add('envelope', {
        Update: {
          TableName: this.tableName,
          Key: { pk: envelopePk(award), sk: ENVELOPE_SK },
          ConditionExpression: 'returned_fen >= :amt',
          UpdateExpression: 'SET returned_fen = returned_fen - :amt, available_fen = available_fen + :amt, updated_at = :now ADD version :one',
          ExpressionAttributeValues: { ':amt': award.amount_fen, ':now': entry.at, ':one': 1 },
        },
      }), { awards: false });
  }

  async recordIntakeIssue(issue: IntakeIssue): Promise<void> {
    await this.doc.send(new PutCommand({
      TableName: this.tableName,
      Item: { pk: intakePk(issue.submission_id), sk: `LINE#${String(issue.line).padStart(9, '0')}`, type: 'INTAKE_ISSUE', ...issue },
    }));
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private checkSize(items: number): void {
    checkTransactionSize(items, this.maxTransactionItems);
  }

  /**
   * Run one transaction and translate a refusal into a WriteResult: the envelope's condition, and
   * (unless `awards` is false: their refusal is not an "exists") which awards' conditions failed.
   */
  private async write(tx: Transaction, report: { awards: boolean } = { awards: true }): Promise<WriteResult> {
    const outcome = await tx.run(this.doc);
    if (outcome.ok) return { ok: true };
    return {
      ok: false,
      envelopeChanged: outcome.failed('envelope'),
      existingAwards: report.awards ? outcome.failedIds('award') : [],
      collided: outcome.conflict,
      ...(outcome.failed('enterprise') ? { controlsChanged: outcome.failedIds('enterprise') } : {}),
    };
  }

}

function putAward(tableName: string, award: Award): TxItem {
  return { Put: { TableName: tableName, Item: awardToItem(award), ConditionExpression: 'attribute_not_exists(pk)' } };
}

function cancelAwardUpdate(tableName: string, award: Award, from: 'RESERVED' | 'WAITLISTED', entry: HistoryEntry): TxItem {
  return {
    Update: {
      TableName: tableName,
      Key: { pk: awardPk(award.award_id), sk: AWARD_SK },
      // Still in the year it was read in: a year close may have carried it (and its money) to the next.
      ConditionExpression: '#status = :from AND fiscal_year = :fy',
      UpdateExpression: 'SET #status = :cancelled, reason = :reason, gsi1pk = :gsi1pk, updated_at = :now, history = list_append(history, :h)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':from': from, ':fy': award.fiscal_year, ':cancelled': 'CANCELLED', ':reason': entry.note ?? 'cancelled',
        ':gsi1pk': awardStatusPk('CANCELLED', award), ':now': entry.at, ':h': [entry],
      },
    },
  };
}

/** Issue 14: count each gated award in its enterprise's controls record, in the award's own transaction. */
function addEnterpriseCounts(tx: Transaction, tableName: string, awards: readonly Award[], gates: ReadonlyMap<string, EnterpriseGate> | undefined): void {
  if (!gates) return;
  for (const a of awards) {
    const gate = gates.get(a.award_id);
    if (gate) tx.add('enterprise', enterpriseCountItem(tableName, a, gate), a.award_id);
  }
}

const sumOf = (awards: readonly Award[]) => awards.reduce((s, a) => s + a.amount_fen, 0);
const latest = (awards: readonly Award[]) => awards.reduce((t, a) => (a.updated_at > t ? a.updated_at : t), '');

async function* mapAsync<A, B>(source: AsyncIterable<A>, f: (a: A) => B): AsyncIterable<B> {
  for await (const a of source) yield f(a);
}
