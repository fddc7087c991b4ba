/**
 * An in-memory stand-in for Bursar's one DynamoDB table, with the semantics the adapters rely on:
 *
 * - items keyed by (pk, sk), stored as the same attribute maps the DynamoDB adapters write (built with
 *   the adapters' own item mappers), so a snapshot of either store is read by the same code;
 * - TransactWriteItems: every condition is evaluated against the state before the transaction, all of
 *   them at once; if any fails nothing is applied and the error carries one cancellation reason per
 *   item (`ConditionalCheckFailed` or `None`), as DynamoDB's TransactionCanceledException does. Two
 *   operations on one item in a transaction are refused (ValidationException), in the order DynamoDB
 *   Local checks it (after the conditions);
 * - single conditional writes throw ConditionalCheckFailedException;
 * - comparisons with a missing attribute are false; arithmetic on a missing attribute in SET is a
 *   ValidationException; ADD starts from 0;
 * - Query: key order by sort key, `Limit` counts items evaluated before the filter, and a page that
 *   reached its limit returns a LastEvaluatedKey (the next page may be empty); GSIs hold the items
 *   that have both index attributes. Indexes here are consistent (as in DynamoDB Local), not lagging.
 *
 * Every request passes the StoreGate first (a scheduling point and a fault point, store-gate.ts).
 * The execution of a request is synchronous, so each request is atomic, as it is in DynamoDB.
 */
import {
  OPEN_GATE, replyLost, singleWriteConflict, throttled, transactionConflict, type StoreCall, type StoreGate,
} from './store-gate.ts';

export type Item = Record<string, unknown>;
export type Condition = (item: Item | undefined) => boolean;

export type TxOp =
  | { type: 'Put'; item: Item; condition?: Condition }
  | { type: 'Update'; pk: string; sk: string; condition?: Condition; mutate: (draft: Item) => void }
  | { type: 'Delete'; pk: string; sk: string; condition?: Condition }
  | { type: 'ConditionCheck'; pk: string; sk: string; condition: Condition };

export interface TableKey {
  pk: string;
  sk: string;
}

export interface IndexKey extends TableKey {
  gpk: string;
  gsk: string;
}

function named(name: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name }, extra);
}

export const conditionFailed = () => named('ConditionalCheckFailedException', 'The conditional request failed');
export const validation = (message: string) => named('ValidationException', message);

const keyOf = (pk: string, sk: string) => `${pk}\u0000${sk}`;
const clone = <T>(v: T): T => structuredClone(v);

/** Attribute maps without `undefined` values, as the document client (removeUndefinedValues) stores them. */
function clean(item: Item): Item {
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) if (v !== undefined) out[k] = clone(v);
  return out;
}

// ---- condition and update helpers, with DynamoDB's semantics ------------------------------------

export const exists = (it: Item | undefined, name: string) => it !== undefined && it[name] !== undefined;
export const notExists = (it: Item | undefined, name: string) => !exists(it, name);
export const eq = (it: Item | undefined, name: string, v: unknown) => exists(it, name) && it![name] === v;
export const ge = (it: Item | undefined, name: string, v: number) => exists(it, name) && typeof it![name] === 'number' && (it![name] as number) >= v;
export const le = (it: Item | undefined, name: string, v: number) => exists(it, name) && typeof it![name] === 'number' && (it![name] as number) <= v;

/** SET name = name + delta (a missing attribute is an error, as in DynamoDB). */
export function plus(d: Item, name: string, delta: number): void {
  if (typeof d[name] !== 'number') throw validation(`The provided expression refers to an attribute that does not exist in the item: ${name}`);
  d[name] = (d[name] as number) + delta;
}
/** ADD name delta (a missing attribute counts as 0). */
export function addNumber(d: Item, name: string, delta: number): void {
  const now = d[name] ?? 0;
  if (typeof now !== 'number') throw validation(`ADD on a non-number attribute ${name}`);
  d[name] = now + delta;
}
/** SET name = if_not_exists(name, v). */
export function ifNotExists(d: Item, name: string, v: unknown): void {
  if (d[name] === undefined) d[name] = clone(v);
}
/** SET name = list_append(name, list). */
export function listAppend(d: Item, name: string, list: unknown[]): void {
  if (!Array.isArray(d[name])) throw validation(`list_append on a missing or non-list attribute ${name}`);
  d[name] = [...(d[name] as unknown[]), ...clone(list)];
}

export class MemoryTable {
  gate: StoreGate;

  constructor(gate: StoreGate = OPEN_GATE, private readonly data = new Map<string, Item>()) {
    this.gate = gate;
  }

