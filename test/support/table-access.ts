/**
 * What the adapters really do to the table, against what IAM lets the functions do (infra/permissions.ts).
 * `recordTableAccess` installs SDK middleware on a document client that notes each request's item
 * action (a transaction's items one by one), the partition keys it touches and the index it queries;
 * `ungranted` lists the uses no adapter's declared access covers. A key prefix an adapter builds but
 * nobody declared would be denied in AWS (dynamodb:LeadingKeys) while every local test passes.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ADAPTER_ACCESS, type TableAccess } from '../../infra/permissions.ts';

export interface TableUse {
  /** dynamodb:<Action>, as IAM names it. */
  action: string;
  pk: string;
  index?: string;
}

type Input = Record<string, unknown>;
/** Keys arrive marshalled ({ S: '…' }) or plain, depending on the middleware step. */
const text = (v: unknown): string => (typeof v === 'object' && v !== null && 'S' in v ? String((v as { S: unknown }).S) : String(v));
const pkOf = (keyOrItem: unknown): string => text((keyOrItem as { pk?: unknown } | undefined)?.pk);

/** The partition-key value of a query's key condition (`pk = :v`, `#pk = :v`). */
function queriedPk(input: Input): string {
  const condition = String(input['KeyConditionExpression'] ?? '');
  const match = /^\s*(#?\w+)\s*=\s*(:\w+)/.exec(condition);
  if (!match) throw new Error(`unrecognised key condition: ${condition}`);
  return text((input['ExpressionAttributeValues'] as Input)[match[2]!]);
}

const TRANSACT_ACTIONS = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' } as const;

export function usesOf(commandName: string, input: Input): TableUse[] {
  const action = `dynamodb:${commandName.replace(/Command$/, '')}`;
  switch (commandName) {
    case 'GetItemCommand': case 'UpdateItemCommand': case 'DeleteItemCommand':
      return [{ action, pk: pkOf(input['Key']) }];
    case 'PutItemCommand':
      return [{ action, pk: pkOf(input['Item']) }];
    case 'BatchGetItemCommand':
      return Object.values(input['RequestItems'] as Record<string, { Keys: unknown[] }>).flatMap((r) => r.Keys.map((k) => ({ action, pk: pkOf(k) })));
    case 'QueryCommand':
      return [{ action, pk: queriedPk(input), ...(input['IndexName'] ? { index: String(input['IndexName']) } : {}) }];
    case 'ScanCommand':
      return [{ action, pk: '' }];
    case 'TransactWriteItemsCommand':
      return (input['TransactItems'] as Record<string, Input>[]).flatMap((item) => Object.entries(item).map(([kind, spec]) => ({
        action: `dynamodb:${TRANSACT_ACTIONS[kind as keyof typeof TRANSACT_ACTIONS]}`,
        pk: pkOf(kind === 'Put' ? spec['Item'] : spec['Key']),
      })));
    default:
      throw new Error(`no table-access rule for ${commandName}`);
  }
}

/** Note every request's table uses in `into` (as JSON strings, so repeats are counted once). */
export function recordTableAccess(doc: DynamoDBDocumentClient, into: Set<string>): void {
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      for (const use of usesOf(String(context.commandName ?? ''), args.input as Input)) into.add(JSON.stringify(use));
      return next(args);
    },
    { step: 'initialize', priority: 'high', name: 'bursarTestTableAccess' },
  );
}

/** IAM's StringLike: `*` matches any run of characters. */
const like = (pattern: string, value: string) =>
  new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(value);

function covers(access: TableAccess, use: TableUse): boolean {
  if (use.action === 'dynamodb:Scan') return access.scan === true;
  if (use.index !== undefined) {
    const patterns = (access.indexes as Record<string, readonly string[]> | undefined)?.[use.index] ?? [];
    return use.action === 'dynamodb:Query' && patterns.some((p) => like(p, use.pk));
  }
  return access.items.some((g) => g.actions.includes(use.action) && g.keys.some((p) => like(p, use.pk)));
}

/** The recorded uses that no adapter's declared access (ADAPTER_ACCESS) covers. */
export function ungranted(recorded: Iterable<string>): TableUse[] {
  const declared: TableAccess[] = Object.values(ADAPTER_ACCESS);
  return [...recorded].map((u) => JSON.parse(u) as TableUse).filter((use) => !declared.some((a) => covers(a, use)));
}
