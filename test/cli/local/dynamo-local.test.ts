import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  createLocalClient,
  ensureTable,
  startDynamoLocal,
  type DynamoLocal,
} from '../../../cli/local/dynamo-local.ts';
import { freshTable } from '../../support/dynamo.ts';

const TABLE = 'bursar-launcher-test';

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startDynamoLocal with a dbPath', () => {
  let dir: string;
  let local: DynamoLocal | undefined;
  let client: DynamoDBClient | undefined;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bursar-ddb-'));
  });

  afterEach(async () => {
    client?.destroy();
    client = undefined;
    await local?.stop();
    local = undefined;
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('starts a second instance on a free port, beside the global one', async () => {
    const started = Date.now();
    local = await startDynamoLocal({ dbPath: path.join(dir, 'data') });
    const ms = Date.now() - started;
    console.log(`DynamoDB Local (dbPath) ready in ${ms} ms on port ${local.port}`);

    expect(local.port).toBeGreaterThan(0);
    expect(local.endpoint).toBe(`http://127.0.0.1:${local.port}`);
    const global = process.env['BURSAR_TEST_DYNAMODB_ENDPOINT'];
    expect(global).toBeTruthy();
    expect(local.endpoint).not.toBe(global);
    expect(processAlive(local.pid)).toBe(true);
  });

  test('ensureTable is idempotent', async () => {
    local = await startDynamoLocal({ dbPath: path.join(dir, 'data') });
    client = createLocalClient(local.endpoint);

    await ensureTable(client, TABLE);
    await ensureTable(client, TABLE);
    await Promise.all([ensureTable(client, `${TABLE}-2`), ensureTable(client, `${TABLE}-2`)]);

    const { Table } = await client.send(new DescribeTableCommand({ TableName: TABLE }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(['gsi1', 'gsi2']);
  });

  test('data persists across stop and start with the same dbPath', async () => {
    const dbPath = path.join(dir, 'persist');
    local = await startDynamoLocal({ dbPath });
    client = createLocalClient(local.endpoint);
    await ensureTable(client, TABLE);
    await client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: { pk: { S: 'AWARD#A1' }, sk: { S: 'AWARD' }, amount: { N: '1234' } },
      }),
    );
    client.destroy();
    await local.stop();

    local = await startDynamoLocal({ dbPath });
    client = createLocalClient(local.endpoint);
    const { Item } = await client.send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'AWARD#A1' }, sk: { S: 'AWARD' } }, ConsistentRead: true }),
    );
    expect(Item?.['amount']).toEqual({ N: '1234' });
  });

  test('stop() really ends the process and frees the port', async () => {
    local = await startDynamoLocal({ inMemory: true });
    const { pid, port } = local;
    expect(processAlive(pid)).toBe(true);
    expect(await portAccepts(port)).toBe(true);

    await local.stop();
    await local.stop(); // idempotent
    expect(processAlive(pid)).toBe(false);
    expect(await portAccepts(port)).toBe(false);
  });
});

describe('the shared test DynamoDB (global setup + freshTable)', () => {
  test('TransactWriteItems with two items works', async () => {
    const t = await freshTable();
    try {
      await t.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: t.tableName, Item: { pk: { S: 'ENV#2025#m1' }, sk: { S: 'ENV' }, v: { N: '1' } } } },
            {
              Put: {
                TableName: t.tableName,
                Item: { pk: { S: 'ENV#2025#m1' }, sk: { S: 'AUDIT#2025-01-01T00:00:00Z#x' } },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      const env = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: { pk: 'ENV#2025#m1', sk: 'ENV' } }));
      expect(env.Item).toEqual({ pk: 'ENV#2025#m1', sk: 'ENV', v: 1 });
      const audit = await t.doc.send(
        new GetCommand({ TableName: t.tableName, Key: { pk: 'ENV#2025#m1', sk: 'AUDIT#2025-01-01T00:00:00Z#x' } }),
      );
      expect(audit.Item).toBeDefined();
    } finally {
      await t.drop();
    }
  });

  test('freshTable gives every caller its own table', async () => {
    const [a, b] = await Promise.all([freshTable(), freshTable()]);
    try {
      expect(a.tableName).not.toBe(b.tableName);
      expect(a.tableName).toMatch(/^bursar-test-\d+-\d+-[a-z0-9]+$/);
    } finally {
      await Promise.all([a.drop(), b.drop()]);
    }
  });
});
