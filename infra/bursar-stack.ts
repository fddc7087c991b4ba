import { CfnOutput, Duration, Stack, TimeZone, Validations, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { LambdaInvoke, type ScheduleTargetBaseProps } from 'aws-cdk-lib/aws-scheduler-targets';
import type { Construct } from 'constructs';
import type { DeployConfig } from './config.ts';
import { Alarms } from './constructs/alarms.ts';
import { ConsoleHosting, consoleUrl } from './constructs/console.ts';
import { FinanceApi } from './constructs/api.ts';
import { StaffDirectory } from './constructs/auth.ts';
import { EncryptionKey } from './constructs/encryption-key.ts';
import { ExportBucket } from './constructs/export-bucket.ts';
import { ManifestSigningKey } from './constructs/manifest-signing-key.ts';
import { BursarFunction } from './constructs/functions.ts';
import { ManagedPolicyRole } from './constructs/managed-policy-role.ts';
import { Notifications } from './constructs/notifications.ts';
import { WorkQueue, deadLetterQueue } from './constructs/queues.ts';
import { BursarTable } from './constructs/table.ts';
import {
  allowDeadLetterKey,
  allowPublish,
  allowPutObjects,
  allowSendMessages,
  allowTableAccess,
  FUNCTION_TABLE_ACCESS,
} from './permissions.ts';

/** Timeouts are fixed here so each queue's visibility timeout can be derived from its consumer's. */
export const TIMEOUTS = {
  intake: Duration.seconds(60),
  runRequest: Duration.minutes(5),
  reconcile: Duration.minutes(15),
  notifier: Duration.seconds(30),
  api: Duration.seconds(10),
} as const;

/** At most this many intake batches in flight: bounds the write rate on budget envelopes. */
export const INTAKE_MAX_CONCURRENCY = 4;
/** TransactWriteItems limit in AWS (DynamoDB Local allows 10; the code reads it from here). */
export const TRANSACTION_MAX_ITEMS = 100;
/** Nightly reconciliation, Beijing time (EventBridge Scheduler evaluates the cron in this zone). */
export const RECONCILE_SCHEDULE = { minute: '0', hour: '2', timeZone: TimeZone.ASIA_SHANGHAI } as const;

/**
 * LambdaInvoke grants the schedule role the function *and* `<arn>:*` (every version and alias).
 * The schedule invokes the unqualified function, so that is all its role may invoke.
 */
class InvokeUnqualifiedFunction extends LambdaInvoke {
  private readonly invoked: lambda.IFunction;
  constructor(fn: lambda.IFunction, props: ScheduleTargetBaseProps) {
    super(fn, props);
    this.invoked = fn;
  }
  protected override addTargetActionToRole(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.invoked.functionArn] }),
    );
  }
}

export interface BursarStackProps extends StackProps, DeployConfig {}

export type FunctionName = 'intake' | 'runRequest' | 'reconcile' | 'notifier' | 'api';

export class BursarStack extends Stack {
  readonly key: kms.Key;
  readonly table: dynamodb.Table;
  readonly exportBucket: ExportBucket;
  readonly manifestSigningKey: ManifestSigningKey;
  readonly notifications: Notifications;
  readonly queues: { readonly intake: WorkQueue; readonly runRequest: WorkQueue; readonly alert: WorkQueue };
  readonly reconcileDeadLetterQueue: sqs.Queue;
  readonly functions: Record<FunctionName, BursarFunction>;
  readonly financeApi: FinanceApi;
  readonly staff: StaffDirectory;
  readonly alarms: Alarms;

