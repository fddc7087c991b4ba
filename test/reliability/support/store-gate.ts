/**
 * The seam between Bursar and "DynamoDB" in the property-based tests (issue 7, part 1). Every request
 * the store receives — a GetItem, a Query page, a TransactWriteItems… — passes a gate first:
 *
 * - a scheduling point: with a fast-check scheduler, the request waits until the scheduler releases
 *   it, so concurrent service calls interleave in a seeded, replayable order; its reply is another
 *   scheduling point;
 * - a fault point: a seeded plan says, by the request's number, whether this request is throttled
 *   (refused, nothing applied), collides with another transaction (TransactionCanceled with a
 *   TransactionConflict reason; TransactionConflictException for a single-item write), comes back
 *   with half its keys unprocessed (BatchGetItem), or is APPLIED and then its reply is lost (the
 *   caller gets an error although the write happened).
 *
 * The gate is installed on a document client as AWS SDK middleware (`gatedDocClient`), so the real
 * DynamoDB adapters run unchanged against DynamoDB Local with these interleavings and faults.
 */
import type { Scheduler } from 'fast-check';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDynamoClients } from '../../../shared/adapters/dynamo/client.ts';
import { testEndpoint } from '../../support/dynamo.ts';

export type Fault = 'throttle' | 'conflict' | 'lost' | 'partial';
export const FAULTS: readonly Fault[] = ['throttle', 'conflict', 'lost', 'partial'];

export type StoreOp = 'get' | 'batchGet' | 'query' | 'scan' | 'put' | 'update' | 'delete' | 'transact';

export interface StoreCall {
  op: StoreOp;
  /** A short description for the scheduler's report (never the item's content). */
  label: string;
  /** Items of a transaction, for a TransactionConflict reason at the right place. */
  transactItems?: number;
}

export interface StoreGate {
  /** Before the request reaches the store. Returns the fault to inject into this request, if any. */
  before(call: StoreCall): Promise<Fault | undefined>;
  /** After the store has answered (applied or refused), before the caller sees the reply. */
  after(call: StoreCall): Promise<void>;
}

export const OPEN_GATE: StoreGate = { before: async () => undefined, after: async () => {} };

/** An error this harness injected: retrying the operation is the right response. */
export interface InjectedError extends Error {
  injected: true;
}

export function isInjected(error: unknown): error is InjectedError {
  return typeof error === 'object' && error !== null && (error as { injected?: unknown }).injected === true;
}

function injected(name: string, message: string, extra: Record<string, unknown> = {}): InjectedError {
  return Object.assign(new Error(`${message} (injected)`), { name, injected: true as const }, extra);
}

export const throttled = () => injected('ThrottlingException', 'Rate of requests exceeds the allowed throughput');
export const singleWriteConflict = () => injected('TransactionConflictException', 'Transaction is ongoing for the item');
export const replyLost = () => injected('TimeoutError', 'connection reset after the request was sent; it was applied');
/** A transaction cancelled because another one touched the same item: reason TransactionConflict at `at`. */
export function transactionConflict(items: number, at: number): InjectedError {
  const reasons = Array.from({ length: items }, (_, i) => ({ Code: i === at ? 'TransactionConflict' : 'None' }));
  return injected('TransactionCanceledException', 'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]', {
    CancellationReasons: reasons,
  });
}

/**
 * A fault plan: request number → fault. Requests are numbered in the order the gate releases them,
 * which the scheduler fixes, so a seed replays the same faults at the same requests. The plan is
 * finite, so every retried operation eventually goes through.
 */
export class FaultPlan {
  private calls = 0;
  readonly injectedFaults: { call: number; fault: Fault; label: string }[] = [];
  /** Faults are only injected while this is true (switched off for the harness's own set-up). */
  armed = true;

  private readonly faults: Map<number, Fault>;
  constructor(faults: ReadonlyMap<number, Fault>) {
    this.faults = new Map(faults);
  }

  /** A fault for the request `ahead` requests from now (issue 15: an approve interrupted mid-way). */
  injectAhead(ahead: number, fault: Fault): void {
    this.faults.set(this.calls + ahead, fault);
  }

  next(call: StoreCall): Fault | undefined {
    const n = this.calls++;
    if (!this.armed) return undefined;
    let fault = this.faults.get(n);
    if (fault === undefined) return undefined;
    // A fault that cannot happen to this kind of request becomes throttling, which can happen to any.
    const write = call.op === 'put' || call.op === 'update' || call.op === 'delete' || call.op === 'transact';
    if (fault === 'conflict' && !write) fault = 'throttle';
    if (fault === 'partial' && call.op !== 'batchGet') fault = 'throttle';
    this.injectedFaults.push({ call: n, fault, label: call.label });
    return fault;
  }

