import { BatchGetCommand, DeleteCommand, GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry, SessionStore, StoredSession, StoredUser } from '../../ports/identity.ts';
import { itemToUser, userKey } from './dynamo-user-store.ts';
import { auditPut } from './dynamo-audit-log.ts';
import { queryItems, transactWrite, type Item } from './operations.ts';
import { GSI2 } from './table-schema.ts';

/**
 * Sessions of the local host: SESSION#<sha256 of the id> / SESSION, listed per user on gsi2
 * (USESS#<username>) so disabling a user ends them all. `expires_epoch` lets a TTL clean up; the
 * service checks idle and absolute expiry itself.
 */
const sessionKey = (idHash: string) => ({ pk: `SESSION#${idHash}`, sk: 'SESSION' });
const userSessionsPk = (username: string) => `USESS#${username}`;
const ABSOLUTE_SECONDS = 12 * 3600;

function itemToSession(item: Item): StoredSession {
  return {
    id_hash: String(item.id_hash), username: String(item.username), csrf: String(item.csrf),
    created_at: String(item.created_at), last_seen_at: String(item.last_seen_at),
  };
}

export class DynamoSessionStore implements SessionStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string) {}

  async create(session: StoredSession, audit: AuditEntry): Promise<void> {
    const outcome = await transactWrite(this.doc, [
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...sessionKey(session.id_hash), type: 'SESSION', ...session,
            expires_epoch: Math.floor(Date.parse(session.created_at) / 1000) + ABSOLUTE_SECONDS,
            [GSI2.pk]: userSessionsPk(session.username), [GSI2.sk]: session.id_hash,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      auditPut(this.tableName, audit),
    ]);
    if (!outcome.ok) throw new Error('could not store the new session; try again');
  }

  async get(idHash: string): Promise<StoredSession | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: sessionKey(idHash), ConsistentRead: true }));
    return out.Item ? itemToSession(out.Item) : undefined;
  }

  async getWithUser(idHash: string, username: string): Promise<{ session?: StoredSession; user?: StoredUser }> {
    let keys: Record<string, unknown>[] = [sessionKey(idHash), userKey(username)];
    const found: Item[] = [];
    for (let attempt = 0; keys.length > 0 && attempt < 10; attempt++) {
      const out = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }));
      found.push(...(out.Responses?.[this.tableName] ?? []));
      keys = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, unknown>[];
    }
    if (keys.length > 0) throw new Error('session lookup throttled; try again');
    const session = found.find((i) => i.type === 'SESSION');
    const user = found.find((i) => i.type === 'USER');
    return { ...(session ? { session: itemToSession(session) } : {}), ...(user ? { user: itemToUser(user) } : {}) };
  }

  async touch(idHash: string, at: string): Promise<void> {
    try {
      await this.doc.send(new UpdateCommand({
        TableName: this.tableName, Key: sessionKey(idHash), UpdateExpression: 'SET last_seen_at = :at',
        ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':at': at },
      }));
    } catch (error) {
      // Signed out meanwhile: nothing to keep alive.
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
    }
  }

  async delete(idHash: string, audit?: AuditEntry): Promise<void> {
    if (!audit) {
      await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: sessionKey(idHash) }));
      return;
    }
    const outcome = await transactWrite(this.doc, [
      { Delete: { TableName: this.tableName, Key: sessionKey(idHash) } },
      auditPut(this.tableName, audit),
    ]);
    if (!outcome.ok) throw new Error('could not end the session; try again');
  }

  async deleteAllOf(username: string): Promise<number> {
    let n = 0;
    for await (const item of queryItems(this.doc, {
      TableName: this.tableName, IndexName: GSI2.name,
      KeyConditionExpression: '#pk = :pk', ExpressionAttributeNames: { '#pk': GSI2.pk }, ExpressionAttributeValues: { ':pk': userSessionsPk(username) },
    })) {
      await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: sessionKey(String(item.id_hash)) }));
      n++;
    }
    return n;
  }
}
