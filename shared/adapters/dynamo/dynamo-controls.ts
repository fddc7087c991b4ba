import { PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Award, AwardHold, HistoryEntry, WaitReason } from '../../domain/award.ts';
import type { CreditRestriction } from '../../domain/credit-restriction.ts';
import { type EnterpriseControls, type EnterpriseGate } from '../../domain/enterprise-controls.ts';
import { DEFAULT_ALERT_THRESHOLDS, type EnvelopeKey } from '../../domain/envelope.ts';
import type { ControlsStore } from '../../ports/controls-store.ts';
import type { WriteResult } from '../../ports/ledger.ts';
import {
  CONTROLS_SK, CREDIT_LIST_PK, enterpriseCountItem, releaseControls, enterprisePk, itemToRestriction, itemsToControls, restrictionToItem,
} from './enterprise-items.ts';
import { AWARD_SK, ENVELOPE_LIST_PK, ENVELOPE_SK, awardPk, awardStatusPk, awardToItem, envelopeListSk, envelopePk, queueItem } from './items.ts';
import { ENVELOPE_OPEN } from './dynamo-transfer.ts';
import { batchGetAll, queryItems } from './operations.ts';
import { GSI2 } from './table-schema.ts';
import { Transaction, type TxItem } from './transaction.ts';

