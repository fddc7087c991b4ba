/**
 * Grants written out action by action. CDK's `grant*` helpers add wildcard actions
 * (`kms:GenerateDataKey*`, `kms:ReEncrypt*`, `s3:Abort*`) and `index/*` resources; Bursar's
 * functions get exactly the calls they make, on exactly the resources they touch.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { ALERT_LIST_PK, alertPk, unitAlertListPk } from '../shared/adapters/dynamo/alert-items.ts';
import { REPAIR_LIST_PK, REPORT_LIST_PK, reportPk } from '../shared/adapters/dynamo/dynamo-reconciliation-store.ts';
import {
  ENVELOPE_LIST_PK, SCHEME_LIST_PK, awardPk, awardStatusPk, envelopePk, intakePk, schemePk,
} from '../shared/adapters/dynamo/items.ts';
import { RUN_LIST_PK, batchListPk, paidMonthPk, runPk, runRequestPk } from '../shared/adapters/dynamo/run-items.ts';
import { AUDIT_LOG_PK } from '../shared/adapters/dynamo/dynamo-audit-log.ts';
import { yearClosePk } from '../shared/adapters/dynamo/dynamo-year-close.ts';
import { transferPk } from '../shared/adapters/dynamo/dynamo-transfer.ts';
import { RECOVERY_LIST_PK, recoveryPk } from '../shared/adapters/dynamo/dynamo-recoveries.ts';
import { CREDIT_LIST_PK, enterprisePk } from '../shared/adapters/dynamo/enterprise-items.ts';
import { sessionKey, userSessionsPk } from '../shared/adapters/dynamo/dynamo-session-store.ts';
import { USER_LIST_PK, loginKey, userKey } from '../shared/adapters/dynamo/dynamo-user-store.ts';
import { GSI1, GSI2 } from '../shared/adapters/dynamo/table-schema.ts';

function allowKey(grantee: iam.IGrantable, key: kms.IKey, actions: string[]): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions, resources: [key.keyArn] }),
  );
}

export function allowSendMessages(grantee: iam.IGrantable, queue: sqs.IQueue, key: kms.IKey): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }),
  );
  allowKey(grantee, key, ['kms:GenerateDataKey', 'kms:Decrypt']);
}

export function allowPublish(grantee: iam.IGrantable, topic: sns.ITopic, key: kms.IKey): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }),
  );
  allowKey(grantee, key, ['kms:GenerateDataKey', 'kms:Decrypt']);
}

/** PutObject only: payment files are written once per run, never read back or deleted by a function. */
export function allowPutObjects(grantee: iam.IGrantable, bucket: s3.IBucket, key: kms.IKey): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects('*')] }),
  );
  allowKey(grantee, key, ['kms:GenerateDataKey', 'kms:Decrypt']);
}

/** What a Lambda function or a schedule needs to drop a message into a KMS-encrypted dead-letter queue. */
export function allowDeadLetterKey(grantee: iam.IGrantable, key: kms.IKey): void {
  allowKey(grantee, key, ['kms:GenerateDataKey', 'kms:Decrypt']);
}

// ---- Per-function table access (issue 13, finding 7) ------------------------------------------
//
// Each function may call only the item actions its adapters call, and only on items whose
// partition key (or, for an index query, the index's partition key) matches the patterns its
// adapters build: `dynamodb:LeadingKeys` with ForAllValues:StringLike. The patterns are derived
// from the adapters' own key builders, so a renamed prefix changes the policy with the code.
// Scan carries no leading key (the condition cannot limit it), so only reconcile, which reads the
// whole ledger by design, may scan.

const SENTINEL = '\u0000';
/** `ENV#<fy>#<measure>` → `ENV#*`: the builder's output up to its first variable part. */
function keyPattern(build: (part: never) => string): string {
  const key = build(SENTINEL as never);
  const at = key.indexOf(SENTINEL);
  if (at < 0) throw new Error(`key builder ignores its argument: ${key}`);
  return `${key.slice(0, at)}*`;
}

