/**
 * The Bursar stack, synthesized once (esbuild bundles five functions) with the same cdk.json
 * context and cdk-nag packs as `cdk synth`. Asserts the properties issue 5 asks for, not a snapshot.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, CfnResource, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, NIST80053R5Checks, type NagPack } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { buildBursarApp } from '../../infra/build-app.ts';
import {
  INTAKE_MAX_CONCURRENCY,
  TIMEOUTS,
  type BursarStack,
  type FunctionName,
} from '../../infra/bursar-stack.ts';
import { REPO_ROOT } from '../../infra/paths.ts';
import { DEFAULT_EXPORT_RETENTION_DAYS } from '../../infra/config.ts';
import { ExportBucket } from '../../infra/constructs/export-bucket.ts';
import { GSI1, GSI2, KEY } from '../../shared/adapters/dynamo/table-schema.ts';
import { bundleSizes, DEFAULT_LIMIT_KB } from '../../scripts/bundle-report.ts';
import { API_ROUTES } from '../../shared/http/route-table.ts';

type Json = any; // CloudFormation JSON, navigated by the assertions below
interface Resource {
  Type: string;
  Properties?: Json;
  DependsOn?: string[];
  DeletionPolicy?: string;
}

const ALERT_EMAILS = {
  EITB: ['eitb@example.cn'],
  FIN: ['fin@example.cn', 'fin-deputy@example.cn'],
  STB: ['shared@example.cn'],
  DRB: ['Shared@example.cn'], // same mailbox for two bureaus: one subscription, both codes
};
const OPS_EMAILS = ['ops@example.cn'];

let app: App;
let stack: BursarStack;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: object };
  app = new App({ context: { ...cdkJson.context, alertEmails: ALERT_EMAILS, opsEmails: OPS_EMAILS } });
  stack = buildBursarApp(app);
  // Synthesizes the app, which also runs the registered cdk-nag plugins: any unacknowledged
  // error-level finding throws here, exactly as in `cdk synth`.
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
}, 120_000);

// ---------------------------------------------------------------------------------------------
const logicalId = (c: IConstruct): string => stack.getLogicalId(c.node.defaultChild as CfnElement);
const ref = (c: IConstruct) => ({ Ref: logicalId(c) });
const arnOf = (c: IConstruct) => ({ 'Fn::GetAtt': [logicalId(c), 'Arn'] });
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const FUNCTIONS: FunctionName[] = ['intake', 'runRequest', 'reconcile', 'notifier', 'api'];

/** Statements of the customer-managed policy attached to a function's role. */
function statementsOf(fn: FunctionName): Json[] {
  const roleId = logicalId(stack.functions[fn].role);
  return policyStatementsForRole(roleId);
}
function policyStatementsForRole(roleId: string): Json[] {
  return ofType('AWS::IAM::ManagedPolicy')
    .filter(([, r]) => asArray(r.Properties.Roles).some((x: Json) => x.Ref === roleId))
    .flatMap(([, r]) => asArray(r.Properties.PolicyDocument.Statement));
}
const grants = (statements: Json[], action: string, resource: Json): boolean =>
  statements.some(
    (s) =>
      s.Effect === 'Allow' &&
      asArray(s.Action).includes(action) &&
      asArray(s.Resource).some((r) => JSON.stringify(r) === JSON.stringify(resource)),
  );
const hasActionPrefix = (statements: Json[], prefix: string): boolean =>
  statements.some((s) => asArray<string>(s.Action).some((a) => a.startsWith(prefix)));