/** The ControlsStore on the single table (layout in enterprise-items.ts). */
export class DynamoControls implements ControlsStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string) {}

  async readEnterprises(usccs: readonly string[]): Promise<Map<string, EnterpriseControls>> {
    const out = new Map<string, EnterpriseControls>();
    await Promise.all([...new Set(usccs)].map(async (uscc) => {
      const items = [];
      for await (const item of queryItems(this.doc, {
        TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': enterprisePk(uscc) }, ConsistentRead: true,
      })) items.push(item);
      out.set(uscc, itemsToControls(uscc, items));
    }));
    return out;
  }

  async readControls(usccs: readonly string[]): Promise<Map<string, EnterpriseControls>> {
    const unique = [...new Set(usccs)];
    const items = await batchGetAll(this.doc, this.tableName, unique.map((uscc) => ({ pk: enterprisePk(uscc), sk: CONTROLS_SK })));
    const byPk = new Map(items.map((item) => [String(item.pk), item]));
    return new Map(unique.map((uscc) => {
      const item = byPk.get(enterprisePk(uscc));
      return [uscc, itemsToControls(uscc, item ? [item] : [])];
    }));
  }

  holdNew(key: EnvelopeKey, award: Award, gate: EnterpriseGate): Promise<WriteResult> {
    return this.write(new Transaction()
      .add('award', { Put: { TableName: this.tableName, Item: awardToItem(award), ConditionExpression: 'attribute_not_exists(pk)' } }, award.award_id)
      .add('enterprise', enterpriseCountItem(this.tableName, award, gate), award.award_id)
      .add('envelope', {
        Update: {
          TableName: this.tableName,
          Key: { pk: envelopePk(key), sk: ENVELOPE_SK },
          // Never into a closed year: intake routed the award before a close, so decide it again.
          ConditionExpression: ENVELOPE_OPEN,
          // Like waitlistNew: a placeholder envelope when no budget exists yet; only the held count moves.
          UpdateExpression: [
            'SET measure = :m, fiscal_year = :fy, budget_set = if_not_exists(budget_set, :false),',
            'budget_fen = if_not_exists(budget_fen, :zero), reserved_fen = if_not_exists(reserved_fen, :zero),',
            'batched_fen = if_not_exists(batched_fen, :zero), paid_fen = if_not_exists(paid_fen, :zero),',
            'available_fen = if_not_exists(available_fen, :zero), waitlisted_fen = if_not_exists(waitlisted_fen, :zero),',
            'waitlisted_count = if_not_exists(waitlisted_count, :zero), queue_seq = if_not_exists(queue_seq, :zero),',
            'alert_at = if_not_exists(alert_at, :alerts), gsi2pk = :listPk, gsi2sk = :listSk, updated_at = :now',
            'ADD held_count :one, version :one',
          ].join(' '),
          ExpressionAttributeValues: {
            ':m': key.measure, ':fy': key.fiscal_year, ':false': false, ':zero': 0, ':alerts': [...DEFAULT_ALERT_THRESHOLDS],
            ':listPk': ENVELOPE_LIST_PK, ':listSk': envelopeListSk(key), ':now': award.updated_at, ':one': 1, ':closed': 'CLOSED',
          },
          ExpressionAttributeNames: { '#st': 'status' },
        },
      }));
  }

  holdReserved(award: Award, hold: AwardHold, entry: HistoryEntry): Promise<WriteResult> {
    return this.write(new Transaction()
      .add('award', this.move(award, 'RESERVED', 'HELD', entry, { hold, condition: 'attribute_not_exists(run_id)' }), award.award_id)
      .add('envelope', this.envelope(award, 'reserved_fen >= :amt', 'SET held_fen = if_not_exists(held_fen, :zero) + :amt, updated_at = :now ADD held_count :one, version :one', entry)));
  }

  releaseToReserved(award: Award, entry: HistoryEntry): Promise<WriteResult> {
    return this.write(new Transaction()
      .add('award', this.move(award, 'HELD', 'RESERVED', entry, { condition: '#hold.keeps_reservation = :true' }), award.award_id)
      .add('envelope', this.envelope(award, 'held_count >= :one AND held_fen >= :amt', 'SET held_fen = held_fen - :amt, updated_at = :now ADD held_count :minus, version :one', entry)));
  }

  releaseReserving(award: Award, entry: HistoryEntry): Promise<WriteResult> {
    return this.write(new Transaction()
      .add('award', this.move(award, 'HELD', 'RESERVED', entry, { condition: '#hold.keeps_reservation = :false' }), award.award_id)
      .add('envelope', this.envelope(award,
        `held_count >= :one AND budget_set = :true AND waitlisted_count = :zero AND available_fen >= :amt AND ${ENVELOPE_OPEN}`,
        'SET available_fen = available_fen - :amt, reserved_fen = reserved_fen + :amt, updated_at = :now ADD held_count :minus, version :one', entry)));
  }

  releaseToQueue(award: Award, entry: HistoryEntry, reason: WaitReason): Promise<WriteResult> {
    return this.write(new Transaction()
      .add('award', this.move(award, 'HELD', 'WAITLISTED', entry, { condition: '#hold.keeps_reservation = :false', reason }), award.award_id)
      .add('queue-entry', { Put: { TableName: this.tableName, Item: queueItem(award, award) } }, award.award_id)
      .add('envelope', this.envelope(award, `held_count >= :one AND ${ENVELOPE_OPEN}`,
        'SET updated_at = :now ADD held_count :minus, waitlisted_count :one, waitlisted_fen :amt, queue_seq :one, version :one', entry)));
  }

  rejectHeld(award: Award, entry: HistoryEntry): Promise<WriteResult> {
    const keeps = award.hold?.keeps_reservation === true;
    const move = this.move(award, 'HELD', 'REJECTED', entry, { condition: `#hold.keeps_reservation = ${keeps ? ':true' : ':false'}`, reason: 'HOLD_REJECTED' });
    return this.write(new Transaction()
      .add('award', move, award.award_id)
      .addAll(releaseControls(this.tableName, award))
      .add('envelope', keeps
        ? this.envelope(award, `held_count >= :one AND held_fen >= :amt AND reserved_fen >= :amt AND ${ENVELOPE_OPEN}`,
          'SET held_fen = held_fen - :amt, reserved_fen = reserved_fen - :amt, available_fen = available_fen + :amt, updated_at = :now ADD held_count :minus, version :one', entry)
        : this.envelope(award, 'held_count >= :one', 'SET updated_at = :now ADD held_count :minus, version :one', entry)));
  }

  async putRestriction(r: CreditRestriction): Promise<'created' | 'updated' | 'unchanged'> {
    const item = restrictionToItem(r);
    const existing = (await this.readEnterprises([r.recipient_uscc])).get(r.recipient_uscc)!.restrictions
      .find((x) => x.list_name === r.list_name && x.restricted_from === r.restricted_from);
    const same = existing && existing.restricted_to === r.restricted_to && existing.reference === r.reference && !existing.lifted;
    if (same) return 'unchanged';
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item }));
    return existing ? 'updated' : 'created';
  }

  async listRestrictions(): Promise<CreditRestriction[]> {
    const out: CreditRestriction[] = [];
    for await (const item of queryItems(this.doc, {
      TableName: this.tableName, IndexName: GSI2.name, KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': GSI2.pk }, ExpressionAttributeValues: { ':pk': CREDIT_LIST_PK },
    })) out.push(itemToRestriction(item));
    return out;
  }

  async liftRestrictions(uscc: string, lift: NonNullable<CreditRestriction['lifted']>): Promise<CreditRestriction[]> {
    const out = await this.doc.send(new QueryCommand({
      TableName: this.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :c)',
      ExpressionAttributeValues: { ':pk': enterprisePk(uscc), ':c': 'CREDIT#' }, ConsistentRead: true,
    }));
    const lifted: CreditRestriction[] = [];
    for (const item of out.Items ?? []) {
      const r = itemToRestriction(item);
      if (r.lifted) continue;
      try {
        await this.doc.send(new UpdateCommand({
          TableName: this.tableName, Key: { pk: item.pk, sk: item.sk },
          ConditionExpression: 'attribute_not_exists(lifted)', UpdateExpression: 'SET lifted = :l', ExpressionAttributeValues: { ':l': lift },
        }));
        lifted.push({ ...r, lifted: lift });
      } catch (error) {
        if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
      }
    }
    return lifted;
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private move(award: Award, from: string, to: string, entry: HistoryEntry, opts: { hold?: AwardHold; condition?: string; reason?: string }): TxItem {
    const set = ['#status = :to', 'gsi1pk = :gsi1pk', 'updated_at = :now', 'history = list_append(history, :h)'];
    const values: Record<string, unknown> = {
      ':from': from, ':fy': award.fiscal_year, ':to': to, ':gsi1pk': awardStatusPk(to as Award['status'], award), ':now': entry.at, ':h': [entry],
    };
    const removes: string[] = [];
    if (opts.hold) { set.push('#hold = :hold', 'reason = :hr'); values[':hold'] = opts.hold; values[':hr'] = opts.hold.reason; } else removes.push('#hold');
    if (opts.reason) { set.push('reason = :reason'); values[':reason'] = opts.reason; } else if (!opts.hold) removes.push('reason');
    if (opts.condition?.includes(':true')) values[':true'] = true;
    if (opts.condition?.includes(':false')) values[':false'] = false;
    return {
      Update: {
        TableName: this.tableName,
        Key: { pk: awardPk(award.award_id), sk: AWARD_SK },
        // Still in the fiscal year it was read in: a year close may have carried it (and its money) on.
        ConditionExpression: `#status = :from AND fiscal_year = :fy${opts.condition ? ` AND ${opts.condition}` : ''}`,
        UpdateExpression: `SET ${set.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ExpressionAttributeNames: { '#status': 'status', '#hold': 'hold' },
        ExpressionAttributeValues: values,
      },
    };
  }

  private envelope(key: EnvelopeKey, condition: string, update: string, entry: HistoryEntry & { at: string }, amount?: number): TxItem {
    const values: Record<string, unknown> = { ':now': entry.at, ':one': 1 };
    const text = `${condition} ${update}`;
    if (text.includes(':amt')) values[':amt'] = amount ?? (key as Award).amount_fen;
    if (text.includes(':minus')) values[':minus'] = -1;
    if (text.includes(':zero')) values[':zero'] = 0;
    if (text.includes(':true')) values[':true'] = true;
    if (text.includes(':closed')) values[':closed'] = 'CLOSED';
    return {
      Update: {
        TableName: this.tableName,
        Key: { pk: envelopePk(key), sk: ENVELOPE_SK },
        ConditionExpression: condition,
        UpdateExpression: update,
        ...(text.includes('#st') ? { ExpressionAttributeNames: { '#st': 'status' } } : {}),
        ExpressionAttributeValues: values,
      },
    };
  }

  private async write(tx: Transaction): Promise<WriteResult> {
    const outcome = await tx.run(this.doc);
    if (outcome.ok) return { ok: true };
    return {
      ok: false, envelopeChanged: outcome.failed('envelope'), existingAwards: outcome.failedIds('award'), collided: outcome.conflict,
      ...(outcome.failed('enterprise') ? { controlsChanged: outcome.failedIds('enterprise') } : {}),
    };
  }
}

export { CONTROLS_SK };