/** Partition-key patterns of the table and its indexes, from the adapters' key builders. */
export const KEY_PATTERNS = {
  envelope: keyPattern((fy) => envelopePk({ fiscal_year: fy, measure: 0 })),
  award: keyPattern(awardPk),
  scheme: keyPattern(schemePk),
  intake: keyPattern(intakePk),
  run: keyPattern(runPk),
  paidMonth: keyPattern(paidMonthPk),
  runRequest: keyPattern(runRequestPk),
  alert: keyPattern(alertPk),
  report: keyPattern(reportPk),
  user: keyPattern((name) => userKey(name).pk),
  login: keyPattern((name) => loginKey(name).pk),
  session: keyPattern((id) => sessionKey(id).pk),
  auditLog: AUDIT_LOG_PK,
  yearClose: keyPattern(yearClosePk),
  enterprise: keyPattern(enterprisePk),
  transfer: keyPattern(transferPk),
  recovery: keyPattern(recoveryPk),
  // Index partition keys.
  awardsByStatus: keyPattern((status) => awardStatusPk(status, { fiscal_year: 0, measure: 0 })),
  envelopeList: ENVELOPE_LIST_PK,
  schemeList: SCHEME_LIST_PK,
  runList: RUN_LIST_PK,
  batchList: keyPattern(batchListPk),
  alertList: ALERT_LIST_PK,
  unitAlertList: keyPattern(unitAlertListPk),
  reportList: REPORT_LIST_PK,
  repairList: REPAIR_LIST_PK,
  userList: USER_LIST_PK,
  userSessions: keyPattern(userSessionsPk),
  creditList: CREDIT_LIST_PK,
  recoveryList: RECOVERY_LIST_PK,
} as const;
const K = KEY_PATTERNS;

/** Item actions on items under `keys`. */
export interface ItemGrant {
  readonly actions: readonly string[];
  readonly keys: readonly string[];
}
/** What one function (or one adapter) does to the table. */
export interface TableAccess {
  readonly items: readonly ItemGrant[];
  /** Index name → index partition-key patterns it queries. */
  readonly indexes?: Readonly<Partial<Record<typeof GSI1.name | typeof GSI2.name, readonly string[]>>>;
  /** A full-table Scan (reconcile only). */
  readonly scan?: boolean;
}

const GET = 'dynamodb:GetItem';
const BATCH_GET = 'dynamodb:BatchGetItem';
const QUERY = 'dynamodb:Query';
const PUT = 'dynamodb:PutItem';
const UPDATE = 'dynamodb:UpdateItem';
const DELETE = 'dynamodb:DeleteItem';
const CHECK = 'dynamodb:ConditionCheckItem';

/** Per adapter (shared/adapters/dynamo), the calls it makes and the keys it builds. */
export const ADAPTER_ACCESS = {
  /**
   * DynamoLedger: envelopes (and their audit and queue items), awards, schemes, intake issues, budget
   * transfers; with its DynamoControls (issue 14) the enterprise records and credit restrictions.
   */
  ledger: {
    items: [{ actions: [GET, BATCH_GET, QUERY, PUT, UPDATE, DELETE], keys: [K.envelope, K.award, K.scheme, K.intake, K.enterprise, K.transfer] }],
    indexes: { [GSI1.name]: [K.awardsByStatus], [GSI2.name]: [K.envelopeList, K.schemeList, K.creditList] },
  },
  /** DynamoRunStore: runs and their items, the awards and envelopes they move, paid-per-month. */
  runStore: {
    items: [{ actions: [GET, BATCH_GET, QUERY, PUT, UPDATE, CHECK], keys: [K.run, K.award, K.envelope, K.paidMonth] }],
    indexes: { [GSI1.name]: [K.awardsByStatus], [GSI2.name]: [K.runList, K.batchList] },
  },
  /** DynamoRunRequestLog: one item per handled request. */
  runRequests: { items: [{ actions: [GET, PUT], keys: [K.runRequest] }] },
  /** DynamoAlertOutbox: alerts and deliveries, and the envelope's alert state. */
  alertOutbox: {
    items: [{ actions: [GET, QUERY, PUT, UPDATE], keys: [K.alert, K.envelope] }],
    indexes: { [GSI2.name]: [K.alertList, K.unitAlertList] },
  },
  /** DynamoReconciliationStore: reports; repairs written into the envelope's partition. */
  reconciliation: {
    items: [{ actions: [GET, QUERY, PUT, UPDATE], keys: [K.report, K.envelope] }],
    indexes: { [GSI2.name]: [K.reportList, K.repairList] },
    scan: true,
  },
  /** DynamoUserStore, DynamoSessionStore: users, sign-in failures and sessions (local sign-in only). */
  identity: {
    items: [{ actions: [GET, BATCH_GET, QUERY, PUT, UPDATE, DELETE], keys: [K.user, K.login, K.session] }],
    indexes: { [GSI2.name]: [K.userList, K.userSessions] },
  },
  /** DynamoAuditLog: append and read the audit log (one partition). */
  auditLog: { items: [{ actions: [PUT, QUERY], keys: [K.auditLog] }] },
  /** DynamoAwardSearch: awards by status and envelope through GSI1; any other filter scans. */
  awardSearch: { items: [], indexes: { [GSI1.name]: [K.awardsByStatus] }, scan: true },
  /** DynamoYearClose: the close record (YEAR#<fy>); its carries move awards and envelopes (the ledger's keys). */
  yearClose: { items: [{ actions: [GET, PUT, UPDATE], keys: [K.yearClose] }] },
  /**
   * DynamoRecoveries (issue 15, 追回): the recovery items and the awards and envelopes they settle into.
   * Declared for completeness; no function wires it: recoveries are opened and settled with the
   * `bursar recover` CLI under an operator's credentials.
   */
  recoveries: {
    items: [{ actions: [GET, BATCH_GET, QUERY, PUT, UPDATE], keys: [K.recovery, K.award, K.envelope] }],
    indexes: { [GSI2.name]: [K.recoveryList] },
  },
} as const satisfies Record<string, TableAccess>;

