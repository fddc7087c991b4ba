import { afterAll, beforeEach, describe, expect, test } from '@jest/globals';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import type { Context } from 'aws-lambda';
import { freshTable, type TestTable } from '../../support/dynamo.ts';
import { awardFields, ledgerOn, tickingClock } from '../../support/records.ts';
import { budget, reserve, runStoreOn } from '../../support/runs.ts';
import { createApiHandler } from '../../../functions/api/create-handler.ts';
import type { ApiEvent } from '../../../functions/api/http-middleware.ts';
import { SqsRunRequestQueue } from '../../../shared/adapters/sqs/sqs-run-request-queue.ts';
import { prepareRun } from '../../../shared/services/prepare-run.ts';

process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';

const QUEUE = 'https://sqs.cn-north-1.amazonaws.com.cn/123456789012/bursar-run-requests';
const MAKER = 'arn:aws:sts::123456789012:assumed-role/Finance/wang.fang';
const CHECKER = 'arn:aws:sts::123456789012:assumed-role/Finance/zhao.lei';
const sqs = mockClient(SQSClient);
const tables: TestTable[] = [];
let handler: ReturnType<typeof createApiHandler>;
const context = { functionName: 'bursar-api', awsRequestId: 'req' } as Context;

function request(routeKey: string, opts: { body?: string; userArn?: string; path?: Record<string, string>; query?: Record<string, string>; headers?: Record<string, string> } = {}): ApiEvent {
  const [method, rawPath] = routeKey.split(' ');
  return {
    version: '2.0', routeKey, rawPath: rawPath!, rawQueryString: '', headers: opts.headers ?? {}, isBase64Encoded: false,
    ...(opts.body !== undefined ? { body: opts.body } : {}),
    ...(opts.path ? { pathParameters: opts.path } : {}),
    ...(opts.query ? { queryStringParameters: opts.query } : {}),
    requestContext: {
      accountId: '123456789012', apiId: 'api', domainName: 'd', domainPrefix: 'd', requestId: 'apigw-req-1', routeKey, stage: '$default',
      time: '', timeEpoch: 0, http: { method: method!, path: rawPath!, protocol: 'HTTP/1.1', sourceIp: '10.0.0.1', userAgent: 'test' },
      authorizer: { iam: { accessKey: 'AKIA', accountId: '123456789012', callerId: 'c', cognitoIdentity: null, principalOrgId: 'o', userArn: opts.userArn ?? MAKER, userId: 'u' } },
    },
  } as ApiEvent;
}

const call = async (e: ApiEvent) => {
  const res = await handler(e, context);
  return { status: res.statusCode, body: JSON.parse(String(res.body)) };
};

beforeEach(async () => {
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
  const table = await freshTable();
  tables.push(table);
  const ledger = ledgerOn(table);
  const runs = runStoreOn(table);
  const clock = tickingClock();
  await budget(ledger, clock, 7, 2025, 100_000);
  await reserve(ledger, clock, [awardFields(1)]);
  await prepareRun({ ledger, runs, clock }, { period: '2025-04', by: MAKER });
  handler = createApiHandler({
    ledger, runs, clock, queue: new SqsRunRequestQueue(new SQSClient({ region: 'cn-north-1' }), QUEUE),
    logger: new Logger({ serviceName: 'test' }), metrics: new Metrics({ namespace: 'test' }),
  });
});
afterAll(async () => { await Promise.all(tables.map((t) => t.drop())); });

describe('finance API', () => {
  test('POST /runs queues a prepare request with the caller as actor, idempotent on the Idempotency-Key', async () => {
    const res = await call(request('POST /runs', { body: '{"period":"2025-05"}', userArn: CHECKER, headers: { 'idempotency-key': 'ik-42' } }));
    expect(res).toEqual({ status: 202, body: { request_id: 'ik-42', run_id: 'RUN-2025-05', status: 'QUEUED' } });
    const sent = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.QueueUrl).toBe(QUEUE);
    expect(JSON.parse(sent[0]!.MessageBody!)).toEqual({ request_id: 'ik-42', action: 'prepare', period: '2025-05', by: CHECKER });
  });

  test('without a key the request id is API Gateway’s; a body cannot choose the actor', async () => {
    const res = await call(request('POST /runs', { body: JSON.stringify({ period: '2025-05', by: 'someone-else' }) }));
    expect(res.status).toBe(400);
    const ok = await call(request('POST /runs', { body: '{"period":"2025-05"}' }));
    expect(ok.body.request_id).toBe('api-apigw-req-1');
    expect(JSON.parse(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageBody!).by).toBe(MAKER);
  });

  test('bad input is a 400 with a stable code, and nothing is queued', async () => {
    expect(await call(request('POST /runs', { body: '{"period":"2025-13"}' }))).toMatchObject({ status: 400, body: { error: { code: 'BAD_PERIOD' } } });
    expect(await call(request('POST /runs', { body: '{period' }))).toMatchObject({ status: 400, body: { error: { code: 'BAD_JSON' } } });
    expect(await call(request('POST /runs', {}))).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  test('a queue failure is a 500 without detail', async () => {
    sqs.on(SendMessageCommand).rejects(new Error('AccessDenied: secret detail'));
    const res = await call(request('POST /runs', { body: '{"period":"2025-05"}' }));
    expect(res).toEqual({ status: 500, body: { error: { code: 'INTERNAL', message: 'internal error' } } });
  });

  test('POST /runs/{runId}/approve: the preparer is refused (403 SAME_PERSON), a second principal approves', async () => {
    const same = await call(request('POST /runs/{runId}/approve', { path: { runId: 'RUN-2025-04' }, userArn: MAKER }));
    expect(same).toMatchObject({ status: 403, body: { error: { code: 'SAME_PERSON' } } });
    const other = await call(request('POST /runs/{runId}/approve', { path: { runId: 'RUN-2025-04' }, userArn: CHECKER }));
    expect(other).toMatchObject({ status: 200, body: { changed: true, run: { status: 'APPROVED', approved_by: CHECKER, prepared_by: MAKER } } });
    expect(await call(request('POST /runs/{runId}/approve', { path: { runId: 'RUN-2025-09' }, userArn: CHECKER }))).toMatchObject({ status: 404 });
  });

  test('GET /summary returns the fiscal summary', async () => {
    const res = await call(request('GET /summary', { query: { fiscalYear: '2025' } }));
    expect(res.status).toBe(200);
    expect(res.body.fiscal_year).toBe(2025);
    expect(res.body.measures).toHaveLength(27);
    expect(res.body.measures[6]).toMatchObject({ measure: 7, budget_fen: 10_000_000, batched_fen: 100_000 });
    expect(await call(request('GET /summary', { query: { fiscalYear: 'x' } }))).toMatchObject({ status: 400, body: { error: { code: 'BAD_FISCAL_YEAR' } } });
  });
});