// ---------------------------------------------------------------------------------------------
describe('KMS', () => {
  test('one customer-managed data key, rotated, retained on stack deletion; and the manifest signing key', () => {
    template.resourceCountIs('AWS::KMS::Key', 2);
    expect(resources[logicalId(stack.key)]).toMatchObject({ Properties: { EnableKeyRotation: true }, DeletionPolicy: 'Retain' });
  });

  // Issue 13, finding 3: manifests are signed in AWS with a dedicated KMS asymmetric signing key.
  test('the manifest signing key: asymmetric ECC P-256 for signing only, retained, with its alias', () => {
    const signing = resources[logicalId(stack.manifestSigningKey.key)]!;
    expect(signing).toMatchObject({
      Type: 'AWS::KMS::Key',
      Properties: { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' },
      DeletionPolicy: 'Retain',
    });
    expect(signing.Properties.EnableKeyRotation).toBeUndefined(); // KMS cannot rotate asymmetric keys
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/bursar-manifest-signing', TargetKeyId: arnOf(stack.manifestSigningKey.key) });
  });

  test('only the run-request function may sign, only the API function may verify and read the public key, with the one algorithm', () => {
    const signingKey = JSON.stringify(arnOf(stack.manifestSigningKey.key));
    const onSigningKey = (fn: FunctionName) => statementsOf(fn).filter((st) => asArray(st.Resource).some((r) => JSON.stringify(r) === signingKey));
    const actionsOn = (fn: FunctionName) => onSigningKey(fn).flatMap((st) => asArray<string>(st.Action)).sort();
    expect(actionsOn('runRequest')).toEqual(['kms:Sign']);
    expect(actionsOn('api')).toEqual(['kms:GetPublicKey', 'kms:Verify']);
    for (const fn of ['intake', 'reconcile', 'notifier'] as const) expect(actionsOn(fn)).toEqual([]);
    for (const st of [...onSigningKey('runRequest'), ...onSigningKey('api')]) {
      if (asArray<string>(st.Action).some((a) => a === 'kms:Sign' || a === 'kms:Verify')) {
        expect(st.Condition).toEqual({ StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256' } });
      }
      expect(asArray(st.Resource)).toHaveLength(1);
    }
    // Nobody signs or verifies with the data key.
    const dataKey = JSON.stringify(arnOf(stack.key));
    for (const fn of FUNCTIONS) {
      for (const st of statementsOf(fn)) {
        if (asArray(st.Resource).some((r) => JSON.stringify(r) === dataKey)) {
          expect(asArray<string>(st.Action).filter((a) => ['kms:Sign', 'kms:Verify', 'kms:GetPublicKey'].includes(a))).toEqual([]);
        }
      }
    }
  });
});

describe('DynamoDB table', () => {
  test('single table with the shared key schema and both GSIs (projection ALL)', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: KEY.pk, KeyType: 'HASH' },
        { AttributeName: KEY.sk, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [GSI1, GSI2].map((g) => ({
        IndexName: g.name,
        KeySchema: [
          { AttributeName: g.pk, KeyType: 'HASH' },
          { AttributeName: g.sk, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    });
  });

  test('on-demand, point-in-time recovery, deletion protection, customer-managed KMS, retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: arnOf(stack.key) },
      },
      DeletionPolicy: 'Retain',
    });
  });
});

describe('SQS', () => {
  test('every queue, dead-letter queues included, is encrypted with the Bursar key', () => {
    const queues = ofType('AWS::SQS::Queue');
    expect(queues).toHaveLength(7); // 3 work queues + 3 DLQs + the reconcile DLQ
    for (const [, q] of queues) expect(q.Properties.KmsMasterKeyId).toEqual(arnOf(stack.key));
  });

  test('every queue has a policy denying requests without TLS', () => {
    const sslOnly = new Set<string>();
    for (const [, p] of ofType('AWS::SQS::QueuePolicy')) {
      const denies = asArray<Json>(p.Properties.PolicyDocument.Statement).some(
        (s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
      );
      if (denies) for (const q of p.Properties.Queues) sslOnly.add(q.Ref);
    }
    expect([...sslOnly].sort()).toEqual(ofType('AWS::SQS::Queue').map(([id]) => id).sort());
  });

  test.each(['intake', 'runRequest', 'alert'] as const)('%s queue redrives to its DLQ after 5 receives', (name) => {
    const pair = stack.queues[name];
    expect(resources[logicalId(pair.queue)]!.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: arnOf(pair.deadLetterQueue),
      maxReceiveCount: 5,
    });
  });

  test('visibility timeout is at least 6 × the consuming function timeout', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(3);
    for (const [, m] of mappings) {
      const queue = resources[m.Properties.EventSourceArn['Fn::GetAtt'][0]]!;
      const fn = resources[m.Properties.FunctionName.Ref]!;
      expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * fn.Properties.Timeout);
    }
  });
});