/** Reads only: the adapter's Get/BatchGet/Query grants and its index queries, never a write. */
function readOnly(access: TableAccess): TableAccess {
  const reads = new Set([GET, BATCH_GET, QUERY]);
  return {
    items: access.items.map((g) => ({ actions: g.actions.filter((a) => reads.has(a)), keys: g.keys })).filter((g) => g.actions.length > 0),
    ...(access.indexes ? { indexes: access.indexes } : {}),
  };
}

function combine(...parts: TableAccess[]): TableAccess {
  const indexes: Record<string, string[]> = {};
  for (const part of parts) {
    for (const [name, keys] of Object.entries(part.indexes ?? {})) indexes[name] = [...new Set([...(indexes[name] ?? []), ...(keys ?? [])])];
  }
  return { items: parts.flatMap((p) => p.items), indexes, scan: parts.some((p) => p.scan === true) };
}

const A = ADAPTER_ACCESS;
/** What each function's composition root (functions/<name>/handler.ts) wires, and so may do. */
export const FUNCTION_TABLE_ACCESS = {
  intake: combine(A.ledger, A.alertOutbox),
  runRequest: combine(A.ledger, A.runStore, A.runRequests),
  reconcile: combine(A.ledger, A.reconciliation, A.runStore, A.alertOutbox),
  /** The notifier reads an alert's deliveries and marks them (claim, sent, release). */
  notifier: { items: [{ actions: [QUERY, UPDATE], keys: [K.alert] }] },
  /**
   * The API (the same app as `bursar serve`): budgets, submissions (it runs intake in-process to
   * answer with the report), cancellations, approvals and settlements on the ledger and run store;
   * alerts and reconciliation reports read only; the audit log and, for local sign-in, users and
   * sessions. Award searches that are not by status and envelope scan (filtered), so the API may scan.
   */
  api: combine(A.ledger, A.runStore, readOnly(A.alertOutbox), readOnly(A.reconciliation), A.identity, A.auditLog, A.awardSearch, A.yearClose),
} as const satisfies Record<string, TableAccess>;

const leadingKeys = (keys: readonly string[]) => ({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...keys] } });

/** The table grants of one function: one statement per item grant and per index, each with LeadingKeys. */
export function allowTableAccess(grantee: iam.IGrantable, table: dynamodb.ITable, key: kms.IKey, access: TableAccess): void {
  const seen = new Set<string>();
  for (const grant of access.items) {
    const id = JSON.stringify([grant.actions, grant.keys]);
    if (seen.has(id)) continue;
    seen.add(id);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [...grant.actions], resources: [table.tableArn], conditions: leadingKeys(grant.keys) }),
    );
  }
  for (const [name, keys] of Object.entries(access.indexes ?? {})) {
    if (!keys || keys.length === 0) continue;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [QUERY], resources: [`${table.tableArn}/index/${name}`], conditions: leadingKeys(keys) }),
    );
  }
  if (access.scan) {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dynamodb:Scan'], resources: [table.tableArn] }));
  }
  allowKey(grantee, key, ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey']);
}