  constructor(scope: Construct, id: string, props: BursarStackProps) {
    super(scope, id, {
      description: 'Bursar: subsidy awards → budget envelopes → monthly disbursement runs',
      ...props,
    });

    const { key } = new EncryptionKey(this, 'Encryption');
    const { table } = new BursarTable(this, 'Ledger', { key });
    const exportBucket = new ExportBucket(this, 'Exports', { key, retentionDays: props.exportRetentionDays });
    const manifestSigningKey = new ManifestSigningKey(this, 'ManifestSigning');
    const notifications = new Notifications(this, 'Notifications', {
      key,
      alertEmails: props.alertEmails,
      opsEmails: props.opsEmails,
    });

    const intakeQueue = new WorkQueue(this, 'IntakeQueue', { key, consumerTimeout: TIMEOUTS.intake });
    const runQueue = new WorkQueue(this, 'RunRequestQueue', { key, consumerTimeout: TIMEOUTS.runRequest });
    const alertQueue = new WorkQueue(this, 'AlertQueue', { key, consumerTimeout: TIMEOUTS.notifier });
    const reconcileDlq = deadLetterQueue(this, 'ReconcileDeadLetterQueue', key);

    // Every function gets the same configuration, so one zod schema can parse it; what a function
    // may actually do is decided by its IAM policy below, not by which names it knows.
    const environment = {
      BURSAR_TABLE_NAME: table.tableName,
      BURSAR_ALERT_QUEUE_URL: alertQueue.queue.queueUrl,
      BURSAR_RUN_QUEUE_URL: runQueue.queue.queueUrl,
      BURSAR_ALERT_TOPIC_ARN: notifications.alertTopic.topicArn,
      BURSAR_EXPORT_BUCKET: exportBucket.bucket.bucketName,
      BURSAR_TRANSACTION_MAX_ITEMS: String(TRANSACTION_MAX_ITEMS),
    };
    const common = { key, environment };

    const intake = new BursarFunction(this, 'Intake', {
      ...common,
      entry: 'functions/intake/handler.ts',
      serviceName: 'bursar-intake',
      description: 'Checks approved awards against the policy and reserves money in budget envelopes',
      timeout: TIMEOUTS.intake,
      memorySize: 1024,
      reservedConcurrency: INTAKE_MAX_CONCURRENCY + 1,
      invocation: { kind: 'sqs' },
    });
    const runRequest = new BursarFunction(this, 'RunRequest', {
      ...common,
      entry: 'functions/run-request/handler.ts',
      serviceName: 'bursar-run-request',
      description: 'Builds a monthly disbursement run and writes its payment files',
      timeout: TIMEOUTS.runRequest,
      memorySize: 1024,
      reservedConcurrency: 2,
      invocation: { kind: 'sqs' },
    });
    const reconcile = new BursarFunction(this, 'Reconcile', {
      ...common,
      entry: 'functions/reconcile/handler.ts',
      serviceName: 'bursar-reconcile',
      description: 'Nightly reconciliation of envelopes against awards; stores the report, alerts on differences',
      timeout: TIMEOUTS.reconcile,
      memorySize: 1024,
      reservedConcurrency: 1,
      invocation: { kind: 'schedule', deadLetterQueue: reconcileDlq },
    });
    const notifier = new BursarFunction(this, 'Notifier', {
      ...common,
      entry: 'functions/notifier/handler.ts',
      serviceName: 'bursar-notifier',
      description: 'Publishes alerts to the bureau alert topic with the unit message attribute',
      timeout: TIMEOUTS.notifier,
      memorySize: 512,
      reservedConcurrency: 2,
      invocation: { kind: 'sqs' },
    });
    const api = new BursarFunction(this, 'Api', {
      ...common,
      entry: 'functions/api/handler.ts',
      serviceName: 'bursar-api',
      description: 'Bursar API (/api/v1) for finance and bureau staff, behind a Cognito JWT authorizer',
      timeout: TIMEOUTS.api,
      memorySize: 512,
      reservedConcurrency: 10,
      invocation: { kind: 'http-api' },
    });

    // Permissions: exactly what each function calls.
    // Table access: item actions and key prefixes per function (permissions.ts, FUNCTION_TABLE_ACCESS).
    allowTableAccess(intake.role, table, key, FUNCTION_TABLE_ACCESS.intake);
    allowSendMessages(intake.role, alertQueue.queue, key);

    allowTableAccess(runRequest.role, table, key, FUNCTION_TABLE_ACCESS.runRequest);
    allowPutObjects(runRequest.role, exportBucket.bucket, key);
    const bucketId = this.getLogicalId(exportBucket.bucket.node.defaultChild as s3.CfnBucket);
    Validations.of(runRequest.role.permissions.node.defaultChild!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
      reason:
        'Payment file keys are named per run at run time, so PutObject is granted on the objects of ' +
        'the dedicated export bucket (s3:PutObject only: no read, delete, or bucket-level action).',
    });