describe('Lambda functions', () => {
  test('five NodejsFunctions on the newest Node runtime, arm64, ESM bundle handler', () => {
    const newestNode = lambda.Runtime.ALL.filter((r) => r.family === lambda.RuntimeFamily.NODEJS)
      .map((r) => r.name)
      .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
      .pop();
    const fns = ofType('AWS::Lambda::Function');
    expect(fns).toHaveLength(5);
    for (const [, f] of fns) {
      expect(f.Properties.Runtime).toBe(newestNode);
      expect(f.Properties.Architectures).toEqual(['arm64']);
      expect(f.Properties.Handler).toBe('index.handler');
      expect(f.Properties.ReservedConcurrentExecutions).toBeGreaterThan(0);
    }
  });

  test('each function has the Bursar configuration and Powertools settings', () => {
    for (const name of FUNCTIONS) {
      const vars = resources[logicalId(stack.functions[name].function)]!.Properties.Environment.Variables;
      expect(vars).toEqual({
        BURSAR_TABLE_NAME: ref(stack.table),
        BURSAR_ALERT_QUEUE_URL: ref(stack.queues.alert.queue),
        BURSAR_RUN_QUEUE_URL: ref(stack.queues.runRequest.queue),
        BURSAR_ALERT_TOPIC_ARN: ref(stack.notifications.alertTopic),
        BURSAR_EXPORT_BUCKET: ref(stack.exportBucket.bucket),
        BURSAR_TRANSACTION_MAX_ITEMS: '100',
        POWERTOOLS_SERVICE_NAME: expect.stringMatching(/^bursar-/),
        POWERTOOLS_METRICS_NAMESPACE: 'Bursar',
        // Only the run-request function checks who sent its messages (issue 13, finding 5).
        ...(name === 'runRequest' ? { BURSAR_RUN_REQUEST_SENDERS: { 'Fn::GetAtt': [logicalId(stack.functions.api.role), 'RoleId'] } } : {}),
        // The manifest signing key, for the function that signs and the one that verifies (finding 3).
        ...(name === 'runRequest' || name === 'api' ? { BURSAR_MANIFEST_KEY_ARN: arnOf(stack.manifestSigningKey.key) } : {}),
      });
    }
  });

  test('each function logs to its own KMS-encrypted log group with a retention', () => {
    for (const name of FUNCTIONS) {
      const fn = resources[logicalId(stack.functions[name].function)]!;
      const logGroup = resources[fn.Properties.LoggingConfig.LogGroup.Ref]!;
      expect(logGroup.Properties.KmsKeyId).toEqual(arnOf(stack.key));
      expect(logGroup.Properties.RetentionInDays).toBeGreaterThanOrEqual(365);
    }
  });

  test('SQS event sources report batch item failures; intake has a maximum concurrency', () => {
    for (const [, m] of ofType('AWS::Lambda::EventSourceMapping')) {
      expect(m.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    }
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(stack.queues.intake.queue),
      FunctionName: ref(stack.functions.intake.function),
      ScalingConfig: { MaximumConcurrency: INTAKE_MAX_CONCURRENCY },
    });
    // Reserved concurrency above the mapping's cap, so the mapping itself never causes throttles.
    expect(resources[logicalId(stack.functions.intake.function)]!.Properties.ReservedConcurrentExecutions)
      .toBeGreaterThan(INTAKE_MAX_CONCURRENCY);
  });

  test('queue consumers are wired to the right queues', () => {
    const wiring = Object.fromEntries(
      ofType('AWS::Lambda::EventSourceMapping').map(([, m]) => [
        m.Properties.FunctionName.Ref,
        m.Properties.EventSourceArn['Fn::GetAtt'][0],
      ]),
    );
    expect(wiring).toEqual({
      [logicalId(stack.functions.intake.function)]: logicalId(stack.queues.intake.queue),
      [logicalId(stack.functions.runRequest.function)]: logicalId(stack.queues.runRequest.queue),
      [logicalId(stack.functions.notifier.function)]: logicalId(stack.queues.alert.queue),
    });
  });

  test('bundles are minified ESM with a createRequire banner, the AWS SDK left to the runtime', () => {
    const sizes = bundleSizes(app.outdir);
    expect(sizes.map((s) => s.name).sort()).toEqual(
      ['bursar-api', 'bursar-intake', 'bursar-notifier', 'bursar-reconcile', 'bursar-run-request'],
    );
    for (const s of sizes) {
      expect(s.file).toBe('index.mjs');
      const code = readFileSync(path.join(s.assetDir, s.file), 'utf8');
      expect(code.startsWith("import{createRequire}from'node:module';const require=createRequire(import.meta.url);")).toBe(true);
      expect(code).toMatch(/export\s*\{[^}]*\bas handler\b|export\s*\{\s*handler\b/);
      // Minified: a few long lines (unminified esbuild output has one statement per line).
      expect(code.split('\n').length).toBeLessThan(10 + s.bytes / 2000);
      // The SDK is imported from the runtime, never inlined (the clients' protocol targets would show).
      expect(code).not.toMatch(/DynamoDB_20120810|AmazonSQS\.|"AmazonSimpleNotificationService"/);
    }
    expect(DEFAULT_LIMIT_KB).toBe(250);
  });
});

