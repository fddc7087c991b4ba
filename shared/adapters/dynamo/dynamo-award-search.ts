import { QueryCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { ValidationError } from '../../domain/errors.ts';
import type { AwardPage, AwardSearch, AwardSearchQuery } from '../../ports/award-search.ts';
import type { Ledger } from '../../ports/ledger.ts';
import { awardStatusPk, itemToAward } from './items.ts';
import type { Item } from './operations.ts';
import { GSI1 } from './table-schema.ts';

/** GSI1 query pages (each about the API page's size) read for one API page at most: a rare filter ends early with a cursor. */
const MAX_PAGES_PER_REQUEST = 8;
const ENVELOPE_CACHE_MS = 5_000;
/** The most items one scan page reads (the pages' growth stops here). */
const SCAN_READ_LIMIT = 1000;
/**
 * The most items one API request's scan reads, counted as DynamoDB counts them (every item it
 * evaluates, before the filter drops those not asked for). A rare filter over a big table then
 * answers with the awards found so far and a cursor instead of reading on: a request's read cost
 * (about 8,000 small items, a few hundred read units) and its time stay bounded however the table
 * grows, and the client asks for more by the cursor.
 */
export const MAX_ITEMS_READ_PER_REQUEST = 8_000;

const keySchema = z.object({
  pk: z.string().max(200), sk: z.string().max(200), gsi1pk: z.string().max(200).optional(), gsi1sk: z.string().max(300).optional(),
}).strict();
const cursorSchema = z.object({ y: z.number().int().min(2000).max(2100).optional(), k: keySchema }).strict();
type Cursor = z.infer<typeof cursorSchema>;

const badCursor = () => new ValidationError('BAD_CURSOR', 'cursor is not one this API handed out for this query', { field: 'cursor' });

function decodeCursor(text: string): Cursor {
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch { /* fall through */ }
  throw badCursor();
}

const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

/**
 * Awards for the API, a page at a time. With a status and a measure it queries GSI1 (queue order:
 * approved date, then id), fiscal year by fiscal year (every year with an envelope for the measure,
 * unless one is given). Anything else is a filtered scan in store order. Unit and `q` are filters.
 * The cursor is the key of the last award returned (checked against the query on the way back in),
 * so a page stops exactly at `limit` even inside a DynamoDB page, or the key of the last item read
 * when a request's read bound stopped it (a page may then hold fewer awards, even none).
 */
export class DynamoAwardSearch implements AwardSearch {
  private envelopeKeys: { until: number; keys: Promise<{ measure: number; fiscal_year: number }[]> } | undefined;

  private readonly maxItemsRead: number;

  constructor(
    private readonly doc: DynamoDBDocumentClient, private readonly tableName: string, private readonly ledger: Pick<Ledger, 'listEnvelopes'>,
    options: { maxItemsReadPerRequest?: number } = {},
  ) {
    this.maxItemsRead = options.maxItemsReadPerRequest ?? MAX_ITEMS_READ_PER_REQUEST;
    if (!Number.isSafeInteger(this.maxItemsRead) || this.maxItemsRead < 1) throw new Error(`maxItemsReadPerRequest must be a positive integer, not ${this.maxItemsRead}`);
  }

  /**
   * Which (measure, fiscal year) envelopes exist, remembered for a few seconds: a listing without a
   * fiscal year would otherwise read the envelope list on every page. A new envelope shows up in
   * such listings at most that late; with a fiscal year given nothing is cached.
   */
  private async yearsOf(measure: number): Promise<number[]> {
    const now = Date.now();
    if (!this.envelopeKeys || this.envelopeKeys.until < now) {
      const keys = this.ledger.listEnvelopes().then((all) => all.map((e) => ({ measure: e.measure, fiscal_year: e.fiscal_year })));
      this.envelopeKeys = { until: now + ENVELOPE_CACHE_MS, keys };
      keys.catch(() => { this.envelopeKeys = undefined; });
    }
    return [...new Set((await this.envelopeKeys.keys).filter((e) => e.measure === measure).map((e) => e.fiscal_year))].sort();
  }

  async search(query: AwardSearchQuery): Promise<AwardPage> {
    const cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
    const filter = this.filter(query, query.status !== undefined && query.measure !== undefined);
    if (query.status !== undefined && query.measure !== undefined) {
      const { status, measure } = query;
      const years = query.fiscal_year !== undefined ? [query.fiscal_year] : await this.yearsOf(measure);
      let startYear = years[0];
      if (cursor) {
        if (cursor.y === undefined || !years.includes(cursor.y) || cursor.k.gsi1pk !== awardStatusPk(status, { measure, fiscal_year: cursor.y })) throw badCursor();
        startYear = cursor.y;
      }
      const found: Item[] = [];
      let pages = 0;
      for (const year of years.filter((y) => startYear !== undefined && y >= startYear)) {
        let start: Record<string, unknown> | undefined = cursor && cursor.y === year ? cursor.k : undefined;
        do {
          const out = await this.doc.send(new QueryCommand({
            TableName: this.tableName, IndexName: GSI1.name,
            KeyConditionExpression: '#g = :g',
            ...filter.expression,
            ExpressionAttributeNames: { '#g': GSI1.pk, ...filter.names },
            ExpressionAttributeValues: { ':g': awardStatusPk(status, { measure, fiscal_year: year }), ...filter.values },
            Limit: Math.max(query.limit - found.length, 10) + 1,
            ExclusiveStartKey: start,
          }));
          pages++;
          for (const item of out.Items ?? []) {
            found.push(item);
            if (found.length === query.limit) return this.page(found, { y: year, k: keyOf(item, true) });
          }
          start = out.LastEvaluatedKey;
          if (start && pages >= MAX_PAGES_PER_REQUEST) return this.page(found, { y: year, k: start as Cursor['k'] });
        } while (start);
      }
      return this.page(found, undefined);
    }

    // A scan's cursor is the last award returned or, when the read bound stopped the scan, the last
    // item it read: any item of the table (an envelope, a queue entry …), never an index key.
    if (cursor && (cursor.y !== undefined || cursor.k.gsi1pk !== undefined || cursor.k.gsi1sk !== undefined)) throw badCursor();
    const found: Item[] = [];
    let start: Record<string, unknown> | undefined = cursor?.k;
    let read = 0;
    // A scan's Limit counts the items read, not those the filter keeps. Reading 1,000 for a page of 50
    // made every page cost 1,000 awards; start at the page size and double only while the filter
    // keeps too few, so a broad listing reads about one page and a rare filter still gets far.
    let readLimit = query.limit + 1;
    do {
      const pageLimit = Math.min(readLimit, this.maxItemsRead - read);
      const out = await this.doc.send(new ScanCommand({
        TableName: this.tableName,
        FilterExpression: ['#type = :award', ...(filter.expression.FilterExpression ? [filter.expression.FilterExpression] : [])].join(' AND '),
        ExpressionAttributeNames: { '#type': 'type', ...filter.names },
        ExpressionAttributeValues: { ':award': 'AWARD', ...filter.values },
        Limit: pageLimit,
        ExclusiveStartKey: start,
      }));
      read += out.ScannedCount ?? pageLimit;
      readLimit = Math.min(SCAN_READ_LIMIT, readLimit * 2);
      for (const item of out.Items ?? []) {
        found.push(item);
        if (found.length === query.limit) return this.page(found, { k: keyOf(item, false) });
      }
      start = out.LastEvaluatedKey;
      if (start && read >= this.maxItemsRead) return this.page(found, { k: start as Cursor['k'] });
    } while (start);
    return this.page(found, undefined);
  }

  private page(items: Item[], next: Cursor | undefined): AwardPage {
    return { awards: items.map(itemToAward), next_cursor: next ? encodeCursor(next) : null };
  }

  private filter(query: AwardSearchQuery, indexed: boolean) {
    const parts: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    if (!indexed) {
      if (query.status !== undefined) { parts.push('#status = :status'); names['#status'] = 'status'; values[':status'] = query.status; }
      if (query.measure !== undefined) { parts.push('#measure = :measure'); names['#measure'] = 'measure'; values[':measure'] = query.measure; }
      if (query.fiscal_year !== undefined) { parts.push('#fy = :fy'); names['#fy'] = 'fiscal_year'; values[':fy'] = query.fiscal_year; }
    }
    if (query.unit !== undefined) { parts.push('#unit = :unit'); names['#unit'] = 'approving_unit'; values[':unit'] = query.unit; }
    if (query.q !== undefined && query.q !== '') {
      parts.push('(#id = :q OR #uscc = :q OR begins_with(#name, :q))');
      Object.assign(names, { '#id': 'award_id', '#uscc': 'recipient_uscc', '#name': 'recipient_name' });
      values[':q'] = query.q;
    }
    return {
      expression: parts.length > 0 ? { FilterExpression: parts.join(' AND ') } : {},
      names, values,
    };
  }
}

function keyOf(item: Item, indexed: boolean): Cursor['k'] {
  const k: Cursor['k'] = { pk: String(item.pk), sk: String(item.sk) };
  if (indexed) { k.gsi1pk = String(item.gsi1pk); k.gsi1sk = String(item.gsi1sk); }
  return k;
}
