import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, test } from '@jest/globals';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent } from 'aws-lambda';
import { freshTable, type TestTable } from '../../support/dynamo.ts';
import { awardFields, ledgerOn, tickingClock } from '../../support/records.ts';
import { budget, reserve, runStoreOn } from '../../support/runs.ts';
import { createRunRequestHandler } from '../../../functions/run-request/create-handler.ts';
import { DynamoRunRequestLog } from '../../../shared/adapters/dynamo/dynamo-run-requests.ts';
import type { DynamoRunStore } from '../../../shared/adapters/dynamo/dynamo-run-store.ts';
import type { DynamoLedger } from '../../../shared/adapters/dynamo/dynamo-ledger.ts';
import { LocalDirSink } from '../../../shared/adapters/files/local-dir-sink.ts';
import { TransientError } from '../../../shared/domain/errors.ts';
import type { RunRequestOutcome } from '../../../shared/ports/run-request-log.ts';
import type { RunStore } from '../../../shared/ports/run-store.ts';
import { approveRun } from '../../../shared/services/approve-run.ts';

process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';

const tables: TestTable[] = [];
let table: TestTable;
let ledger: DynamoLedger;
let runs: DynamoRunStore;
let outDir: string;
let outcomes: Map<string, RunRequestOutcome>;
let seq = 0;

const context = { functionName: 'bursar-run-request', awsRequestId: 'req' } as Context;
/** The API function role's unique id, as the stack passes it in BURSAR_RUN_REQUEST_SENDERS. */
const API_ROLE_ID = 'AROAAPIFUNCTIONROLE01';
const API_SENDER = `${API_ROLE_ID}:bursar-api`;
const eventFrom = (senderId: string | undefined, ...bodies: unknown[]): SQSEvent => ({
  Records: bodies.map((body) => ({
    messageId: `msg-${++seq}`, receiptHandle: 'r', body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: (senderId === undefined ? {} : { SenderId: senderId }) as never,
    messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:local:0:runs', awsRegion: 'local',
  })),
});
const event = (...bodies: unknown[]): SQSEvent => eventFrom(API_SENDER, ...bodies);

function handlerWith(store: RunStore = runs) {
  return createRunRequestHandler({
    ledger, runs: store, clock: tickingClock(Date.parse('2025-05-02T00:00:00Z')), requests: new DynamoRunRequestLog(table.doc, table.tableName),
    allowedSenders: [API_ROLE_ID],
    sinkFor: () => new LocalDirSink(outDir), logger: new Logger({ serviceName: 'test' }), metrics: new Metrics({ namespace: 'test' }),
    onOutcome: (id, outcome) => outcomes.set(id, outcome),
  });
}

beforeEach(async () => {
  table = await freshTable();
  tables.push(table);
  ledger = ledgerOn(table);
  runs = runStoreOn(table);
  outDir = mkdtempSync(path.join(os.tmpdir(), 'bursar-run-request-test-'));
  outcomes = new Map();
  const clock = tickingClock();
  await budget(ledger, clock, 7, 2025, 100_000);
  await reserve(ledger, clock, [awardFields(1), awardFields(2)]);
});
afterAll(async () => { await Promise.all(tables.map((t) => t.drop())); });

const prepare = (id: string, by = 'maker') => ({ request_id: id, action: 'prepare', period: '2025-04', by });

