import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { fromRoot } from '../paths.ts';
import { allowDeadLetterKey } from '../permissions.ts';
import { ManagedPolicyRole } from './managed-policy-role.ts';

/** Newest Node.js runtime in aws-cdk-lib 2.276 (NODEJS_LATEST is the same today, but floats). */
export const RUNTIME = lambda.Runtime.NODEJS_24_X;
export const ESBUILD_TARGET = 'node24';
export const LOG_RETENTION = logs.RetentionDays.ONE_YEAR;

/**
 * esbuild, locally (esbuild is a devDependency, so no Docker): one minified ESM file per function.
 *
 * The AWS SDK is NOT bundled: '@aws-sdk/*' comes from the Lambda runtime. Bundled, the SDK clients
 * alone are 400+ KB minified per function (measured: DynamoDB+SQS ≈ 400 KB, S3 ≈ 430 KB), which
 * breaks the 250 KB budget `npm run bundle-report` enforces, and the runtime's copy is kept patched
 * by AWS. The price is that the deployed SDK version is the runtime's, not the 3.1169.0 pinned in
 * package.json; Bursar only calls long-stable operations (DynamoDB items/transactions, SQS send,
 * SNS publish, S3 PutObject). Powertools, middy, zod, luxon and our code are bundled.
 */
export const BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  target: ESBUILD_TARGET,
  minify: true,
  sourceMap: false,
  mainFields: ['module', 'main'],
  // Bundled CommonJS dependencies still call require(); give the ES module one.
  banner: "import{createRequire}from'node:module';const require=createRequire(import.meta.url);",
  externalModules: ['@aws-sdk/*'],
};

/** How the function is invoked; decides whether a Lambda-level dead-letter queue applies. */
export type Invocation =
  | { readonly kind: 'sqs' }
  | { readonly kind: 'http-api' }
  | { readonly kind: 'schedule'; readonly deadLetterQueue: sqs.IQueue };

export interface BursarFunctionProps {
  /** Entry file relative to the repository root; it exports `handler`. */
  readonly entry: string;
  /** POWERTOOLS_SERVICE_NAME; also the `service` dimension of the function's metrics. */
  readonly serviceName: string;
  readonly description: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  /** Reserved concurrency: caps what one function can take from the account and from DynamoDB. */
  readonly reservedConcurrency: number;
  readonly invocation: Invocation;
  readonly key: kms.IKey;
  readonly environment: Record<string, string>;
}

/**
 * A Bursar Lambda function: NodejsFunction (arm64, newest Node), its own KMS-encrypted log group
 * with a retention, and its own role whose only permissions are the log group plus what the stack
 * grants it.
 */
export class BursarFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: ManagedPolicyRole;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: BursarFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.key,
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.role = new ManagedPolicyRole(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.serviceName} Lambda execution role`,
    });
    this.logGroup.grantWrite(this.role);

    const deadLetterQueue = props.invocation.kind === 'schedule' ? props.invocation.deadLetterQueue : undefined;
    if (deadLetterQueue) allowDeadLetterKey(this.role, props.key);

    this.function = new NodejsFunction(this, 'Function', {
      entry: fromRoot(props.entry),
      handler: 'handler',
      projectRoot: fromRoot('.'),
      depsLockFilePath: fromRoot('package-lock.json'),
      runtime: RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      description: props.description,
      timeout: props.timeout,
      memorySize: props.memorySize,
      reservedConcurrentExecutions: props.reservedConcurrency,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: 'Bursar',
      },
      bundling: BUNDLING,
      ...(deadLetterQueue ? { deadLetterQueue, retryAttempts: 2 } : {}),
    });

    const cfn = this.function.node.defaultChild as lambda.CfnFunction;
    Validations.of(cfn).acknowledge({
      id: 'NIST.800.53.R5-LambdaInsideVPC',
      reason:
        'Bursar has no private network resources: the function only calls AWS regional APIs ' +
        '(DynamoDB, SQS, SNS, S3, KMS) over TLS, authorised by its IAM role. A VPC would add NAT or ' +
        'five interface endpoints per AZ and no reachable asset to isolate.',
    });
    if (props.invocation.kind !== 'schedule') {
      Validations.of(cfn).acknowledge({
        id: 'NIST.800.53.R5-LambdaDLQ',
        reason:
          props.invocation.kind === 'sqs'
            ? 'Invoked synchronously by an SQS event source mapping; a Lambda DLQ only applies to ' +
              'asynchronous invokes. Failed messages go to the source queue\'s redrive DLQ (maxReceiveCount 5).'
            : 'Invoked synchronously by the HTTP API; the caller receives the error. A Lambda DLQ only ' +
              'applies to asynchronous invokes.',
      });
    }
  }
}
