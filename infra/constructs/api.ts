import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LOG_RETENTION } from './functions.ts';

export const STAGE = '$default';

/** The finance-staff API. Every route needs a SigV4-signed request (IAM authorization). */
export const ROUTES = {
  requestRun: { method: apigw.HttpMethod.POST, path: '/runs' },
  approveRun: { method: apigw.HttpMethod.POST, path: '/runs/{runId}/approve' },
  summary: { method: apigw.HttpMethod.GET, path: '/summary' },
} as const;

export interface FinanceApiProps {
  readonly handler: lambda.IFunction;
  readonly key: kms.IKey;
}

/**
 * HTTP API with IAM authorization. The caller's IAM principal (requestContext.authorizer.iam) is the
 * actor the API function records, so "the requester may not approve their own run" is checked on
 * an identity API Gateway has verified, not on anything the caller writes in the body.
 *
 * Two customer-managed policies split the duties for whoever administers finance staff identities:
 * requesters may POST /runs, approvers may POST /runs/{id}/approve, both may read the summary. The
 * four-eyes rule itself is enforced by the API function for everyone, including a principal that
 * holds both policies.
 */
export class FinanceApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly requesterPolicy: iam.ManagedPolicy;
  readonly approverPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: FinanceApiProps) {
    super(scope, id);

    this.api = new apigw.HttpApi(this, 'HttpApi', {
      description: 'Bursar finance API: request and approve disbursement runs, budget summary',
      createDefaultStage: false,
      defaultAuthorizer: new HttpIamAuthorizer(),
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      encryptionKey: props.key,
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: STAGE,
      autoDeploy: true,
      throttle: { rateLimit: 10, burstLimit: 20 },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            caller: '$context.identity.caller',
            userArn: '$context.identity.userArn',
            accountId: '$context.identity.accountId',
            sourceIp: '$context.identity.sourceIp',
            responseLength: '$context.responseLength',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    const integration = new HttpLambdaIntegration('ApiFunction', props.handler);
    for (const route of Object.values(ROUTES)) {
      this.api.addRoutes({ path: route.path, methods: [route.method], integration });
    }

    const invoke = (routes: (typeof ROUTES)[keyof typeof ROUTES][]) =>
      new iam.PolicyStatement({
        actions: ['execute-api:Invoke'],
        // A path parameter is a `*` in an execute-api ARN.
        resources: routes.map((r) =>
          this.api.arnForExecuteApi(r.method, r.path.replace(/\{[^}]+\}/g, '*'), STAGE),
        ),
      });
    this.requesterPolicy = new iam.ManagedPolicy(this, 'RunRequesterPolicy', {
      description: 'Bursar API: request a disbursement run and read the budget summary',
      statements: [invoke([ROUTES.requestRun, ROUTES.summary])],
    });
    this.approverPolicy = new iam.ManagedPolicy(this, 'RunApproverPolicy', {
      description: 'Bursar API: approve a disbursement run and read the budget summary',
      statements: [invoke([ROUTES.approveRun, ROUTES.summary])],
    });
    const apiId = Stack.of(this).getLogicalId(this.api.node.defaultChild as apigw.CfnApi);
    Validations.of(this.approverPolicy.node.defaultChild!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiId}>/${STAGE}/POST/runs/*/approve]`,
      reason:
        'The * is the {runId} path parameter of POST /runs/{runId}/approve (execute-api ARNs cannot ' +
        'name a parameter); the statement is otherwise pinned to this API, stage, method and route.',
    });
  }
}
