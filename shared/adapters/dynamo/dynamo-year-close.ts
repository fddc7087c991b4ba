import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Award, HistoryEntry } from '../../domain/award.ts';
import { DEFAULT_ALERT_THRESHOLDS, type EnvelopeKey } from '../../domain/envelope.ts';
import { queueOrderKey } from '../../domain/reservation-plan.ts';
import type { YearClose } from '../../domain/year-close.ts';
import { ENVELOPE_OPEN } from './dynamo-transfer.ts';
import {
  AWARD_SK, ENVELOPE_LIST_PK, ENVELOPE_SK, awardPk, awardStatusPk, envelopeListSk, envelopePk, queueItem, queueSk,
} from './items.ts';
import { conditionalUpdate, conditionally } from './operations.ts';
import { Transaction, checkTransactionSize, type TxItem } from './transaction.ts';

/** YEAR#<fy>/CLOSE: the close of a fiscal year, its plan and how far its execution got. */
export const yearClosePk = (fy: number) => `YEAR#${fy}`;
export const YEAR_CLOSE_SK = 'CLOSE';

/**
 * The writes of a year close. Each step is conditioned so that doing it twice is impossible and a
 * resumed close simply does what is left: an envelope closes once (status), an award is carried
 * once (its status and fiscal year), the balance lapses once (lapsed_at), the close finishes once.
 */
