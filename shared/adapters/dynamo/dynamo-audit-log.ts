import { randomUUID } from 'node:crypto';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry, AuditLog, AuditQuery } from '../../ports/identity.ts';
import { queryItems, type Item, type TxItem } from './operations.ts';

/**
 * The audit log in the single table: pk AUDITLOG, sk <at>#<random>, so one query lists it newest
 * first from any instant. People act a few times a minute; one partition carries that easily.
 * `detail` is kept as JSON text (it may hold empty strings the bundled DynamoDB Local refuses).
 */
export const AUDIT_LOG_PK = 'AUDITLOG';

export function auditItem(entry: AuditEntry): Item {
  return {
    pk: AUDIT_LOG_PK, sk: `${entry.at}#${randomUUID()}`, type: 'AUDIT_LOG',
    at: entry.at, actor: entry.actor, kind: entry.kind, subject: entry.subject, detail: JSON.stringify(entry.detail),
  };
}

export function auditPut(tableName: string, entry: AuditEntry): TxItem {
  return { Put: { TableName: tableName, Item: auditItem(entry) } };
}

export class DynamoAuditLog implements AuditLog {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly tableName: string) {}

  async append(entry: AuditEntry): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: auditItem(entry) }));
  }

  async list(query: AuditQuery): Promise<AuditEntry[]> {
    const values: Record<string, unknown> = { ':pk': AUDIT_LOG_PK };
    let condition = 'pk = :pk';
    if (query.since) { condition += ' AND sk >= :since'; values[':since'] = query.since; }
    const names: Record<string, string> = {};
    let filter: string | undefined;
    if (query.kind) { filter = '#kind = :kind'; names['#kind'] = 'kind'; values[':kind'] = query.kind; }
    const entries: AuditEntry[] = [];
    for await (const item of queryItems(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: condition,
      ExpressionAttributeValues: values,
      ...(filter ? { FilterExpression: filter, ExpressionAttributeNames: names } : {}),
      ScanIndexForward: false,
      ConsistentRead: true,
    })) {
      entries.push({
        at: String(item.at), actor: String(item.actor), kind: item.kind as AuditEntry['kind'], subject: String(item.subject),
        detail: JSON.parse(String(item.detail ?? '{}')) as Record<string, unknown>,
      });
      if (entries.length >= query.limit) break;
    }
    return entries;
  }
}