    // Issue 13, finding 3: the run-request function (which exports) signs manifests; the API
    // function (GET /runs/{id}/verify) only verifies. Both learn the key from BURSAR_MANIFEST_KEY_ARN.
    manifestSigningKey.grantSign(runRequest.role);
    manifestSigningKey.grantVerify(api.role);
    for (const fn of [runRequest, api]) fn.function.addEnvironment('BURSAR_MANIFEST_KEY_ARN', manifestSigningKey.key.keyArn);

    allowTableAccess(reconcile.role, table, key, FUNCTION_TABLE_ACCESS.reconcile);
    allowSendMessages(reconcile.role, alertQueue.queue, key);

    allowPublish(notifier.role, notifications.alertTopic, key);
    allowTableAccess(notifier.role, table, key, FUNCTION_TABLE_ACCESS.notifier);

    allowTableAccess(api.role, table, key, FUNCTION_TABLE_ACCESS.api);
    allowSendMessages(api.role, runQueue.queue, key);
    // Issue 13, finding 5: the API function is the run-request queue's only sender; the queue
    // policy says so, and the consumer reads only messages whose SenderId is the API role's id.
    runQueue.allowOnlySender(api.role);
    runRequest.function.addEnvironment('BURSAR_RUN_REQUEST_SENDERS', api.role.roleId);
    // Downloads of exported payment files (GET /api/v1/runs/{id}/files/{name}); read only.
    api.role.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [exportBucket.bucket.arnForObjects('runs/*')] }),
    );
    // Listing under runs/ finds a run's re-issues (RUN-…-R<n>-manifest.json); it also makes a missing
    // object answer NoSuchKey rather than AccessDenied (a run not exported yet lists no files).
    api.role.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [exportBucket.bucket.bucketArn], conditions: { StringLike: { 's3:prefix': 'runs/*' } } }),
    );
    Validations.of(api.role.permissions.node.defaultChild!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/runs/*]`,
      reason: 'Payment files are named per run at run time; the API reads (never writes) the objects under runs/ of the export bucket.',
    });

    // Event sources: partial batch failures everywhere, so one bad record is retried alone.
    intake.function.addEventSource(
      // Large batches (gathered for up to 2 s) let one transaction reserve up to 99 awards of an
      // envelope; the local runtime uses the same batch size (cli/submit-awards.ts).
      new SqsEventSource(intakeQueue.queue, {
        batchSize: 500,
        maxBatchingWindow: Duration.seconds(2),
        reportBatchItemFailures: true,
        maxConcurrency: INTAKE_MAX_CONCURRENCY,
      }),
    );
    runRequest.function.addEventSource(
      new SqsEventSource(runQueue.queue, { batchSize: 1, reportBatchItemFailures: true, maxConcurrency: 2 }),
    );
    notifier.function.addEventSource(
      new SqsEventSource(alertQueue.queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 2 }),
    );

    // Nightly reconciliation at 02:00 Asia/Shanghai.
    const schedulerRole = new ManagedPolicyRole(this, 'ReconcileScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: 'EventBridge Scheduler: invoke the reconcile function',
    });
    allowDeadLetterKey(schedulerRole, key);
    const schedule = new scheduler.Schedule(this, 'NightlyReconcile', {
      description: 'Bursar nightly reconciliation, 02:00 Asia/Shanghai',
      schedule: scheduler.ScheduleExpression.cron(RECONCILE_SCHEDULE),
      target: new InvokeUnqualifiedFunction(reconcile.function, {
        role: schedulerRole,
        deadLetterQueue: reconcileDlq,
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
      }),
    });
    schedule.node.addDependency(schedulerRole.permissions);

    // The hosted UI sends people back to the console's own URL (sign-in and sign-out), when it is deployed.
    const consoleUrls = props.console ? [consoleUrl(props.console.domainName)] : undefined;
    const staff = new StaffDirectory(this, 'Staff', consoleUrls ? { callbackUrls: consoleUrls, logoutUrls: consoleUrls } : {});
    const financeApi = new FinanceApi(this, 'FinanceApi', { handler: api.function, key, userPool: staff.userPool, clients: [staff.consoleClient] });
    // The console (static files on CloudFront, /api/* to the HTTP API), when its domain is configured.
    const consoleHosting = props.console
      ? new ConsoleHosting(this, 'Console', { api: financeApi.api, key, userPoolClientId: staff.consoleClient.userPoolClientId, ...props.console })
      : undefined;

    const alarms = new Alarms(this, 'Alarms', {
      topic: notifications.opsTopic,
      deadLetterQueues: {
        Intake: intakeQueue.deadLetterQueue,
        RunRequest: runQueue.deadLetterQueue,
        Alert: alertQueue.deadLetterQueue,
        Reconcile: reconcileDlq,
      },
      functions: {
        Intake: intake.function,
        RunRequest: runRequest.function,
        Reconcile: reconcile.function,
        Notifier: notifier.function,
        Api: api.function,
      },
      intakeFunction: intake.function,
      intakeQueue: intakeQueue.queue,
      reconcileServiceName: 'bursar-reconcile',
    });

    const outputs: Record<string, string> = {
      ApiUrl: financeApi.stage.url,
      UserPoolId: staff.userPool.userPoolId,
      UserPoolClientId: staff.consoleClient.userPoolClientId,
      TableName: table.tableName,
      ExportBucketName: exportBucket.bucket.bucketName,
      ManifestSigningKeyArn: manifestSigningKey.key.keyArn,
      IntakeQueueUrl: intakeQueue.queue.queueUrl,
      IntakeDeadLetterQueueArn: intakeQueue.deadLetterQueue.queueArn,
      RunRequestQueueUrl: runQueue.queue.queueUrl,
      RunRequestDeadLetterQueueArn: runQueue.deadLetterQueue.queueArn,
      AlertQueueUrl: alertQueue.queue.queueUrl,
      AlertDeadLetterQueueArn: alertQueue.deadLetterQueue.queueArn,
      ReconcileDeadLetterQueueUrl: reconcileDlq.queueUrl,
      AlertTopicArn: notifications.alertTopic.topicArn,
      OpsTopicArn: notifications.opsTopic.topicArn,
      ReconcileFunctionName: reconcile.function.functionName,
    };
    if (consoleHosting) {
      outputs['ConsoleUrl'] = `https://${props.console!.domainName}/`;
      outputs['ConsoleBucketName'] = consoleHosting.bucket.bucketName;
      outputs['ConsoleDistributionId'] = consoleHosting.distribution.distributionId;
      outputs['ConsoleDistributionDomain'] = consoleHosting.distribution.distributionDomainName;
    }
    for (const [name, value] of Object.entries(outputs)) new CfnOutput(this, name, { value });

    this.key = key;
    this.table = table;
    this.exportBucket = exportBucket;
    this.manifestSigningKey = manifestSigningKey;
    this.notifications = notifications;
    this.queues = { intake: intakeQueue, runRequest: runQueue, alert: alertQueue };
    this.reconcileDeadLetterQueue = reconcileDlq;
    this.functions = { intake, runRequest, reconcile, notifier, api };
    this.financeApi = financeApi;
    this.staff = staff;
    this.alarms = alarms;
  }
}
