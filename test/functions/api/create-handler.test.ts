/**
 * The api Lambda: the same app behind API Gateway's JWT authorizer. The person comes from the
 * verified claims (sub, cognito:groups, custom:unit); run work goes to the run-request queue.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import { DynamoAlertOutbox } from '../../../shared/adapters/dynamo/dynamo-alert-outbox.ts';
import { DynamoAuditLog } from '../../../shared/adapters/dynamo/dynamo-audit-log.ts';
import { DynamoAwardSearch } from '../../../shared/adapters/dynamo/dynamo-award-search.ts';
import { DynamoReconciliationStore } from '../../../shared/adapters/dynamo/dynamo-reconciliation-store.ts';
import { DynamoRunStore } from '../../../shared/adapters/dynamo/dynamo-run-store.ts';
import { DynamoYearClose } from '../../../shared/adapters/dynamo/dynamo-year-close.ts';
import { SqsRunRequestQueue } from '../../../shared/adapters/sqs/sqs-run-request-queue.ts';
import { principalFromClaims } from '../../../shared/http/auth.ts';
import type { ExportFiles } from '../../../shared/ports/run-operations.ts';
import { prepareRun } from '../../../shared/services/prepare-run.ts';
import { DeadLetterStore } from '../../../cli/local/dead-letters.ts';
import { submitAwardRows } from '../../../cli/submit-awards.ts';
import { createApiHandler, queuedRunOperations } from '../../../functions/api/create-handler.ts';
import { freshTable, type TestTable } from '../../support/dynamo.ts';
import { awardFields, ledgerOn, tickingClock } from '../../support/records.ts';
import { budget, reserve } from '../../support/runs.ts';
import { awardsCsv } from '../../http/support/api-server.ts';

const QUEUE = 'https://sqs.cn-north-1.amazonaws.com.cn/123456789012/bursar-run-requests';
const sqs = mockClient(SQSClient);
let table: TestTable;
let handler: ReturnType<typeof createApiHandler>;
const context = { functionName: 'bursar-api', awsRequestId: 'req' } as Context;
const noFiles: ExportFiles = { list: async () => [], open: async () => undefined };

const CLERK = { sub: '1b3c5d7e-0000-4000-8000-00000000c1e4', 'cognito:groups': '[clerk]', 'cognito:username': 'wang.fang' };
const BOTH = { sub: '1b3c5d7e-0000-4000-8000-0000000000b2', 'cognito:groups': '[clerk reviewer]', 'cognito:username': 'li.na' };
const REVIEWER = { sub: '1b3c5d7e-0000-4000-8000-00000000e7e1', 'cognito:groups': '[reviewer]', 'cognito:username': 'zhao.lei' };
const BUREAU_STB = { sub: '1b3c5d7e-0000-4000-8000-000000000057', 'cognito:groups': '[bureau]', 'custom:unit': 'STB' };

function event(method: string, path: string, claims: Record<string, string> | undefined, body?: { text: string; type: string }): APIGatewayProxyEventV2WithJWTAuthorizer {
  const [rawPath, rawQueryString = ''] = path.split('?');
  return {
    version: '2.0', routeKey: `${method} ${rawPath}`, rawPath: rawPath!, rawQueryString,
    headers: { host: 'api.example.cn', ...(body ? { 'content-type': body.type, 'content-length': String(Buffer.byteLength(body.text)) } : {}) },
    isBase64Encoded: false,
    ...(body ? { body: body.text } : {}),
    requestContext: {
      accountId: '123456789012', apiId: 'api', domainName: 'api.example.cn', domainPrefix: 'api', requestId: 'rid', routeKey: `${method} ${rawPath}`,
      stage: '$default', time: '', timeEpoch: 0,
      http: { method, path: rawPath!, protocol: 'HTTP/1.1', sourceIp: '10.0.0.1', userAgent: 'test' },
      authorizer: claims ? { principalId: '', integrationLatency: 0, jwt: { claims, scopes: [] } } : (undefined as never),
    },
  } as APIGatewayProxyEventV2WithJWTAuthorizer;
}

async function call(method: string, path: string, claims?: Record<string, string>, json?: unknown) {
  const res = await handler(event(method, path, claims, json === undefined ? undefined : { text: JSON.stringify(json), type: 'application/json' }) as never, context) as { statusCode: number; body?: string };
  return { status: res.statusCode, body: JSON.parse(res.body || 'null') };
}

beforeAll(async () => {
  table = await freshTable();
  const ledger = ledgerOn(table);
  const clock = tickingClock(Date.parse('2025-06-10T00:00:00Z'));
  const runs = new DynamoRunStore(table.doc, table.tableName, { maxTransactionItems: 10 });
  const deadLetters = new DeadLetterStore(table.doc, table.tableName);
  handler = createApiHandler({
    ledger, runs, clock,
    alerts: new DynamoAlertOutbox(table.doc, table.tableName, { maxTransactionItems: 10 }),
    reconciliations: new DynamoReconciliationStore(table.doc, table.tableName),
    awardSearch: new DynamoAwardSearch(table.doc, table.tableName, ledger),
    audit: new DynamoAuditLog(table.doc, table.tableName),
    exports: noFiles,
    runOps: queuedRunOperations(new SqsRunRequestQueue(new SQSClient({ region: 'cn-north-1' }), QUEUE)),
    yearCloses: new DynamoYearClose(table.doc, table.tableName, 10),
    submit: (rows, screen) => submitAwardRows({ ledger, clock, deadLetters }, rows, screen ? { screen } : {}),
  });
  await budget(ledger, clock, 7, 2025, 100_000);
  await reserve(ledger, clock, [awardFields(1), awardFields(2)]);
  await prepareRun({ ledger, runs, clock }, { period: '2025-04', by: BOTH.sub });
});
afterAll(async () => table.drop());
beforeEach(() => { sqs.reset(); sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' }); });

test('claims map to the person: sub, groups as roles, custom:unit for bureau users', async () => {
  expect((await call('GET', '/api/v1/me', BOTH)).body).toEqual({ username: 'li.na', roles: ['clerk', 'reviewer'], unit: null });
  expect((await call('GET', '/api/v1/me', BUREAU_STB)).body).toEqual({ username: BUREAU_STB.sub, roles: ['bureau'], unit: 'STB' });
  expect(principalFromClaims({ sub: 'abc', 'cognito:groups': ['admin', 'superuser'] }).roles).toEqual(['admin']);
  // A bureau group without a known unit grants nothing.
  expect(principalFromClaims({ sub: 'abc', 'cognito:groups': '[bureau]', 'custom:unit': 'NOPE' }).roles).toEqual([]);
  expect((await call('GET', '/api/v1/me', undefined)).status).toBe(401);
  expect((await call('GET', '/api/v1/me', { sub: '' })).status).toBe(401);
});

test('a verified token needs no cookie or CSRF token; password sign-in and local users do not exist here', async () => {
  const put = await call('PUT', '/api/v1/envelopes/2025/8', CLERK, { amount_yuan: '500.00' });
  expect(put.status).toBe(200);
  const history = await ledgerOn(table).listBudgetAudit({ measure: 8, fiscal_year: 2025 });
  expect(history.map((h) => h.by)).toEqual([CLERK.sub]);
  expect((await call('POST', '/api/v1/session', undefined, { username: 'x', password: 'y' })).status).toBe(501);
  const users = await call('GET', '/api/v1/users', { sub: 'adm-1', 'cognito:groups': '[admin]' });
  expect(users.status).toBe(501);
  expect(users.body.error.message).toContain('Cognito');
});

test('four eyes compares the Cognito sub: the preparer is refused whatever their groups; another reviewer approves', async () => {
  const same = await call('POST', '/api/v1/runs/RUN-2025-04/approve', BOTH);
  expect(same.status).toBe(403);
  expect(same.body.error.code).toBe('SAME_PERSON');
  const ok = await call('POST', '/api/v1/runs/RUN-2025-04/approve', REVIEWER);
  expect(ok.status).toBe(200);
  expect(ok.body).toMatchObject({ status: 'APPROVED', approved_by: REVIEWER.sub, prepared_by: BOTH.sub });
});

test('prepare and export go to the run-request queue with the signed-in sub; the API answers 202', async () => {
  const prep = await call('POST', '/api/v1/runs', CLERK, { period: '2025-05' });
  expect(prep.status).toBe(202);
  expect(prep.body).toEqual({ run_id: 'RUN-2025-05', status: 'PREPARING' });
  const exp = await call('POST', '/api/v1/runs/RUN-2025-04/export', CLERK);
  expect(exp.status).toBe(202);
  const sent = sqs.commandCalls(SendMessageCommand).map((c) => JSON.parse(c.args[0].input.MessageBody!));
  expect(sent).toEqual([
    expect.objectContaining({ action: 'prepare', period: '2025-05', by: CLERK.sub }),
    expect.objectContaining({ action: 'export', run_id: 'RUN-2025-04', by: CLERK.sub }),
  ]);
});

test('a bureau user submits through the intake handler in the function; another unit is INVALID', async () => {
  const text = awardsCsv([awardFields(50, { measure: '11', approving_unit: 'STB' }), awardFields(51)]);
  const res = await handler(event('POST', '/api/v1/submissions', BUREAU_STB, { text, type: 'text/csv' }) as never, context) as { statusCode: number; body?: string };
  const report = JSON.parse(res.body!);
  expect(res.statusCode).toBe(200);
  expect(report.results.map((r: { outcome: string }) => r.outcome)).toEqual(['WAITLISTED', 'INVALID']);
  expect(report.results[1].errors[0].field).toBe('approving_unit');
});
