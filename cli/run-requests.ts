import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createRunRequestHandler } from '../functions/run-request/create-handler.ts';
import { DynamoRunRequestLog } from '../shared/adapters/dynamo/dynamo-run-requests.ts';
import { DynamoRunStore } from '../shared/adapters/dynamo/dynamo-run-store.ts';
import { LocalDirSink } from '../shared/adapters/files/local-dir-sink.ts';
import { BursarError, TransientError } from '../shared/domain/errors.ts';
import type { RunRequest } from '../shared/domain/queue-messages.ts';
import type { RunRequestOutcome } from '../shared/ports/run-request-log.ts';
import type { PrepareOptions } from '../shared/services/prepare-run.ts';
import { LOCAL_SENDER_ID, runLocalQueue } from './local/local-queue.ts';
import { manifestSignerOf } from './manifest-signer.ts';
import { alertEvents } from './alert-events.ts';
import type { Runtime } from './runtime.ts';

export const RUN_REQUEST_QUEUE = 'run-requests';

/** Distributive Omit, so each action keeps its own fields. */
type WithoutId<T> = T extends unknown ? Omit<T, 'request_id'> : never;

export interface RunRequestOptions {
  /** Where an export writes its files. */
  outDir?: string;
  /** Replace files already in outDir (`run export --force`). */
  overwrite?: boolean;
  prepare?: PrepareOptions;
  /** Deliveries before the request is parked in the local dead-letter store. Default 3. */
  maxReceiveCount?: number;
}

/** The disbursement runs on the CLI's store. */
export function runStoreOf(runtime: Runtime): DynamoRunStore {
  return new DynamoRunStore(runtime.doc, runtime.tableName, { maxTransactionItems: runtime.ledger.maxTransactionItems });
}

/**
 * `run prepare|approve|export` locally: the request goes, as one SQS-shaped message, through the
 * same run-request handler that SQS feeds in AWS (functions/run-request/create-handler.ts), with
 * the local queue's retries and dead letters. A refusal comes back as its error (e.g. SAME_PERSON);
 * a request that kept failing is parked in the dead-letter store (`bursar dlq list --queue
 * run-requests`) and its last error reported.
 */
export async function requestRun(runtime: Runtime, request: WithoutId<RunRequest>, options: RunRequestOptions = {}): Promise<Extract<RunRequestOutcome, { ok: true }>> {
  const message = { request_id: `cli-${randomUUID()}`, ...request } as RunRequest;
  let outcome: RunRequestOutcome | undefined;
  let lastError: Error | undefined;
  const handler = createRunRequestHandler({
    ledger: runtime.ledger,
    runs: runStoreOf(runtime),
    requests: new DynamoRunRequestLog(runtime.doc, runtime.tableName),
    allowedSenders: [LOCAL_SENDER_ID],
    clock: runtime.clock,
    events: alertEvents(runtime), // issue 14: HOLD alerts of awards held at run preparation
    sinkFor: () => new LocalDirSink(options.outDir ?? '.', { overwrite: options.overwrite === true }),
    signer: manifestSignerOf(runtime),
    ...(options.prepare ? { prepare: options.prepare } : {}),
    logger: new Logger({ serviceName: 'bursar-run-request' }),
    metrics: new Metrics({ serviceName: 'bursar-run-request', namespace: 'Bursar' }),
    onOutcome: (_id, o) => { outcome = o; },
    onFailure: (_id, error) => { lastError = error; },
  });
  await runLocalQueue(once(JSON.stringify(message)), handler, {
    name: RUN_REQUEST_QUEUE,
    batchSize: 1,
    concurrency: 1,
    maxReceiveCount: options.maxReceiveCount ?? 3,
    retryDelayMs: 200,
    onDeadLetter: (letter) => runtime.deadLetters.add({ ...letter, lastError: lastError?.message ?? letter.lastError }),
  });
  if (!outcome) {
    if (lastError instanceof BursarError) throw lastError;
    throw new TransientError(`the ${request.action} request kept failing and was moved to the dead-letter store (bursar dlq list --queue ${RUN_REQUEST_QUEUE}): ${lastError?.message ?? 'unknown error'}`, { cause: lastError });
  }
  if (!outcome.ok) throw new BursarError(outcome.error.code, outcome.error.message, { request_id: outcome.request_id });
  return outcome;
}

async function* once(body: string): AsyncIterable<string> {
  yield body;
}