  /** The same table seen through another gate (e.g. none, for the harness's own reads). */
  withGate(gate: StoreGate): MemoryTable {
    return new MemoryTable(gate, this.data);
  }

  // ---- the requests (each passes the gate) ------------------------------------------------------

  get(pk: string, sk: string): Promise<Item | undefined> {
    return this.request({ op: 'get', label: `get ${pk}/${sk}` }, () => {
      const item = this.data.get(keyOf(pk, sk));
      return item ? clone(item) : undefined;
    });
  }

  /** BatchGetItem; a 'partial' fault leaves the second half of the keys unprocessed. */
  batchGet(keys: readonly TableKey[]): Promise<{ items: Item[]; unprocessed: TableKey[] }> {
    if (keys.length > 100) throw validation('Too many items requested for the BatchGetItem call');
    return this.request({ op: 'batchGet', label: 'batchGet' }, (fault) => {
      const served = fault === 'partial' ? keys.slice(0, Math.ceil(keys.length / 2)) : keys;
      const items = served.flatMap((k) => {
        const item = this.data.get(keyOf(k.pk, k.sk));
        return item ? [clone(item)] : [];
      });
      return { items, unprocessed: keys.slice(served.length).map((k) => ({ ...k })) };
    });
  }

  /** Query the table: one partition, sort keys ascending, optional begins_with and page limit. */
  query(q: { pk: string; skBeginsWith?: string; limit?: number; startAfter?: string }): Promise<{ items: Item[]; lastKey?: string }> {
    return this.request({ op: 'query', label: `query ${q.pk}` }, () => {
      const matching = [...this.data.values()]
        .filter((it) => it.pk === q.pk && (q.skBeginsWith === undefined || String(it.sk).startsWith(q.skBeginsWith)))
        .filter((it) => q.startAfter === undefined || String(it.sk) > q.startAfter)
        .sort((a, b) => cmp(String(a.sk), String(b.sk)));
      const page = q.limit === undefined ? matching : matching.slice(0, q.limit);
      const reachedLimit = q.limit !== undefined && page.length === q.limit;
      return { items: page.map(clone), ...(reachedLimit ? { lastKey: String(page[page.length - 1]!.sk) } : {}) };
    });
  }

  /**
   * Query a GSI: items having both index attributes, by index sort key. `limit` counts evaluated
   * items; `filter` (a FilterExpression) is applied after the limit, as in DynamoDB.
   */
  queryIndex(q: {
    index: 'gsi1' | 'gsi2';
    pk: string;
    skBeginsWith?: string;
    skAtMost?: string;
    limit?: number;
    startAfter?: IndexKey;
    filter?: (item: Item) => boolean;
  }): Promise<{ items: Item[]; lastKey?: IndexKey }> {
    return this.request({ op: 'query', label: `query ${q.index} ${q.pk}` }, () => {
      const gpkName = `${q.index}pk`;
      const gskName = `${q.index}sk`;
      const keyed = (it: Item): IndexKey => ({ gpk: String(it[gpkName]), gsk: String(it[gskName]), pk: String(it.pk), sk: String(it.sk) });
      const order = (a: IndexKey, b: IndexKey) => cmp(a.gsk, b.gsk) || cmp(a.pk, b.pk) || cmp(a.sk, b.sk);
      const matching = [...this.data.values()]
        .filter((it) => typeof it[gpkName] === 'string' && typeof it[gskName] === 'string' && it[gpkName] === q.pk)
        .filter((it) => q.skBeginsWith === undefined || String(it[gskName]).startsWith(q.skBeginsWith))
        .filter((it) => q.skAtMost === undefined || String(it[gskName]) <= q.skAtMost)
        .filter((it) => q.startAfter === undefined || order(keyed(it), q.startAfter) > 0)
        .sort((a, b) => order(keyed(a), keyed(b)));
      const evaluated = q.limit === undefined ? matching : matching.slice(0, q.limit);
      const reachedLimit = q.limit !== undefined && evaluated.length === q.limit;
      return {
        items: evaluated.filter((it) => q.filter === undefined || q.filter(it)).map(clone),
        ...(reachedLimit ? { lastKey: keyed(evaluated[evaluated.length - 1]!) } : {}),
      };
    });
  }

  scan(filter?: (item: Item) => boolean): Promise<Item[]> {
    return this.request({ op: 'scan', label: 'scan' }, () => [...this.data.values()].filter((it) => !filter || filter(it)).map(clone));
  }