describe('IAM', () => {
  test('no inline policies and no AWS-managed policies on any role', () => {
    template.resourceCountIs('AWS::IAM::Policy', 0);
    for (const [, role] of ofType('AWS::IAM::Role')) {
      expect(role.Properties.Policies).toBeUndefined();
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  test('no identity policy anywhere has a wildcard action or a "*" resource', () => {
    for (const [, p] of ofType('AWS::IAM::ManagedPolicy')) {
      for (const s of asArray<Json>(p.Properties.PolicyDocument.Statement)) {
        for (const action of asArray<string>(s.Action)) expect(action).not.toMatch(/\*/);
        for (const resource of asArray<Json>(s.Resource)) expect(resource).not.toBe('*');
      }
    }
  });

  test('table statements name the table and its two indexes exactly, never index/*', () => {
    const table = arnOf(stack.table);
    const indexArn = (name: string) => ({ 'Fn::Join': ['', [table, `/index/${name}`]] });
    const allowed = [table, indexArn(GSI1.name), indexArn(GSI2.name)].map((r) => JSON.stringify(r));
    let seen = 0;
    for (const [, p] of ofType('AWS::IAM::ManagedPolicy')) {
      for (const s of asArray<Json>(p.Properties.PolicyDocument.Statement)) {
        if (!hasActionPrefix([s], 'dynamodb:')) continue;
        seen += 1;
        for (const r of asArray(s.Resource)) expect(allowed).toContain(JSON.stringify(r));
        expect(asArray<string>(s.Action).every((a) => a.startsWith('dynamodb:'))).toBe(true);
      }
    }
    expect(seen).toBeGreaterThan(0);
  });

  test("the notifier may only query and mark alert items (leading key ALERT#)", () => {
    const dynamo = statementsOf('notifier').filter((st) => JSON.stringify(st.Action).includes('dynamodb:'));
    expect(dynamo).toHaveLength(1);
    expect([dynamo[0]!.Action].flat().sort()).toEqual(['dynamodb:Query', 'dynamodb:UpdateItem']);
    expect(dynamo[0]!.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ALERT#*'] } });
  });

  test('each function can do exactly what its job needs', () => {
    const table = arnOf(stack.table);
    const alertQueue = arnOf(stack.queues.alert.queue);
    const runQueue = arnOf(stack.queues.runRequest.queue);
    const topic = ref(stack.notifications.alertTopic);
    const objects = { 'Fn::Join': ['', [arnOf(stack.exportBucket.bucket), '/*']] };
    const runFiles = { 'Fn::Join': ['', [arnOf(stack.exportBucket.bucket), '/runs/*']] };
    const matrix: Record<FunctionName, Record<string, boolean>> = {
      intake: { table: true, alerts: true, runs: false, publish: false, put: false, read: false, marks: false },
      runRequest: { table: true, alerts: false, runs: false, publish: false, put: true, read: false, marks: false },
      reconcile: { table: true, alerts: true, runs: false, publish: false, put: false, read: false, marks: false },
      notifier: { table: false, alerts: false, runs: false, publish: true, put: false, read: false, marks: true },
      api: { table: true, alerts: false, runs: true, publish: false, put: false, read: true, marks: false },
    };
    for (const fn of FUNCTIONS) {
      const st = statementsOf(fn);
      expect({
        fn,
        table: grants(st, 'dynamodb:PutItem', table),
        alerts: grants(st, 'sqs:SendMessage', alertQueue),
        runs: grants(st, 'sqs:SendMessage', runQueue),
        publish: grants(st, 'sns:Publish', topic),
        put: grants(st, 's3:PutObject', objects),
        read: grants(st, 's3:GetObject', runFiles),
        marks: !matrix[fn]['table'] && grants(st, 'dynamodb:UpdateItem', table),
      }).toEqual({ fn, ...matrix[fn] });
      expect(hasActionPrefix(st, 'dynamodb:')).toBe(matrix[fn]['table'] || matrix[fn]['marks']);
      expect(hasActionPrefix(st, 's3:')).toBe(matrix[fn]['put'] || matrix[fn]['read']);
      expect(grants(st, 's3:PutObject', runFiles) || (fn === 'api' && grants(st, 's3:PutObject', objects))).toBe(false);
      expect(hasActionPrefix(st, 'sns:')).toBe(matrix[fn]['publish']);
    }
  });

  test('only the API may list the export bucket, and only under runs/ (a run\'s re-issues)', () => {
    for (const fn of FUNCTIONS) {
      const lists = statementsOf(fn).filter((s) => asArray<string>(s.Action).includes('s3:ListBucket'));
      if (fn !== 'api') {
        expect({ fn, lists }).toEqual({ fn, lists: [] });
        continue;
      }
      expect(lists).toHaveLength(1);
      expect(asArray(lists[0]!.Action)).toEqual(['s3:ListBucket']);
      expect(asArray(lists[0]!.Resource)).toEqual([arnOf(stack.exportBucket.bucket)]);
      expect(lists[0]!.Condition).toEqual({ StringLike: { 's3:prefix': 'runs/*' } });
    }
  });
});

// Issue 13, finding 7: every function could do everything to the table.
describe('IAM: table access per function (dynamodb:LeadingKeys)', () => {
  const tableArn = () => JSON.stringify(arnOf(stack.table));
  const indexOf = (r: Json): string | undefined => {
    const table = tableArn();
    const join = r?.['Fn::Join']?.[1];
    return Array.isArray(join) && JSON.stringify(join[0]) === table ? String(join[1]).replace('/index/', '') : undefined;
  };
  /** The effective table access of a function: action → leading-key patterns, index → patterns, scan. */
  function accessOf(fn: FunctionName) {
    const items: Record<string, string[]> = {};
    const indexes: Record<string, string[]> = {};
    let scan = false;
    for (const s of statementsOf(fn)) {
      if (!hasActionPrefix([s], 'dynamodb:')) continue;
      expect(s.Effect).toBe('Allow');
      const actions = asArray<string>(s.Action);
      if (actions.includes('dynamodb:Scan')) {
        expect({ fn, actions }).toEqual({ fn, actions: ['dynamodb:Scan'] });
        scan = true;
        continue;
      }
      const keys = s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
      expect({ fn, statement: s.Sid, condition: Object.keys(s.Condition ?? {}), keys: Array.isArray(keys) && keys.length > 0 })
        .toEqual({ fn, statement: s.Sid, condition: ['ForAllValues:StringLike'], keys: true });
      for (const resource of asArray<Json>(s.Resource)) {
        const index = indexOf(resource);
        if (index !== undefined) {
          expect(actions).toEqual(['dynamodb:Query']);
          indexes[index] = [...new Set([...(indexes[index] ?? []), ...keys])].sort();
          continue;
        }
        expect(JSON.stringify(resource)).toBe(tableArn());
        for (const a of actions) items[a.replace('dynamodb:', '')] = [...new Set([...(items[a.replace('dynamodb:', '')] ?? []), ...keys])].sort();
      }
    }
    return { items, indexes, scan };
  }

  const LEDGER = ['AWARD#*', 'ENT#*', 'ENV#*', 'INTAKE#*', 'SCHEME#*', 'TRANSFER#*'];
  const RUNS = ['AWARD#*', 'ENV#*', 'PAID#*', 'RUN#*'];
  const IDENTITY = ['LOGIN#*', 'SESSION#*', 'USER#*'];
  const union = (...lists: string[][]) => [...new Set(lists.flat())].sort();
  const expected: Record<FunctionName, ReturnType<typeof accessOf>> = {
    intake: {
      items: {
        GetItem: union(LEDGER, ['ALERT#*']), BatchGetItem: LEDGER, Query: union(LEDGER, ['ALERT#*']),
        PutItem: union(LEDGER, ['ALERT#*']), UpdateItem: union(LEDGER, ['ALERT#*']), DeleteItem: LEDGER,
      },
      indexes: { gsi1: ['AWST#*'], gsi2: ['ALERTS', 'ALERTUNIT#*', 'CREDITS', 'ENVELOPES', 'SCHEMES'] },
      scan: false,
    },
    runRequest: {
      items: {
        GetItem: union(LEDGER, RUNS, ['RUNREQ#*']), BatchGetItem: union(LEDGER, RUNS), Query: union(LEDGER, RUNS),
        PutItem: union(LEDGER, RUNS, ['RUNREQ#*']), UpdateItem: union(LEDGER, RUNS), DeleteItem: LEDGER, ConditionCheckItem: RUNS,
      },
      indexes: { gsi1: ['AWST#*'], gsi2: ['CREDITS', 'ENVELOPES', 'RUNBATCH#*', 'RUNS', 'SCHEMES'] },
      scan: false,
    },
    reconcile: {
      items: {
        GetItem: union(LEDGER, RUNS, ['ALERT#*', 'RECON#*']), BatchGetItem: union(LEDGER, RUNS), Query: union(LEDGER, RUNS, ['ALERT#*', 'RECON#*']),
        PutItem: union(LEDGER, RUNS, ['ALERT#*', 'RECON#*']), UpdateItem: union(LEDGER, RUNS, ['ALERT#*', 'RECON#*']), DeleteItem: LEDGER, ConditionCheckItem: RUNS,
      },
      indexes: { gsi1: ['AWST#*'], gsi2: ['ALERTS', 'ALERTUNIT#*', 'CREDITS', 'ENVELOPES', 'RECONS', 'REPAIRS', 'RUNBATCH#*', 'RUNS', 'SCHEMES'] },
      scan: true,
    },
    notifier: { items: { Query: ['ALERT#*'], UpdateItem: ['ALERT#*'] }, indexes: {}, scan: false },
    // The API runs the same services as `bursar serve`: the ledger and the run store in full, alerts
    // and reconciliation reports read only, users/sessions/sign-in state, the audit log, award searches,
    // and the year-end close's record (POST /years/{fy}/close|approve).
    api: {
      items: {
        GetItem: union(LEDGER, RUNS, ['ALERT#*', 'RECON#*', 'YEAR#*'], IDENTITY), BatchGetItem: union(LEDGER, RUNS, IDENTITY),
        Query: union(LEDGER, RUNS, ['ALERT#*', 'RECON#*', 'AUDITLOG'], IDENTITY),
        PutItem: union(LEDGER, RUNS, IDENTITY, ['AUDITLOG', 'YEAR#*']), UpdateItem: union(LEDGER, RUNS, IDENTITY, ['YEAR#*']),
        DeleteItem: union(LEDGER, IDENTITY), ConditionCheckItem: RUNS,
      },
      indexes: { gsi1: ['AWST#*'], gsi2: ['ALERTS', 'ALERTUNIT#*', 'CREDITS', 'ENVELOPES', 'RECONS', 'REPAIRS', 'RUNBATCH#*', 'RUNS', 'SCHEMES', 'USERS', 'USESS#*'] },
      scan: true,
    },
  };

  test.each(FUNCTIONS)('%s: only the item actions its adapters call, on the key prefixes they build', (fn) => {
    expect(accessOf(fn)).toEqual(expected[fn]);
  });

  test('no function may write or delete on the whole table: every item and index statement names its leading keys', () => {
    for (const [, p] of ofType('AWS::IAM::ManagedPolicy')) {
      for (const s of asArray<Json>(p.Properties.PolicyDocument.Statement)) {
        const actions = asArray<string>(s.Action).filter((a) => a.startsWith('dynamodb:') && a !== 'dynamodb:Scan');
        if (actions.length > 0) expect(s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']).toEqual(expect.any(Array));
      }
    }
  });
});

// Issue 13, finding 5: anyone with SendMessage could queue a prepare or an approve with any `by`.
describe('run-request queue: only the API function may send', () => {
  const apiRole = () => stack.functions.api.role;
  test('the queue policy denies SendMessage to every principal but the API role, and allows that role', () => {
    const queueId = logicalId(stack.queues.runRequest.queue);
    const statements = ofType('AWS::SQS::QueuePolicy')
      .filter(([, p]) => p.Properties.Queues.some((q: Json) => q.Ref === queueId))
      .flatMap(([, p]) => asArray<Json>(p.Properties.PolicyDocument.Statement));
    expect(statements).toContainEqual(expect.objectContaining({
      Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sqs:SendMessage', Resource: arnOf(stack.queues.runRequest.queue),
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': arnOf(apiRole()) } },
    }));
    expect(statements).toContainEqual(expect.objectContaining({
      Effect: 'Allow', Principal: { AWS: arnOf(apiRole()) }, Action: 'sqs:SendMessage',
    }));
    // No other queue is so restricted (their senders are other functions and upstream systems).
    for (const other of [stack.queues.intake.queue, stack.queues.alert.queue]) {
      const id = logicalId(other);
      const policies = ofType('AWS::SQS::QueuePolicy').filter(([, p]) => p.Properties.Queues.some((q: Json) => q.Ref === id));
      for (const [, p] of policies) expect(JSON.stringify(p.Properties.PolicyDocument)).not.toContain('aws:PrincipalArn');
    }
  });

  test("the run-request function knows the API role's unique id, the only SenderId it reads", () => {
    const fn = resources[logicalId(stack.functions.runRequest.function)]!;
    expect(fn.Properties.Environment.Variables.BURSAR_RUN_REQUEST_SENDERS).toEqual({ 'Fn::GetAtt': [logicalId(apiRole()), 'RoleId'] });
  });
});

describe('EventBridge Scheduler', () => {
  test('reconciliation runs nightly at 02:00 Asia/Shanghai with a dead-letter queue', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
      State: 'ENABLED',
      Target: {
        Arn: arnOf(stack.functions.reconcile.function),
        DeadLetterConfig: { Arn: arnOf(stack.reconcileDeadLetterQueue) },
      },
    });
  });

  test('the schedule role may invoke only the reconcile function; its async failures go to a DLQ', () => {
    const [, schedule] = ofType('AWS::Scheduler::Schedule')[0]!;
    const roleId = schedule.Properties.Target.RoleArn['Fn::GetAtt'][0];
    const invoke = policyStatementsForRole(roleId).filter((s) => asArray(s.Action).includes('lambda:InvokeFunction'));
    expect(invoke).toHaveLength(1);
    expect(asArray(invoke[0].Resource)).toEqual([arnOf(stack.functions.reconcile.function)]);
    expect(resources[logicalId(stack.functions.reconcile.function)]!.Properties.DeadLetterConfig).toEqual({
      TargetArn: arnOf(stack.reconcileDeadLetterQueue),
    });
  });
});

describe('SNS', () => {
  test('both topics are KMS-encrypted and publish over TLS only', () => {
    for (const topic of [stack.notifications.alertTopic, stack.notifications.opsTopic]) {
      expect(resources[logicalId(topic)]!.Properties.KmsMasterKeyId).toEqual(arnOf(stack.key));
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [ref(topic)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  test('one e-mail subscription per bureau address, filtered on the unit attribute', () => {
    const alertSubs = ofType('AWS::SNS::Subscription')
      .map(([, s]) => s.Properties)
      .filter((p) => p.TopicArn.Ref === logicalId(stack.notifications.alertTopic));
    const byEndpoint = Object.fromEntries(alertSubs.map((p) => [p.Endpoint, p]));
    expect(Object.keys(byEndpoint).sort()).toEqual(
      ['eitb@example.cn', 'fin@example.cn', 'fin-deputy@example.cn', 'shared@example.cn'].sort(),
    );
    for (const p of alertSubs) expect(p.Protocol).toBe('email');
    expect(byEndpoint['eitb@example.cn'].FilterPolicy).toEqual({ unit: ['EITB'] });
    expect(byEndpoint['fin@example.cn'].FilterPolicy).toEqual({ unit: ['FIN'] });
    expect(byEndpoint['fin-deputy@example.cn'].FilterPolicy).toEqual({ unit: ['FIN'] });
    expect(byEndpoint['shared@example.cn'].FilterPolicy).toEqual({ unit: ['STB', 'DRB'] });
  });

  test('operators are subscribed to the operations topic without a filter', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      TopicArn: ref(stack.notifications.opsTopic),
      Protocol: 'email',
      Endpoint: 'ops@example.cn',
      FilterPolicy: Match.absent(),
    });
  });
});

describe('S3', () => {
  test('export bucket: public access blocked, versioned, KMS, access-logged, retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: arnOf(stack.key) },
            },
          ],
        },
        LoggingConfiguration: { DestinationBucketName: ref(stack.exportBucket.accessLogBucket) },
      },
      DeletionPolicy: 'Retain',
    });
  });

  // Issue 13, finding 3: an exported file is never overwritten.
  test('export bucket: S3 Object Lock in governance mode, retained for the configured days (30 years by default)', () => {
    const bucket = resources[logicalId(stack.exportBucket.bucket)]!;
    expect(bucket.Properties.ObjectLockEnabled).toBe(true);
    expect(bucket.Properties.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: DEFAULT_EXPORT_RETENTION_DAYS } },
    });
    // The access log bucket is not locked (its lifecycle expires old versions).
    expect(resources[logicalId(stack.exportBucket.accessLogBucket)]!.Properties.ObjectLockEnabled).toBeUndefined();
  });

  test('the retention is a setting: the export bucket construct takes it', () => {
    const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
    const other = new Stack(new App({ context: cdkJson.context }), 'RetentionCheck');
    const exports = new ExportBucket(other, 'Exports', { key: new kms.Key(other, 'Key'), retentionDays: 400 });
    const bucket = Template.fromStack(other).toJSON().Resources[other.getLogicalId(exports.bucket.node.defaultChild as CfnElement)];
    expect(bucket.Properties.ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 400 } } });
  });

  test('no role may bypass governance retention, change a retention or delete an object version', () => {
    const forbidden = ['s3:BypassGovernanceRetention', 's3:PutObjectRetention', 's3:PutObjectLegalHold', 's3:PutBucketObjectLockConfiguration', 's3:DeleteObject', 's3:DeleteObjectVersion'];
    for (const [, p] of ofType('AWS::IAM::ManagedPolicy')) {
      for (const st of asArray<Json>(p.Properties.PolicyDocument.Statement)) {
        expect(asArray<string>(st.Action).filter((a) => forbidden.includes(a))).toEqual([]);
      }
    }
  });

  test('both buckets deny requests without TLS 1.2+', () => {
    for (const bucket of [stack.exportBucket.bucket, stack.exportBucket.accessLogBucket]) {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: ref(bucket),
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
          ]),
        },
      });
    }
  });
});

