import { createHash, randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/** A Lambda handler fed by SQS, as the event source mapping calls it. */
export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface DeadLetter {
  queue: string;
  messageId: string;
  body: string;
  receiveCount: number;
  firstSentAt: string;
  deadAt: string;
  lastError: string;
}

export interface LocalQueueOptions {
  /** Queue name, used in ARNs and dead letters. */
  name: string;
  /** Records per handler invocation (Lambda's BatchSize). */
  batchSize: number;
  /** Deliveries before a message moves to the dead-letter store (the redrive policy's maxReceiveCount). */
  maxReceiveCount: number;
  /** Handler invocations running at once (Lambda's maximum concurrency). */
  concurrency: number;
  /** Delay before a failed message is visible again, in ms (a scaled-down visibility timeout). */
  retryDelayMs: number;
  onDeadLetter: (letter: DeadLetter) => Promise<void>;
  /** Told how many messages were acknowledged after each invocation. */
  onProgress?: (acknowledged: number) => void;
}

interface Message {
  messageId: string;
  body: string;
  receiveCount: number;
  sentAt: number;
}

/**
 * Locally there is no SQS (see ENGINEERING.md), so this plays the part of a queue plus Lambda's
 * event source mapping: it hands the real handler SQS-shaped batches, honours partial batch
 * failures (ReportBatchItemFailures), redelivers failed messages, and moves a message that failed
 * `maxReceiveCount` times to a dead-letter store. Messages are pulled from `source` lazily, so a
 * huge input never sits in memory whole.
 */
export async function runLocalQueue(source: AsyncIterable<string>, handler: SqsHandler, options: LocalQueueOptions): Promise<void> {
  const iterator = source[Symbol.asyncIterator]();
  const retries: Message[] = [];
  let exhausted = false;
  let fatal: unknown;

  async function nextBatch(): Promise<Message[]> {
    const batch: Message[] = [];
    const now = Date.now();
    // Due redeliveries first, as SQS makes a message visible again after its timeout.
    while (batch.length < options.batchSize && retries.length > 0 && retries[0]!.sentAt <= now) batch.push(retries.shift()!);
    while (batch.length < options.batchSize && !exhausted) {
      const next = await iterator.next();
      if (next.done) exhausted = true;
      else batch.push({ messageId: randomUUID(), body: next.value, receiveCount: 0, sentAt: now });
    }
    if (batch.length === 0 && retries.length > 0) {
      await sleep(Math.max(0, retries[0]!.sentAt - Date.now()));
      return nextBatch();
    }
    return batch;
  }

  async function deliver(batch: Message[]): Promise<void> {
    for (const m of batch) m.receiveCount++;
    let failed: Set<string>;
    let error = 'reported as a batch item failure';
    try {
      const response = await handler(toEvent(options.name, batch), fakeContext(options.name));
      failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (e) {
      // A handler that throws fails the whole batch, as with Lambda.
      failed = new Set(batch.map((m) => m.messageId));
      error = e instanceof Error ? e.message : String(e);
    }
    let acknowledged = 0;
    for (const m of batch) {
      if (!failed.has(m.messageId)) { acknowledged++; continue; }
      if (m.receiveCount >= options.maxReceiveCount) {
        await options.onDeadLetter({
          queue: options.name, messageId: m.messageId, body: m.body, receiveCount: m.receiveCount,
          firstSentAt: new Date(m.sentAt).toISOString(), deadAt: new Date().toISOString(), lastError: error,
        });
        acknowledged++;
      } else {
        retries.push({ ...m, sentAt: Date.now() + options.retryDelayMs * m.receiveCount });
      }
    }
    options.onProgress?.(acknowledged);
  }

  // A fixed pool of pollers, like the mapping's concurrent invocations; the queue is shared.
  let pulling: Promise<unknown> = Promise.resolve();
  const poller = async () => {
    for (;;) {
      if (fatal) return;
      // Only one poller reads the source at a time, so batches keep the file's order.
      const batchPromise: Promise<Message[]> = pulling.then(() => nextBatch());
      pulling = batchPromise.catch(() => undefined);
      let batch: Message[];
      try {
        batch = await batchPromise;
      } catch (e) {
        fatal ??= e;
        return;
      }
      if (batch.length === 0) return;
      await deliver(batch);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, poller));
  // A poller may stop while another still has retries in flight; finish them.
  while (!fatal && retries.length > 0) await poller();
  if (fatal) throw fatal;
}

/** The SenderId of every message on the in-process queue (SQS would give the sender's unique id). */
export const LOCAL_SENDER_ID = 'local';

function toEvent(queue: string, batch: Message[]): SQSEvent {
  const arn = `arn:aws:sqs:local:000000000000:${queue}`;
  return {
    Records: batch.map((m): SQSRecord => ({
      messageId: m.messageId,
      receiptHandle: `${m.messageId}#${m.receiveCount}`,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        SenderId: LOCAL_SENDER_ID,
        ApproximateFirstReceiveTimestamp: String(m.sentAt),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(m.body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: arn,
      awsRegion: 'local',
    })),
  };
}

function fakeContext(queue: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `bursar-local-${queue}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:bursar-local-${queue}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: 'local',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 60_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