  /** PutItem, optionally conditional (throws ConditionalCheckFailedException). */
  put(item: Item, condition?: Condition): Promise<void> {
    return this.request({ op: 'put', label: `put ${String(item.pk)}/${String(item.sk)}` }, () => {
      const current = this.data.get(keyOf(String(item.pk), String(item.sk)));
      if (condition && !condition(current)) throw conditionFailed();
      this.data.set(keyOf(String(item.pk), String(item.sk)), clean(item));
    });
  }

  /** UpdateItem (creates the item when missing), optionally conditional. */
  update(pk: string, sk: string, condition: Condition | undefined, mutate: (draft: Item) => void): Promise<void> {
    return this.request({ op: 'update', label: `update ${pk}/${sk}` }, () => {
      const current = this.data.get(keyOf(pk, sk));
      if (condition && !condition(current)) throw conditionFailed();
      this.data.set(keyOf(pk, sk), this.updated(pk, sk, current, mutate));
    });
  }

  /** TransactWriteItems: all conditions against the state before, then all writes, or nothing. */
  transact(ops: readonly TxOp[]): Promise<void> {
    if (ops.length === 0) return Promise.reject(validation('TransactItems must not be empty'));
    const call: StoreCall = { op: 'transact', label: `transact(${ops.length}) ${ops.map(describeOp).join(' ')}`, transactItems: ops.length };
    return this.request(call, () => {
      const keys = ops.map((op) => (op.type === 'Put' ? keyOf(String(op.item.pk), String(op.item.sk)) : keyOf(op.pk, op.sk)));
      const codes = ops.map((op, i) => {
        const current = this.data.get(keys[i]!);
        return op.condition === undefined || op.condition(current) ? 'None' : 'ConditionalCheckFailed';
      });
      if (codes.some((c) => c !== 'None')) {
        throw named('TransactionCanceledException', `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`, {
          CancellationReasons: codes.map((Code) => ({ Code })),
        });
      }
      // DynamoDB Local reports two operations on one item only once the conditions hold (AWS refuses
      // the request up front); either way nothing is applied. Bursar never sends such a request.
      if (new Set(keys).size !== keys.length) throw validation('Transaction request cannot include multiple operations on one item');
      // Compute every new item first (a failing update expression aborts the whole transaction).
      const writes = ops.flatMap((op, i): [string, Item | undefined][] => {
        const current = this.data.get(keys[i]!);
        switch (op.type) {
          case 'Put': return [[keys[i]!, clean(op.item)]];
          case 'Update': return [[keys[i]!, this.updated(op.pk, op.sk, current, op.mutate)]];
          case 'Delete': return [[keys[i]!, undefined]];
          case 'ConditionCheck': return [];
        }
      });
      for (const [key, item] of writes) {
        if (item === undefined) this.data.delete(key);
        else this.data.set(key, item);
      }
    });
  }

  // ---- the harness's own access (no gate, no faults) --------------------------------------------

  /** Every item, cloned: the store as a whole, for invariant checks and comparisons. */
  dump(): Item[] {
    return [...this.data.values()].map(clone);
  }

  load(items: readonly Item[]): void {
    for (const item of items) this.data.set(keyOf(String(item.pk), String(item.sk)), clean(item));
  }

  // ---- plumbing ---------------------------------------------------------------------------------

  private updated(pk: string, sk: string, current: Item | undefined, mutate: (draft: Item) => void): Item {
    const draft: Item = current ? clone(current) : { pk, sk };
    mutate(draft);
    if (draft.pk !== pk || draft.sk !== sk) throw validation('Cannot update attribute pk or sk: part of the key');
    return clean(draft);
  }

  private async request<T>(call: StoreCall, execute: (fault: 'partial' | undefined) => T): Promise<T> {
    const fault = await this.gate.before(call);
    if (fault === 'throttle') { await this.gate.after(call); throw throttled(); }
    if (fault === 'conflict') {
      await this.gate.after(call);
      if (call.op === 'transact') throw transactionConflict(call.transactItems ?? 1, (call.transactItems ?? 1) - 1);
      throw singleWriteConflict();
    }
    let result: T;
    try {
      result = execute(fault === 'partial' ? 'partial' : undefined);
    } catch (error) {
      await this.gate.after(call);
      throw fault === 'lost' ? replyLost() : error;
    }
    await this.gate.after(call);
    if (fault === 'lost') throw replyLost();
    return result;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function describeOp(op: TxOp): string {
  const key = op.type === 'Put' ? `${String(op.item.pk)}/${String(op.item.sk)}` : `${op.pk}/${op.sk}`;
  return `${op.type[0]}:${key}`;
}
