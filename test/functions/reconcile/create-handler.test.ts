import { afterAll, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { mockClient } from 'aws-sdk-client-mock';
import type { Context } from 'aws-lambda';
import { freshTable, type TestTable } from '../../support/dynamo.ts';
import { awardFields, ledgerOn } from '../../support/records.ts';
import { listAlerts, outboxOn, settableClock } from '../../support/alerts.ts';
import { tamperEnvelope } from '../../support/fake-run-reader.ts';
import { createReconcileHandler } from '../../../functions/reconcile/create-handler.ts';
import { DynamoReconciliationStore } from '../../../shared/adapters/dynamo/dynamo-reconciliation-store.ts';
import { SqsAlertSender } from '../../../shared/adapters/sqs/sqs-alert-sender.ts';
import { createBudgetAlerts } from '../../../shared/services/budget-alerts.ts';
import { setBudget } from '../../../shared/services/budget.ts';
import { processIntake } from '../../../shared/services/intake.ts';

process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';

const sqs = mockClient(SQSClient);
const tables: TestTable[] = [];
const context = { functionName: 'bursar-reconcile', awsRequestId: 'req' } as Context;
const sentIds = () => sqs.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries!.map((e) => JSON.parse(e.MessageBody!).alert_id as string));

let table: TestTable;
let metrics: Metrics;
let handler: ReturnType<typeof createReconcileHandler>;
const clock = settableClock('2025-05-01T18:00:00Z');

beforeEach(async () => {
  sqs.reset();
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  table = await freshTable();
  tables.push(table);
  const ledger = ledgerOn(table);
  const outbox = outboxOn(table);
  const sender = new SqsAlertSender(new SQSClient({ region: 'cn-north-1' }), 'https://sqs.example/alerts');
  metrics = new Metrics({ namespace: 'Bursar', serviceName: 'bursar-reconcile' });
  handler = createReconcileHandler({
    ledger, store: new DynamoReconciliationStore(table.doc, table.tableName), clock, outbox, sender,
    events: createBudgetAlerts({ outbox, clock, sender }), redrive: { outbox, sender },
    segments: 4, logger: new Logger({ serviceName: 'bursar-reconcile' }), metrics,
  });
  // An envelope at 90% whose alerts were never evaluated (intake ran without events).
  await setBudget(ledger, clock, { measure: 7, fiscal_year: 2025, amount_fen: 1_000_000, by: 'finance-a' });
  await processIntake({ ledger, clock }, new Map([['m', { submission_id: 's', line: 2, record: awardFields(1, { amount_yuan: '9000' }) }]]));
});
afterAll(async () => { await Promise.all(tables.map((t) => t.drop())); });

describe('reconcile function', () => {
  test('a clean night publishes ReconciliationClean = 1 and catches up thresholds nobody evaluated', async () => {
    const addMetric = jest.spyOn(metrics, 'addMetric');
    const out = await handler({}, context);
    expect(out).toMatchObject({ clean: true, mismatches: 0, checked_envelopes: 1, checked_awards: 1 });
    expect(addMetric).toHaveBeenCalledWith('ReconciliationClean', 'Count', 1);
    expect(sentIds()).toEqual(['T-2025-007-080-v2', 'T-2025-007-090-v2']);
  });

  test('differences publish ReconciliationClean = 0 and send a RECONCILIATION alert to FIN through the queue', async () => {
    await tamperEnvelope(table, { measure: 7, fiscal_year: 2025 }, { reserved_fen: 0 });
    const addMetric = jest.spyOn(metrics, 'addMetric');
    const out = await handler({ fiscal_year: 2025 }, context) as { clean: boolean; alert_id: string };
    expect(out.clean).toBe(false);
    expect(addMetric).toHaveBeenCalledWith('ReconciliationClean', 'Count', 0);
    expect(sentIds()).toContain(out.alert_id);
    const [alert] = (await listAlerts(outboxOn(table))).filter((a) => a.kind === 'RECONCILIATION');
    expect(alert).toMatchObject({ alert_id: out.alert_id, units: ['FIN'] });
  });

  test('alerts that were stored but never handed to the queue are re-sent', async () => {
    await handler({}, context);
    sqs.reset();
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    clock.advance(20 * 60_000); // past the grace period; nothing was published by a notifier
    const out = await handler({}, context) as { resent_alerts: number };
    expect(out.resent_alerts).toBe(2);
    expect(sentIds().sort()).toEqual(['T-2025-007-080-v2', 'T-2025-007-090-v2']);
  });
});