describe('run-request handler', () => {
  test('prepare, then (approved by a second person outside the queue) export, each acknowledged with its outcome', async () => {
    const handler = handlerWith();
    const e = event(prepare('r1'));
    expect(await handler(e, context)).toEqual({ batchItemFailures: [] });
    expect(outcomes.get(e.Records[0]!.messageId)).toMatchObject({ ok: true, action: 'prepare', run: { run_id: 'RUN-2025-04', status: 'PREPARED', award_count: 2, prepared_by: 'maker' } });
    await approveRun({ runs, clock: tickingClock() }, { run_id: 'RUN-2025-04', by: 'checker' });
    const x = event({ request_id: 'r3', action: 'export', run_id: 'RUN-2025-04' });
    expect(await handler(x, context)).toEqual({ batchItemFailures: [] });
    expect(outcomes.get(x.Records[0]!.messageId)).toMatchObject({ ok: true, action: 'export', run: { status: 'EXPORTED' } });
    expect(readdirSync(outDir).sort()).toEqual(['RUN-2025-04-manifest.json', 'RUN-2025-04-payments.csv', 'RUN-2025-04-payments.xlsx']);
  });

  test('a redelivered request is answered from its first outcome; the same id for something else is refused', async () => {
    const handler = handlerWith();
    const first = event(prepare('same'));
    await handler(first, context);
    const again = event(prepare('same'));
    await handler(again, context);
    expect(outcomes.get(again.Records[0]!.messageId)).toMatchObject({ ok: true, replayed: true, run: { run_id: 'RUN-2025-04' } });

    const reused = event({ request_id: 'same', action: 'export', run_id: 'RUN-2025-04' });
    const response = await handler(reused, context);
    expect(response.batchItemFailures).toEqual([]);
    expect(outcomes.get(reused.Records[0]!.messageId)).toMatchObject({ ok: false, error: { code: 'REQUEST_ID_REUSED' } });
    expect((await runs.getRun('RUN-2025-04'))!.status).toBe('PREPARED');
  });

  test('refusals are outcomes (acknowledged, not retried): not approved', async () => {
    const handler = handlerWith();
    await handler(event(prepare('p', 'Li Na')), context);
    const e = event({ request_id: 'x', action: 'export', run_id: 'RUN-2025-04' });
    const response = await handler(e, context);
    expect(response.batchItemFailures).toEqual([]);
    expect(outcomes.get(e.Records[0]!.messageId)).toMatchObject({ ok: false, error: { code: 'NOT_APPROVED' } });
  });

  // Issue 13, finding 5: anyone with SendMessage could queue a prepare or an approve with any `by`.
  test('a message from any sender but the API function role is not acted on: failed (to the DLQ), nothing done', async () => {
    const handler = handlerWith();
    const senders = [undefined, '', 'AIDAINTRUDERUSER00001', 'AROAOTHERROLE00000001:bursar-api', `${API_ROLE_ID}X:bursar-api`, `x${API_ROLE_ID}:s`];
    for (const [i, sender] of senders.entries()) {
      const e = eventFrom(sender, prepare(`evil-${i}`, 'mallory'));
      expect(await handler(e, context)).toEqual({ batchItemFailures: [{ itemIdentifier: e.Records[0]!.messageId }] });
      expect(outcomes.has(e.Records[0]!.messageId)).toBe(false);
    }
    expect(await runs.getRun('RUN-2025-04')).toBeUndefined();
    // The same request from the API's role goes through.
    const ok = eventFrom(API_SENDER, prepare('evil-0', 'maker'));
    expect(await handler(ok, context)).toEqual({ batchItemFailures: [] });
    expect((await runs.getRun('RUN-2025-04'))!.status).toBe('PREPARED');
  });

  test('approve is never a queued request, even from the API role: failed (to the DLQ), the run stays PREPARED', async () => {
    const handler = handlerWith();
    await handler(event(prepare('p')), context);
    const e = event({ request_id: 'a', action: 'approve', run_id: 'RUN-2025-04', by: 'checker' });
    expect(await handler(e, context)).toEqual({ batchItemFailures: [{ itemIdentifier: e.Records[0]!.messageId }] });
    expect(outcomes.has(e.Records[0]!.messageId)).toBe(false);
    expect((await runs.getRun('RUN-2025-04'))!.status).toBe('PREPARED');
  });

  test('partial batch response: a malformed message and a transient failure are retried alone', async () => {
    let failNext = false;
    const flaky: RunStore = Object.create(runs, {
      getRun: { value: async (id: string) => {
        if (failNext) { failNext = false; throw new TransientError('throttled'); }
        return runs.getRun(id);
      } },
    });
    const handler = handlerWith(flaky);
    await handler(event(prepare('p')), context);
    await approveRun({ runs, clock: tickingClock() }, { run_id: 'RUN-2025-04', by: 'checker' });
    failNext = true;
    const e = event('not json', { request_id: 'bad', action: 'launch' }, { request_id: 'x1', action: 'export', run_id: 'RUN-2025-04' }, { request_id: 'x2', action: 'export', run_id: 'RUN-2025-04' });
    const response = await handler(e, context);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([e.Records[0]!.messageId, e.Records[1]!.messageId, e.Records[2]!.messageId]);
    expect(outcomes.get(e.Records[3]!.messageId)).toMatchObject({ ok: true, run: { status: 'EXPORTED' } });
    // The transient failure left no record: its redelivery is handled afresh, and refused, since x2
    // exported the run and a run is exported once (issue 13).
    const redelivered = event({ request_id: 'x1', action: 'export', run_id: 'RUN-2025-04' });
    await handler(redelivered, context);
    expect(outcomes.get(redelivered.Records[0]!.messageId)).toMatchObject({ ok: false, error: { code: 'ALREADY_EXPORTED' } });
  });
});
