import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { API_ROUTES } from '../../shared/http/route-table.ts';
import { LOG_RETENTION } from './functions.ts';

export const STAGE = '$default';
export const API_PREFIX = '/api/v1';

/** The gateway's routes: every route of the app but the local-only sign-in (shared/http/route-table.ts). */
export const GATEWAY_ROUTES = API_ROUTES.filter((r) => !r.local).map((r) => ({ ...r, path: `${API_PREFIX}${r.path}` }));

export interface FinanceApiProps {
  readonly handler: lambda.IFunction;
  readonly key: kms.IKey;
  readonly userPool: cognito.IUserPool;
  readonly clients: cognito.IUserPoolClient[];
}

/**
 * The HTTP API of issue 11 in AWS: one route per API route, each behind a Cognito JWT authorizer
 * (the user pool's ID tokens for the console's client) except the OpenAPI document. API Gateway
 * verifies the token (signature, issuer, audience, expiry) before the function runs; the function
 * takes the person from the verified claims, never from the request body. Routes the app does not
 * have are 404 at the gateway and never reach the function.
 */
export class FinanceApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly authorizer: HttpUserPoolAuthorizer;

  constructor(scope: Construct, id: string, props: FinanceApiProps) {
    super(scope, id);
    this.authorizer = new HttpUserPoolAuthorizer('StaffAuthorizer', props.userPool, {
      userPoolClients: props.clients,
      identitySource: ['$request.header.Authorization'],
    });
    this.api = new apigw.HttpApi(this, 'HttpApi', {
      description: 'Bursar API (/api/v1): budgets, awards, runs, reports; Cognito sign-in',
      createDefaultStage: false,
      defaultAuthorizer: this.authorizer,
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      encryptionKey: props.key,
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: STAGE,
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            sub: '$context.authorizer.claims.sub',
            sourceIp: '$context.identity.sourceIp',
            responseLength: '$context.responseLength',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    const integration = new HttpLambdaIntegration('ApiFunction', props.handler);
    for (const route of GATEWAY_ROUTES) {
      const [added] = this.api.addRoutes({
        path: route.path,
        methods: [route.method as apigw.HttpMethod],
        integration,
        ...(route.public ? { authorizer: new apigw.HttpNoneAuthorizer() } : {}),
      });
      if (route.public) {
        Validations.of(added!.node.defaultChild!).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: 'The OpenAPI document of the API describes routes and schemas only (no data); every other route needs a Cognito JWT.',
        });
      }
    }
  }
}