describe('HTTP API and sign-in', () => {
  test('one route per API route (the local sign-in aside), each behind the Cognito JWT authorizer but the OpenAPI document', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(
      API_ROUTES.filter((r) => !r.local).map((r) => `${r.method} /api/v1${r.path}`).sort(),
    );
    const [[authorizerId, authorizer]] = ofType('AWS::ApiGatewayV2::Authorizer') as [[string, Json]];
    expect(authorizer.Properties.AuthorizerType).toBe('JWT');
    expect(authorizer.Properties.IdentitySource).toEqual(['$request.header.Authorization']);
    expect(authorizer.Properties.JwtConfiguration.Audience).toEqual([ref(stack.staff.consoleClient)]);
    expect(JSON.stringify(authorizer.Properties.JwtConfiguration.Issuer)).toContain(logicalId(stack.staff.userPool));
    for (const r of routes) {
      if (r.RouteKey === 'GET /api/v1/openapi.json') {
        expect(r.AuthorizationType).toBe('NONE');
      } else {
        expect(r.AuthorizationType).toBe('JWT');
        expect(r.AuthorizerId).toEqual({ Ref: authorizerId });
      }
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: arnOf(stack.functions.api.function),
      PayloadFormatVersion: '2.0',
    });
  });

  test('the stage writes access logs, including the signed-in sub, to an encrypted log group', () => {
    const [, stage] = ofType('AWS::ApiGatewayV2::Stage')[0]!;
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format);
    expect(format.sub).toBe('$context.authorizer.claims.sub');
    const logGroup = resources[stage.Properties.AccessLogSettings.DestinationArn['Fn::GetAtt'][0]]!;
    expect(logGroup.Properties.KmsKeyId).toEqual(arnOf(stack.key));
    expect(stage.Properties.DefaultRouteSettings.ThrottlingRateLimit).toBeGreaterThan(0);
  });

  test('the user pool: no self sign-up, TOTP MFA required, strong passwords, custom:unit, retained', () => {
    const [[, pool]] = ofType('AWS::Cognito::UserPool') as [[string, Json]];
    expect(pool.Properties.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(true);
    expect(pool.Properties.MfaConfiguration).toBe('ON');
    expect(pool.Properties.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(pool.Properties.Policies.PasswordPolicy).toMatchObject({ MinimumLength: 12, RequireSymbols: true, RequireNumbers: true, RequireUppercase: true });
    expect(pool.Properties.Schema).toEqual(expect.arrayContaining([expect.objectContaining({ Name: 'unit', AttributeDataType: 'String', Mutable: true })]));
    expect(pool.DeletionPolicy).toBe('Retain');
  });

  test('one group per role', () => {
    const groups = ofType('AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties.GroupName).sort();
    expect(groups).toEqual(['admin', 'auditor', 'bureau', 'clerk', 'reviewer']);
  });

  test("the console's client: authorization code only, no secret, reads but cannot write custom:unit", () => {
    const [[, client]] = ofType('AWS::Cognito::UserPoolClient') as [[string, Json]];
    expect(client.Properties.GenerateSecret).toBe(false);
    expect(client.Properties.AllowedOAuthFlows).toEqual(['code']);
    expect(client.Properties.ReadAttributes).toContain('custom:unit');
    expect(client.Properties.WriteAttributes ?? []).not.toContain('custom:unit');
    expect(client.Properties.PreventUserExistenceErrors).toBe('ENABLED');
  });
});

describe('CloudWatch alarms', () => {
  const alarms = () => ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);

  test('every alarm notifies the operations topic', () => {
    expect(alarms().length).toBeGreaterThanOrEqual(11);
    for (const a of alarms()) {
      expect(a.AlarmActions).toEqual([ref(stack.notifications.opsTopic)]);
      expect(a.OKActions).toEqual([ref(stack.notifications.opsTopic)]);
    }
  });

  test('any message in any dead-letter queue', () => {
    const dlqs = [
      stack.queues.intake.deadLetterQueue,
      stack.queues.runRequest.deadLetterQueue,
      stack.queues.alert.deadLetterQueue,
      stack.reconcileDeadLetterQueue,
    ];
    for (const dlq of dlqs) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(dlq), 'QueueName'] } }],
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
      });
    }
  });

  test('errors of every function', () => {
    for (const name of FUNCTIONS) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: ref(stack.functions[name].function) }],
        Threshold: 1,
      });
    }
  });

  test('reconciliation not clean (the metric the reconcile function publishes)', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Bursar',
      MetricName: 'ReconciliationClean',
      Dimensions: [{ Name: 'service', Value: 'bursar-reconcile' }],
      Statistic: 'Minimum',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
    });
    const vars = resources[logicalId(stack.functions.reconcile.function)]!.Properties.Environment.Variables;
    expect(vars.POWERTOOLS_SERVICE_NAME).toBe('bursar-reconcile');
  });

  test('intake throttling', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Throttles',
      Dimensions: [{ Name: 'FunctionName', Value: ref(stack.functions.intake.function) }],
      Threshold: 1,
    });
  });
});

