import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Award } from '../../domain/award.ts';
import { recoveryId, recoveryNumber, type Recovery, type RecoveryStatus } from '../../domain/recovery.ts';
import { AWARD_SK, ENVELOPE_SK, awardPk, envelopePk } from './items.ts';
import { batchGetAll, queryItems } from './operations.ts';
import { GSI2 } from './table-schema.ts';
import { Transaction } from './transaction.ts';

/** RECOVERY#<id>/RECOVERY; listed on GSI2 under RECOVERIES by award. */
export const recoveryPk = (id: string) => `RECOVERY#${id}`;
export const RECOVERY_SK = 'RECOVERY';
export const RECOVERY_LIST_PK = 'RECOVERIES';

/** What `open` found: opened; the id was already taken (and the award unchanged); or the award changed since it was read. */
export type OpenOutcome = 'OPENED' | 'ID_TAKEN' | 'AWARD_CHANGED';

/** An award's recoveries, read consistently, and the number of its last one (0: none yet). */
export interface AwardRecoveries {
  recoveries: Recovery[];
  last: number;
}

/**
 * Recoveries on one table. Each change is one transaction with the award's claim counters, so the
 * sum claimed can never exceed what was paid, and settling moves the envelope in the same write.
 */
export class DynamoRecoveries {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string) {}

  async get(id: string): Promise<Recovery | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: recoveryPk(id), sk: RECOVERY_SK }, ConsistentRead: true }));
    return out.Item ? strip(out.Item) : undefined;
  }

  async list(filter: { status?: RecoveryStatus; award_id?: string } = {}): Promise<Recovery[]> {
    const out: Recovery[] = [];
    for await (const item of queryItems(this.doc, {
      TableName: this.tableName, IndexName: GSI2.name,
      KeyConditionExpression: filter.award_id ? '#pk = :pk AND begins_with(#sk, :award)' : '#pk = :pk',
      ExpressionAttributeNames: { '#pk': GSI2.pk, ...(filter.award_id ? { '#sk': GSI2.sk } : {}) },
      ExpressionAttributeValues: { ':pk': RECOVERY_LIST_PK, ...(filter.award_id ? { ':award': `${filter.award_id}#` } : {}) },
    })) {
      const r = strip(item);
      if (!filter.status || r.status === filter.status) out.push(r);
    }
    return out;
  }

  /**
   * The award's recoveries as of a consistent read of the award: REC-<award>-1 … -<recovery_count>,
   * fetched by id with a strongly consistent BatchGet (never the list index, which lags writes: a
   * run again right after a lost reply must see the claim it made). An award whose recoveries were
   * opened before the count was kept has none: its recoveries are listed through the index (opened
   * long enough ago to be there; `open`'s put on a new id keeps ids unique even if one is missing).
   */
  async ofAward(award: Pick<Award, 'award_id' | 'recovery_count' | 'recovery_claimed_fen'>): Promise<AwardRecoveries> {
    const byNumber = (rs: Recovery[]) => rs
      .map((r) => ({ r, n: recoveryNumber(award.award_id, r.recovery_id) ?? 0 }))
      .sort((a, b) => a.n - b.n);
    if (award.recovery_count === undefined) {
      // Every open sets recovery_claimed_fen: without it the award never had a recovery.
      if (award.recovery_claimed_fen === undefined) return { recoveries: [], last: 0 };
      const listed = byNumber(await this.list({ award_id: award.award_id }));
      return { recoveries: listed.map((x) => x.r), last: Math.max(listed.length, ...listed.map((x) => x.n)) };
    }
    const keys = Array.from({ length: award.recovery_count }, (_, i) => ({ pk: recoveryPk(recoveryId(award.award_id, i + 1)), sk: RECOVERY_SK }));
    const found = byNumber((await batchGetAll(this.doc, this.tableName, keys)).map(strip));
    return { recoveries: found.map((x) => x.r), last: award.recovery_count };
  }

  /**
   * A new DUE recovery, numbered `n` (its id is REC-<award>-<n>), in one transaction with the award:
   * its claimed total moves from `before.claimed_fen` to + amount and its recovery_count from
   * `before.count` (absent before the count was kept) to n, both conditioned on the values read.
   */
  async open(r: Recovery, n: number, before: { claimed_fen: number; count: number | undefined }): Promise<OpenOutcome> {
    const counted = before.count !== undefined;
    const tx = new Transaction()
      .add('recovery', { Put: { TableName: this.tableName, Item: item(r), ConditionExpression: 'attribute_not_exists(pk)' } }, r.recovery_id)
      .add('award', {
        Update: {
          TableName: this.tableName, Key: { pk: awardPk(r.award_id), sk: AWARD_SK },
          ConditionExpression: '#status = :paid AND ((attribute_not_exists(recovery_claimed_fen) AND :before = :zero) OR recovery_claimed_fen = :before)'
            + (counted ? ' AND recovery_count = :count' : ' AND attribute_not_exists(recovery_count)'),
          UpdateExpression: 'SET recovery_claimed_fen = :after, recovery_count = :n, updated_at = :now',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':paid': 'PAID', ':before': before.claimed_fen, ':zero': 0, ':after': before.claimed_fen + r.amount_fen, ':n': n, ':now': r.opened_at,
            ...(counted ? { ':count': before.count } : {}),
          },
        },
      }, r.award_id);
    const result = await tx.run(this.doc);
    if (result.ok) return 'OPENED';
    return result.failed('recovery') && !result.failed('award') ? 'ID_TAKEN' : 'AWARD_CHANGED';
  }

  /** DUE -> SETTLED, with the award's recovered figures and the envelope: back to available (open year) or recovered_fen (closed). */
  async settle(r: Recovery, to: 'ENVELOPE' | 'TREASURY', fields: { reference: string; by: string; at: string }): Promise<boolean> {
    const amt = r.amount_fen;
    const tx = new Transaction()
      .add('recovery', {
        Update: {
          TableName: this.tableName, Key: { pk: recoveryPk(r.recovery_id), sk: RECOVERY_SK },
          ConditionExpression: '#status = :due',
          UpdateExpression: 'SET #status = :settled, settled_to = :to, #ref = :ref, settled_by = :by, settled_at = :at',
          ExpressionAttributeNames: { '#status': 'status', '#ref': 'reference' },
          ExpressionAttributeValues: { ':due': 'DUE', ':settled': 'SETTLED', ':to': to, ':ref': fields.reference, ':by': fields.by, ':at': fields.at },
        },
      }, r.recovery_id)
      .add('award', {
        Update: {
          TableName: this.tableName, Key: { pk: awardPk(r.award_id), sk: AWARD_SK },
          ConditionExpression: '#status = :paid AND fiscal_year = :fy',
          UpdateExpression: `SET recovered_fen = if_not_exists(recovered_fen, :zero) + :amt${to === 'ENVELOPE' ? ', refunded_fen = if_not_exists(refunded_fen, :zero) + :amt' : ''}, updated_at = :at`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':paid': 'PAID', ':fy': r.fiscal_year, ':zero': 0, ':amt': amt, ':at': fields.at },
        },
      }, r.award_id)
      .add('envelope', {
        Update: {
          TableName: this.tableName, Key: { pk: envelopePk(r), sk: ENVELOPE_SK },
          ...(to === 'ENVELOPE'
            ? {
              ConditionExpression: '(attribute_not_exists(#st) OR #st <> :closed) AND paid_fen >= :amt',
              UpdateExpression: 'SET paid_fen = paid_fen - :amt, available_fen = available_fen + :amt, refunded_fen = if_not_exists(refunded_fen, :zero) + :amt, updated_at = :at ADD version :one',
              ExpressionAttributeValues: { ':closed': 'CLOSED', ':amt': amt, ':zero': 0, ':at': fields.at, ':one': 1 },
            }
            : {
              ConditionExpression: '#st = :closed',
              UpdateExpression: 'SET recovered_fen = if_not_exists(recovered_fen, :zero) + :amt, updated_at = :at ADD version :one',
              ExpressionAttributeValues: { ':closed': 'CLOSED', ':amt': amt, ':zero': 0, ':at': fields.at, ':one': 1 },
            }),
          ExpressionAttributeNames: { '#st': 'status' },
        },
      });
    return (await tx.run(this.doc)).ok;
  }

  /** DUE -> CANCELLED; the claim no longer counts against what was paid. */
  async cancel(r: Recovery, fields: { reason: string; by: string; at: string }): Promise<boolean> {
    const tx = new Transaction()
      .add('recovery', {
        Update: {
          TableName: this.tableName, Key: { pk: recoveryPk(r.recovery_id), sk: RECOVERY_SK },
          ConditionExpression: '#status = :due',
          UpdateExpression: 'SET #status = :cancelled, cancel_reason = :reason, cancelled_by = :by, cancelled_at = :at',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':due': 'DUE', ':cancelled': 'CANCELLED', ':reason': fields.reason, ':by': fields.by, ':at': fields.at },
        },
      }, r.recovery_id)
      .add('award', {
        Update: {
          TableName: this.tableName, Key: { pk: awardPk(r.award_id), sk: AWARD_SK },
          ConditionExpression: 'recovery_claimed_fen >= :amt',
          UpdateExpression: 'SET recovery_claimed_fen = recovery_claimed_fen - :amt, updated_at = :at',
          ExpressionAttributeValues: { ':amt': r.amount_fen, ':at': fields.at },
        },
      }, r.award_id);
    return (await tx.run(this.doc)).ok;
  }
}

function item(r: Recovery) {
  return { pk: recoveryPk(r.recovery_id), sk: RECOVERY_SK, type: 'RECOVERY', ...r, gsi2pk: RECOVERY_LIST_PK, gsi2sk: `${r.award_id}#${r.recovery_id}` };
}

function strip(it: Record<string, unknown>): Recovery {
  const { pk: _p, sk: _s, type: _t, gsi2pk: _g, gsi2sk: _gs, ...rest } = it;
  return rest as unknown as Recovery;
}
