import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDynamoClients } from '../../../../shared/adapters/dynamo/client.ts';
import { DynamoAwardSearch } from '../../../../shared/adapters/dynamo/dynamo-award-search.ts';
import type { DynamoLedger } from '../../../../shared/adapters/dynamo/dynamo-ledger.ts';
import { scanItems } from '../../../../shared/adapters/dynamo/operations.ts';
import type { AwardPage, AwardSearchQuery } from '../../../../shared/ports/award-search.ts';
import { freshTable, testEndpoint, type TestTable } from '../../../support/dynamo.ts';
import { awardFields, ledgerOn } from '../../../support/records.ts';
import { budget, clockAt, reserve } from '../../../support/runs.ts';

const AWARDS = 30;
let table: TestTable;
let ledger: DynamoLedger;
let doc: DynamoDBDocumentClient;
/** Items each Scan request read (its ScannedCount), in order. */
let scanned: number[] = [];
let tableItems = 0;

beforeAll(async () => {
  table = await freshTable();
  ledger = ledgerOn(table);
  const clock = clockAt('2025-05-10T02:00:00Z');
  await budget(ledger, clock, 7, 2025, 100_000);
  await reserve(ledger, clock, Array.from({ length: AWARDS }, (_, i) => awardFields(i + 1, { approved_date: `2025-04-${String(1 + (i % 20)).padStart(2, '0')}` })));
  for await (const _ of scanItems(table.doc, { TableName: table.tableName })) tableItems++;
  // The search's own client, noting what each scan read.
  doc = createDynamoClients({ endpoint: testEndpoint() }).doc;
  doc.middlewareStack.add((next, context) => async (args) => {
    const out = await next(args);
    if (context.commandName === 'ScanCommand') scanned.push(Number((out.output as { ScannedCount?: number }).ScannedCount));
    return out;
  }, { step: 'initialize', name: 'countScanned' });
});
afterAll(async () => { await table.drop(); });

/** Every page of a query, following the cursors; the items each request read. */
async function allPages(search: DynamoAwardSearch, query: AwardSearchQuery): Promise<{ pages: AwardPage[]; readPerRequest: number[] }> {
  const pages: AwardPage[] = [];
  const readPerRequest: number[] = [];
  let cursor: string | null = null;
  do {
    scanned = [];
    const page: AwardPage = await search.search({ ...query, ...(cursor ? { cursor } : {}) });
    readPerRequest.push(scanned.reduce((a, b) => a + b, 0));
    pages.push(page);
    cursor = page.next_cursor;
    if (pages.length > 100) throw new Error('the cursors never end');
  } while (cursor);
  return { pages, readPerRequest };
}

describe('DynamoAwardSearch: the read bound of a request', () => {
  test('a filter matching nothing over more items than the bound: an empty page with a cursor, never more than the bound read; the cursors go through the table once', async () => {
    expect(tableItems).toBeGreaterThan(2 * 25); // awards, the envelope, its history, intake and control items
    const search = new DynamoAwardSearch(doc, table.tableName, ledger, { maxItemsReadPerRequest: 25 });
    scanned = [];
    const first = await search.search({ q: 'nobody by this name', limit: 10 });
    expect(first.awards).toEqual([]);
    expect(first.next_cursor).not.toBeNull();
    expect(scanned.reduce((a, b) => a + b, 0)).toBe(25);

    const { pages, readPerRequest } = await allPages(search, { q: 'nobody by this name', limit: 10 });
    expect(pages.flatMap((p) => p.awards)).toEqual([]);
    for (const read of readPerRequest) expect(read).toBeLessThanOrEqual(25);
    // Each item read once across the requests: the bound stops a request, it does not skip or repeat.
    expect(readPerRequest.reduce((a, b) => a + b, 0)).toBe(tableItems);
    expect(pages.length).toBe(Math.ceil(tableItems / 25) + (tableItems % 25 === 0 ? 1 : 0));
  });

  test('a bound smaller than a page: pages hold fewer awards, the cursor (often not an award key) goes on, every award comes once', async () => {
    const search = new DynamoAwardSearch(doc, table.tableName, ledger, { maxItemsReadPerRequest: 7 });
    const { pages, readPerRequest } = await allPages(search, { unit: 'EITB', limit: 10 });
    const ids = pages.flatMap((p) => p.awards.map((a) => a.award_id));
    expect(ids).toHaveLength(AWARDS);
    expect(new Set(ids).size).toBe(AWARDS);
    for (const read of readPerRequest) expect(read).toBeLessThanOrEqual(7);
    for (const p of pages) expect(p.awards.length).toBeLessThanOrEqual(7);
  });

  test('the default bound reads a small table in one request, a page stopping exactly at the limit', async () => {
    const search = new DynamoAwardSearch(doc, table.tableName, ledger);
    scanned = [];
    expect(await search.search({ q: 'nobody by this name', limit: 10 })).toEqual({ awards: [], next_cursor: null });
    expect(scanned.reduce((a, b) => a + b, 0)).toBe(tableItems);
    const { pages } = await allPages(search, { limit: 12 });
    expect(pages.map((p) => p.awards.length)).toEqual([12, 12, 6]);
    expect(() => new DynamoAwardSearch(doc, table.tableName, ledger, { maxItemsReadPerRequest: 0 })).toThrow('maxItemsReadPerRequest');
  });

  test('by status and measure (GSI1): queue order across pages, each award once', async () => {
    const search = new DynamoAwardSearch(doc, table.tableName, ledger);
    const { pages } = await allPages(search, { status: 'RESERVED', measure: 7, limit: 8 });
    const awards = pages.flatMap((p) => p.awards);
    expect(awards).toHaveLength(AWARDS);
    expect(new Set(awards.map((a) => a.award_id)).size).toBe(AWARDS);
    const order = awards.map((a) => `${a.approved_date}#${a.award_id}`);
    expect([...order].sort()).toEqual(order);
    // A scan's cursor is not one for the index.
    const scanPage = await search.search({ limit: 4 });
    await expect(search.search({ status: 'RESERVED', measure: 7, limit: 4, cursor: scanPage.next_cursor! })).rejects.toMatchObject({ code: 'BAD_CURSOR' });
  });
});