describe('cdk-nag', () => {
  const packs: [string, () => NagPack][] = [
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['NIST 800-53 R5', () => new NIST80053R5Checks()],
  ];

  test.each(packs)('%s: no unacknowledged findings (errors or warnings)', (_name, pack) => {
    const report = pack().validateScope(app);
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  test('both packs are registered on the app, so `cdk synth` runs them too', () => {
    const registered = (app as unknown as { _validationPlugins: { name: string }[] })._validationPlugins.map(
      (p) => p.name,
    );
    expect(registered).toEqual(expect.arrayContaining([new AwsSolutionsChecks().name, new NIST80053R5Checks().name]));
  });

  test('every acknowledgement sits on a single CloudFormation resource and gives a specific reason', () => {
    const acknowledgements: { path: string; id: string; reason: string; onResource: boolean }[] = [];
    for (const c of app.node.findAll()) {
      for (const entry of c.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          acknowledgements.push({ path: c.node.path, id, reason, onResource: CfnResource.isCfnResource(c) });
        }
      }
    }
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const a of acknowledgements) {
      expect({ ...a, onResource: a.onResource }).toEqual({ ...a, onResource: true });
      expect(a.reason.length).toBeGreaterThanOrEqual(60);
    }
  });

  test('CDK itself reports no errors or warnings', () => {
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

test('queue visibility timeouts follow the function timeouts they are derived from', () => {
  expect(resources[logicalId(stack.queues.intake.queue)]!.Properties.VisibilityTimeout).toBe(
    6 * TIMEOUTS.intake.toSeconds(),
  );
  expect(resources[logicalId(stack.queues.runRequest.queue)]!.Properties.VisibilityTimeout).toBe(
    6 * TIMEOUTS.runRequest.toSeconds(),
  );
});
