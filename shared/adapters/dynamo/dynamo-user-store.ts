import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry, LoginState, StoredUser, UserStore } from '../../ports/identity.ts';
import { auditPut } from './dynamo-audit-log.ts';
import { queryItems, transactWrite, type Item } from './operations.ts';
import { GSI2 } from './table-schema.ts';

/**
 * Local users (the AWS host keeps its people in Cognito instead):
 *   USER#<username>   USER    the user (gsi2: USERS / <username>, so the few users list in one query)
 *   LOGIN#<username>  LOGIN   recent failed sign-ins and the lock, versioned (any username, known or not)
 */
export const userKey = (username: string) => ({ pk: `USER#${username}`, sk: 'USER' });
const loginKey = (username: string) => ({ pk: `LOGIN#${username}`, sk: 'LOGIN' });
export const USER_LIST_PK = 'USERS';

export function itemToUser(item: Item): StoredUser {
  return {
    username: String(item.username),
    roles: (item.roles as string[]) as StoredUser['roles'],
    unit: (item.unit ?? null) as StoredUser['unit'],
    disabled: item.disabled === true,
    password_hash: String(item.password_hash),
    created_at: String(item.created_at),
    updated_at: String(item.updated_at),
  };
}

export class DynamoUserStore implements UserStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string) {}

  async get(username: string): Promise<StoredUser | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: userKey(username), ConsistentRead: true }));
    return out.Item ? itemToUser(out.Item) : undefined;
  }

  async list(): Promise<StoredUser[]> {
    const users: StoredUser[] = [];
    for await (const item of queryItems(this.doc, {
      TableName: this.tableName, IndexName: GSI2.name,
      KeyConditionExpression: '#pk = :pk', ExpressionAttributeNames: { '#pk': GSI2.pk }, ExpressionAttributeValues: { ':pk': USER_LIST_PK },
    })) users.push(itemToUser(item));
    return users;
  }

  async create(user: StoredUser, audit: AuditEntry): Promise<'created' | 'exists'> {
    const outcome = await transactWrite(this.doc, [
      {
        Put: {
          TableName: this.tableName,
          Item: { ...userKey(user.username), type: 'USER', ...user, unit: user.unit ?? undefined, [GSI2.pk]: USER_LIST_PK, [GSI2.sk]: user.username },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      auditPut(this.tableName, audit),
    ]);
    if (outcome.ok) return 'created';
    if (outcome.codes[0] === 'ConditionalCheckFailed') return 'exists';
    throw new Error(`creating user ${user.username} collided with another write; try again`);
  }

  async update(username: string, change: Partial<Pick<StoredUser, 'disabled' | 'password_hash'>>, at: string, audit: AuditEntry): Promise<boolean> {
    const sets = ['updated_at = :at'];
    const values: Record<string, unknown> = { ':at': at };
    if (change.disabled !== undefined) { sets.push('disabled = :disabled'); values[':disabled'] = change.disabled; }
    if (change.password_hash !== undefined) { sets.push('password_hash = :hash'); values[':hash'] = change.password_hash; }
    const outcome = await transactWrite(this.doc, [
      {
        Update: {
          TableName: this.tableName, Key: userKey(username),
          UpdateExpression: `SET ${sets.join(', ')}`, ExpressionAttributeValues: values, ConditionExpression: 'attribute_exists(pk)',
        },
      },
      auditPut(this.tableName, audit),
    ]);
    if (outcome.ok) return true;
    if (outcome.codes[0] === 'ConditionalCheckFailed') return false;
    throw new Error(`updating user ${username} collided with another write; try again`);
  }

  async getLoginState(username: string): Promise<LoginState> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: loginKey(username), ConsistentRead: true }));
    if (!out.Item) return { failures: [], locked_until: null, version: 0 };
    return {
      failures: (out.Item.failures as string[] | undefined) ?? [],
      locked_until: (out.Item.locked_until as string | undefined) ?? null,
      version: Number(out.Item.version ?? 0),
    };
  }

  async putLoginState(username: string, expectedVersion: number, state: Omit<LoginState, 'version'>, audit?: AuditEntry): Promise<boolean> {
    const outcome = await transactWrite(this.doc, [
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...loginKey(username), type: 'LOGIN', failures: state.failures, version: expectedVersion + 1,
            ...(state.locked_until ? { locked_until: state.locked_until } : {}),
          },
          ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk) OR version = :v' : 'version = :v',
          ExpressionAttributeValues: { ':v': expectedVersion },
        },
      },
      ...(audit ? [auditPut(this.tableName, audit)] : []),
    ]);
    return outcome.ok;
  }
}
