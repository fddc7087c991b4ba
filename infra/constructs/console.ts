import { Annotations, Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { accessLogBucket, privateBucket } from './private-bucket.ts';

export interface ConsoleHostingProps {
  /** The HTTP API serving /api/v1 (issue 11); CloudFront forwards /api/* to it: same origin, no CORS. */
  readonly api: apigw.IHttpApi;
  /** The console's host name, e.g. console.bursar.example.cn. */
  readonly domainName: string;
  /** ACM certificate for domainName, in us-east-1 (CloudFront's requirement). */
  readonly certificateArn: string;
  /** Encrypts the console's files at rest (CloudFront reads them through origin access control). */
  readonly key: kms.IKey;
  /** The Cognito hosted UI's domain (authorization code + PKCE): the console exchanges the code there. */
  readonly authDomain?: string;
  /** The user pool's console client (public, no secret); with authDomain, the console signs in through the hosted UI. */
  readonly userPoolClientId?: string;
}

/** The OAuth scopes the console asks for: openid gives the ID token the API's authorizer takes (with custom:unit). */
export const CONSOLE_SCOPES = ['openid', 'email', 'profile'] as const;

/** The console's URL: the hosted UI's callback and sign-out URL both (the console's routes live in the #fragment). */
export const consoleUrl = (domainName: string): string => `https://${domainName}/`;

/**
 * What the console reads from /config.json at start (web/src/app/oauth.ts parses it). Without a
 * hosted UI domain and client it is the local password sign-in, which the API in AWS does not offer.
 */
export function consoleAuthConfig(props: Pick<ConsoleHostingProps, 'domainName' | 'authDomain' | 'userPoolClientId'>): Record<string, unknown> {
  if (!props.authDomain || !props.userPoolClientId) return { auth: 'local' };
  const url = consoleUrl(props.domainName);
  return { auth: 'cognito', domain: props.authDomain, clientId: props.userPoolClientId, redirectUri: url, logoutUri: url, scopes: [...CONSOLE_SCOPES] };
}

/**
 * A CloudFront Function answering GET /config.json at the edge: the values (the client id is a
 * deploy-time token) are fixed at deploy, no Lambda-backed upload is needed, and an `aws s3 sync` of a
 * fresh build (which carries the local `{"auth":"local"}`) can never overwrite them.
 */
function configFunctionCode(config: Record<string, unknown>): string {
  const body = JSON.stringify(JSON.stringify(config));
  return [
    'function handler(event) {',
    '  return {',
    "    statusCode: 200, statusDescription: 'OK',",
    "    headers: { 'content-type': { value: 'application/json; charset=utf-8' }, 'cache-control': { value: 'no-store' } },",
    `    body: { encoding: 'text', data: ${body} },`,
    '  };',
    '}',
  ].join('\n');
}

const REPLICATION_REASON =
  'The console bucket holds only the built static files, rebuilt from the repository on every deploy; ' +
  'cross-region replication adds nothing a redeploy does not.';

/** The console's Content-Security-Policy: its own scripts only (no inline script), no framing. */
export function consoleCsp(authDomain?: string): string {
  const auth = authDomain ? ` https://${authDomain}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Ant Design injects its CSS-in-JS as <style> elements at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self'${auth}`,
    "object-src 'none'",
    "base-uri 'none'",
    `form-action 'self'${auth}`,
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The console in AWS: the built files (web/dist) in a private, KMS-encrypted S3 bucket that only
 * this CloudFront distribution may read (origin access control), served over TLS 1.2+ on the
 * console's own domain, with HSTS, a strict CSP and framing denied on every response; /api/* goes
 * to the HTTP API on the same origin, uncached, so the browser never makes a cross-origin call.
 */
export class ConsoleHosting extends Construct {
  readonly bucket: s3.Bucket;
  readonly logBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly headers: cloudfront.ResponseHeadersPolicy;
  /** Serves /config.json (the console's sign-in mode and hosted UI settings). */
  readonly configFunction: cloudfront.Function;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // CloudFront standard logs need ACLs on their bucket; S3 server access logs go here too.
    this.logBucket = accessLogBucket(this, 'Logs', {
      holds: "the console's CloudFront and site access logs",
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
      replicationReason: 'Access logs of a static site: single-region retention is enough.',
    });

    this.bucket = privateBucket(this, 'Site', {
      key: props.key,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'site-access/',
      replicationReason: REPLICATION_REASON,
    });

    this.headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      comment: 'Bursar console: HSTS, CSP without inline scripts, no framing, no sniffing, no referrer',
      securityHeadersBehavior: {
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, preload: true, override: true },
        contentSecurityPolicy: { contentSecurityPolicy: consoleCsp(props.authDomain), override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    const apiOrigin = new origins.HttpOrigin(`${props.api.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
    });

    this.configFunction = new cloudfront.Function(this, 'RuntimeConfig', {
      comment: 'Bursar console /config.json: the sign-in mode and the Cognito hosted UI client',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(configFunctionCode(consoleAuthConfig(props))),
    });
    if (!props.authDomain || !props.userPoolClientId) {
      Annotations.of(this).addWarning('The console has no Cognito hosted UI domain (-c consoleAuthDomain=): nobody can sign in to it in AWS.');
    }
    const siteOrigin = origins.S3BucketOrigin.withOriginAccessControl(this.bucket);

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Bursar console and API',
      domainNames: [props.domainName],
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn),
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      defaultRootObject: 'index.html',
      priceClass: cloudfront.PriceClass.PRICE_CLASS_ALL,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: siteOrigin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        compress: true,
      },
      additionalBehaviors: {
        // Answered by the function at the edge: never reaches the bucket, never cached.
        '/config.json': {
          origin: siteOrigin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          responseHeadersPolicy: this.headers,
          functionAssociations: [{ function: this.configFunction, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
        },
        '/api/*': {
          origin: apiOrigin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          // Everything the API needs (Authorization, cookies, query, CSRF header), but not the Host header.
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.headers,
          compress: true,
        },
      },
    });
    Validations.of(this.distribution.node.defaultChild!).acknowledge(
      { id: 'AwsSolutions-CFR1', reason: 'Bureau staff may travel; who may sign in is decided by the Cognito user pool (MFA), not by country.' },
      { id: 'AwsSolutions-CFR2', reason: 'AWS WAF is an operator choice (cost, rule sets); the API already enforces authentication, lock-out and body limits.' },
    );
  }
}