  get requestCount(): number {
    return this.calls;
  }
}

/** Schedules every request and its reply with `scheduler` (when given) and injects `plan`'s faults. */
export function scheduledGate(scheduler: Scheduler | undefined, plan: FaultPlan): StoreGate {
  return {
    async before(call) {
      if (scheduler) await scheduler.schedule(Promise.resolve(), call.label);
      return plan.next(call);
    },
    async after(call) {
      if (scheduler) await scheduler.schedule(Promise.resolve(), `reply ${call.label}`);
    },
  };
}

/** The yield the mocked `backoff` performs: a scheduling point, so a retry waits its turn. */
let backoffYield: ((attempt: number) => Promise<void>) | undefined;
export function setBackoffYield(fn: ((attempt: number) => Promise<void>) | undefined): void {
  backoffYield = fn;
}
export async function scheduledBackoff(attempt: number): Promise<void> {
  if (backoffYield) await backoffYield(attempt);
}

/**
 * A document client on the test DynamoDB Local whose every request passes `gate`, through AWS SDK
 * middleware (the client's own, so the plain client of the same table is untouched): each request
 * is a scheduling point and may be throttled, collide, lose its reply after being applied, or
 * (BatchGetItem) come back with half its keys unprocessed. The middleware sits in the initialize
 * step, after the document marshalling and before the SDK's own retries, so an injected fault
 * reaches the adapter exactly as DynamoDB's would after the SDK gave up. Destroy it when done.
 */
export function gatedDocClient(gate: StoreGate): DynamoDBDocumentClient {
  const { doc } = createDynamoClients({ endpoint: testEndpoint() });
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      const call = describe(String(context.commandName ?? ''), input);
      const fault = await gate.before(call);
      if (fault === 'throttle') { await gate.after(call); throw throttled(); }
      if (fault === 'conflict') {
        await gate.after(call);
        if (call.op === 'transact') throw transactionConflict(call.transactItems ?? 1, (call.transactItems ?? 1) - 1);
        throw singleWriteConflict();
      }
      if (fault === 'partial' && call.op === 'batchGet') {
        const requests = input['RequestItems'] as Record<string, { Keys: unknown[] } & Record<string, unknown>>;
        const [table, spec] = Object.entries(requests)[0]!;
        const half = Math.ceil(spec.Keys.length / 2);
        const out = await next({ ...args, input: { ...input, RequestItems: { [table]: { ...spec, Keys: spec.Keys.slice(0, half) } } } });
        await gate.after(call);
        const rest = spec.Keys.slice(half);
        const output = { ...(out.output as object), UnprocessedKeys: rest.length > 0 ? { [table]: { ...spec, Keys: rest } } : {} };
        return { ...out, output: output as typeof out.output };
      }
      const out = await next(args);
      await gate.after(call);
      if (fault === 'lost') throw replyLost();
      return out;
    },
    { step: 'initialize', priority: 'low', name: 'bursarTestFaultInjection' },
  );
  return doc;
}

function describe(commandName: string, input: Record<string, unknown>): StoreCall {
  // Keys arrive marshalled ({ pk: { S: '…' } }) at this step; labels name them either way.
  const text = (v: unknown) => (typeof v === 'object' && v !== null && 'S' in v ? String((v as { S: unknown }).S) : v === undefined ? '?' : String(v));
  const key = (k: unknown) => {
    const { pk, sk } = (k ?? {}) as { pk?: unknown; sk?: unknown };
    return `${text(pk)}/${text(sk)}`;
  };
  switch (commandName) {
    case 'GetItemCommand': case 'GetCommand': return { op: 'get', label: `get ${key(input['Key'])}` };
    case 'BatchGetItemCommand': case 'BatchGetCommand': return { op: 'batchGet', label: 'batchGet' };
    case 'QueryCommand': return { op: 'query', label: `query ${String(input['IndexName'] ?? 'table')}` };
    case 'ScanCommand': return { op: 'scan', label: 'scan' };
    case 'PutItemCommand': case 'PutCommand': return { op: 'put', label: `put ${key(input['Item'])}` };
    case 'UpdateItemCommand': case 'UpdateCommand': return { op: 'update', label: `update ${key(input['Key'])}` };
    case 'DeleteItemCommand': case 'DeleteCommand': return { op: 'delete', label: `delete ${key(input['Key'])}` };
    case 'TransactWriteItemsCommand': case 'TransactWriteCommand': {
      const items = (input['TransactItems'] as unknown[] | undefined)?.length ?? 0;
      return { op: 'transact', label: `transact(${items})`, transactItems: items };
    }
    default: return { op: 'get', label: commandName };
  }
}