export class DynamoYearClose {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string, private readonly maxTransactionItems: number) {}

  async get(fiscalYear: number): Promise<YearClose | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: yearClosePk(fiscalYear), sk: YEAR_CLOSE_SK }, ConsistentRead: true }));
    if (!out.Item) return undefined;
    const { pk: _pk, sk: _sk, type: _t, ...rest } = out.Item;
    return rest as unknown as YearClose;
  }

  /** Record a proposal; true unless the year already has one that is past PROPOSED. */
  propose(close: YearClose): Promise<boolean> {
    return conditionally(this.doc.send(new PutCommand({
      TableName: this.tableName,
      Item: { pk: yearClosePk(close.fiscal_year), sk: YEAR_CLOSE_SK, type: 'YEAR_CLOSE', ...close },
      ConditionExpression: 'attribute_not_exists(pk) OR #st = :proposed',
      ExpressionAttributeNames: { '#st': 'status' },
      ExpressionAttributeValues: { ':proposed': 'PROPOSED' },
    })));
  }

  /** PROPOSED -> CLOSING by the approver (or CLOSING again by the same approver, resuming). */
  startClosing(fiscalYear: number, by: string, at: string): Promise<boolean> {
    return conditionalUpdate(this.doc, {
      TableName: this.tableName,
      Key: { pk: yearClosePk(fiscalYear), sk: YEAR_CLOSE_SK },
      ConditionExpression: '#st = :proposed OR (#st = :closing AND approved_by = :by)',
      UpdateExpression: 'SET #st = :closing, approved_by = :by, approved_at = if_not_exists(approved_at, :at)',
      ExpressionAttributeNames: { '#st': 'status' },
      ExpressionAttributeValues: { ':proposed': 'PROPOSED', ':closing': 'CLOSING', ':by': by, ':at': at },
    });
  }

  finish(fiscalYear: number, at: string, plan: YearClose['plan']): Promise<boolean> {
    return conditionalUpdate(this.doc, {
      TableName: this.tableName,
      Key: { pk: yearClosePk(fiscalYear), sk: YEAR_CLOSE_SK },
      ConditionExpression: '#st = :closing',
      UpdateExpression: 'SET #st = :closed, closed_at = :at, executed = :plan',
      ExpressionAttributeNames: { '#st': 'status' },
      ExpressionAttributeValues: { ':closing': 'CLOSING', ':closed': 'CLOSED', ':at': at, ':plan': plan },
    });
  }

  /** The envelope stops taking reservations, budget changes and transfers (its version moves, so in-flight ones fail). */
  closeEnvelope(key: EnvelopeKey, at: string): Promise<boolean> {
    return conditionalUpdate(this.doc, {
      TableName: this.tableName,
      Key: { pk: envelopePk(key), sk: ENVELOPE_SK },
      // Also for a measure that never had an envelope this year: a late award then finds it closed.
      ConditionExpression: ENVELOPE_OPEN,
      UpdateExpression: [
        'SET #st = :closed, closed_at = :at, updated_at = :at, measure = :m, fiscal_year = :fy, budget_set = if_not_exists(budget_set, :false),',
        'budget_fen = if_not_exists(budget_fen, :zero), reserved_fen = if_not_exists(reserved_fen, :zero), batched_fen = if_not_exists(batched_fen, :zero),',
        'paid_fen = if_not_exists(paid_fen, :zero), available_fen = if_not_exists(available_fen, :zero), waitlisted_fen = if_not_exists(waitlisted_fen, :zero),',
        'waitlisted_count = if_not_exists(waitlisted_count, :zero), queue_seq = if_not_exists(queue_seq, :zero), alert_at = if_not_exists(alert_at, :alerts),',
        'gsi2pk = :listPk, gsi2sk = :listSk ADD version :one',
      ].join(' '),
      ExpressionAttributeNames: { '#st': 'status' },
      ExpressionAttributeValues: {
        ':closed': 'CLOSED', ':at': at, ':one': 1, ':m': key.measure, ':fy': key.fiscal_year, ':false': false, ':zero': 0,
        ':alerts': [...DEFAULT_ALERT_THRESHOLDS], ':listPk': ENVELOPE_LIST_PK, ':listSk': envelopeListSk(key),
      },
    });
  }

  /**
   * Carry RESERVED awards of one closed envelope into next year's envelope of the measure (created
   * if missing): Y's reserved down and carried_out up; Y+1's budget, carried_in and reserved up.
   */
  carryReserved(key: EnvelopeKey, awards: readonly Award[], entry: HistoryEntry): Promise<boolean> {
    return this.carry(key, awards, 'RESERVED', entry, { fen: awards.reduce((s, a) => s + a.amount_fen, 0) });
  }

  /**
   * Carry HELD awards (issue 14) of one closed envelope into next year's, still HELD: the money of
   * those that keep a reservation (held at run preparation) moves like a reservation, inside
   * reserved and held_fen on both sides; every one moves Y's held_count to Y+1's.
   */
  carryHeld(key: EnvelopeKey, awards: readonly Award[], entry: HistoryEntry): Promise<boolean> {
    const kept = awards.filter((a) => a.hold?.keeps_reservation === true).reduce((s, a) => s + a.amount_fen, 0);
    return this.carry(key, awards, 'HELD', entry, { fen: kept, held: awards.length });
  }

  /**
   * One transaction: the awards move to Y+1, `fen` moves from Y's reserved to carried_out and into
   * Y+1's budget, carried_in and reserved (created if missing). With `held` (a number of held
   * awards), the same `fen` also leaves Y's held_fen for Y+1's and the count moves between their
   * held_count. Y must be closed and hold what leaves it.
   */
  private async carry(key: EnvelopeKey, awards: readonly Award[], status: 'RESERVED' | 'HELD', entry: HistoryEntry, money: { fen: number; held?: number }): Promise<boolean> {
    checkTransactionSize(awards.length + 2, this.maxTransactionItems);
    const next = { measure: key.measure, fiscal_year: key.fiscal_year + 1 };
    const held = money.held !== undefined;
    const counts = held ? { ':n': money.held, ':minus': -money.held! } : {};
    const tx = new Transaction();
    for (const a of awards) tx.add('award', this.moveAward(a, status, key, entry), a.award_id);
    tx.add('envelope', {
      Update: {
        TableName: this.tableName,
        Key: { pk: envelopePk(key), sk: ENVELOPE_SK },
        // held_fen appears with the first award held at run preparation: an envelope whose awards were
        // only ever held at intake has none (absent is 0; a plain `held_fen >= :fen` would fail forever).
        ConditionExpression: ['#st = :closed', ...(held ? ['held_count >= :n', '(held_fen >= :fen OR (attribute_not_exists(held_fen) AND :fen = :zero))'] : []), 'reserved_fen >= :fen'].join(' AND '),
        UpdateExpression: `SET ${[
          'reserved_fen = reserved_fen - :fen', ...(held ? ['held_fen = if_not_exists(held_fen, :zero) - :fen'] : []),
          'carried_out_fen = if_not_exists(carried_out_fen, :zero) + :fen', 'updated_at = :now',
        ].join(', ')} ADD ${held ? 'held_count :minus, ' : ''}version :one`,
        ExpressionAttributeNames: { '#st': 'status' },
        ExpressionAttributeValues: { ':closed': 'CLOSED', ':fen': money.fen, ':zero': 0, ':now': entry.at, ':one': 1, ...counts },
      },
    });
    tx.add('envelope', this.upsertNext(next, entry.at, {
      // Money carried makes next year's budget set, as a carried reservation does; held-only carries do not.
      set: [
        `budget_set = ${money.fen > 0 ? ':true' : 'if_not_exists(budget_set, :false)'}`,
        'budget_fen = if_not_exists(budget_fen, :zero) + :fen', 'carried_in_fen = if_not_exists(carried_in_fen, :zero) + :fen',
        'reserved_fen = if_not_exists(reserved_fen, :zero) + :fen', ...(held ? ['held_fen = if_not_exists(held_fen, :zero) + :fen'] : []),
        'available_fen = if_not_exists(available_fen, :zero)', 'waitlisted_fen = if_not_exists(waitlisted_fen, :zero)',
        'waitlisted_count = if_not_exists(waitlisted_count, :zero)', 'queue_seq = if_not_exists(queue_seq, :zero)',
      ].join(', '),
      add: `${held ? 'held_count :n, ' : ''}version :one`,
      values: { ...(money.fen > 0 ? { ':true': true } : { ':false': false }), ':fen': money.fen, ...(held ? { ':n': money.held } : {}) },
    }));
    return (await tx.run(this.doc)).ok;
  }

  /** Move one waiting award from Y's queue to Y+1's, at its approved-date place. */
  async carryWaitlisted(key: EnvelopeKey, award: Award, entry: HistoryEntry): Promise<boolean> {
    const next = { measure: key.measure, fiscal_year: key.fiscal_year + 1 };
    const tx = new Transaction()
      .add('award', this.moveAward(award, 'WAITLISTED', key, entry), award.award_id)
      .add('queue-entry', { Delete: { TableName: this.tableName, Key: { pk: envelopePk(key), sk: queueSk(award) }, ConditionExpression: 'attribute_exists(pk)' } }, award.award_id)
      .add('queue-entry', { Put: { TableName: this.tableName, Item: queueItem(next, award) } }, award.award_id)
      .add('envelope', {
        Update: {
          TableName: this.tableName,
          Key: { pk: envelopePk(key), sk: ENVELOPE_SK },
          ConditionExpression: '#st = :closed AND waitlisted_count >= :one',
          UpdateExpression: 'SET waitlisted_fen = waitlisted_fen - :amt, waitlisted_count = waitlisted_count - :one, updated_at = :now ADD version :one',
          ExpressionAttributeNames: { '#st': 'status' },
          ExpressionAttributeValues: { ':closed': 'CLOSED', ':amt': award.amount_fen, ':one': 1, ':now': entry.at },
        },
      })
      .add('envelope', this.upsertNext(next, entry.at, {
        set: 'budget_set = if_not_exists(budget_set, :false), budget_fen = if_not_exists(budget_fen, :zero), reserved_fen = if_not_exists(reserved_fen, :zero), available_fen = if_not_exists(available_fen, :zero)',
        add: 'waitlisted_count :one, waitlisted_fen :amt, queue_seq :one, version :one',
        values: { ':false': false, ':amt': award.amount_fen },
      }));
    return (await tx.run(this.doc)).ok;
  }

  /** Once nothing is reserved or waiting any more: the unspent balance lapses (once). */
  lapse(key: EnvelopeKey, at: string): Promise<boolean> {
    return conditionalUpdate(this.doc, {
      TableName: this.tableName,
      Key: { pk: envelopePk(key), sk: ENVELOPE_SK },
      ConditionExpression: '#st = :closed AND reserved_fen = :zero AND waitlisted_count = :zero AND (attribute_not_exists(held_count) OR held_count = :zero) AND attribute_not_exists(lapsed_at)',
      UpdateExpression: 'SET lapsed_fen = if_not_exists(lapsed_fen, :zero) + available_fen, available_fen = :zero, lapsed_at = :at, updated_at = :at ADD version :one',
      ExpressionAttributeNames: { '#st': 'status' },
      ExpressionAttributeValues: { ':closed': 'CLOSED', ':zero': 0, ':at': at, ':one': 1 },
    });
  }

  private moveAward(a: Award, status: 'RESERVED' | 'WAITLISTED' | 'HELD', from: EnvelopeKey, entry: HistoryEntry): TxItem {
    const to = { measure: from.measure, fiscal_year: from.fiscal_year + 1 };
    return {
      Update: {
        TableName: this.tableName,
        Key: { pk: awardPk(a.award_id), sk: AWARD_SK },
        ConditionExpression: '#status = :status AND fiscal_year = :fy',
        UpdateExpression: 'SET fiscal_year = :next, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk, carried_from = list_append(if_not_exists(carried_from, :none), :from), history = list_append(history, :h), updated_at = :now',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': status, ':fy': from.fiscal_year, ':next': to.fiscal_year, ':gsi1pk': awardStatusPk(status, to), ':gsi1sk': queueOrderKey(a),
          ':none': [], ':from': [from.fiscal_year], ':h': [{ ...entry, status }], ':now': entry.at,
        },
      },
    };
  }

  /** Next year's envelope, created when missing (not closed: a close goes one year at a time). */
  private upsertNext(next: EnvelopeKey, at: string, parts: { set: string; add: string; values: Record<string, unknown> }): TxItem {
    return {
      Update: {
        TableName: this.tableName,
        Key: { pk: envelopePk(next), sk: ENVELOPE_SK },
        ConditionExpression: ENVELOPE_OPEN,
        UpdateExpression: `SET measure = :m, fiscal_year = :fy, ${parts.set}, batched_fen = if_not_exists(batched_fen, :zero), paid_fen = if_not_exists(paid_fen, :zero), alert_at = if_not_exists(alert_at, :alerts), gsi2pk = :listPk, gsi2sk = :listSk, updated_at = :now ADD ${parts.add}`,
        ExpressionAttributeNames: { '#st': 'status' },
        ExpressionAttributeValues: {
          ':m': next.measure, ':fy': next.fiscal_year, ':zero': 0, ':alerts': [...DEFAULT_ALERT_THRESHOLDS], ':closed': 'CLOSED',
          ':listPk': ENVELOPE_LIST_PK, ':listSk': envelopeListSk(next), ':now': at, ':one': 1, ...parts.values,
        },
      },
    };
  }
}
