import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

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

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // CloudFront standard logs need ACLs on their bucket; S3 server access logs go here too.
    this.logBucket = new s3.Bucket(this, 'Logs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.logBucket.node.defaultChild!).acknowledge(
      { id: 'AwsSolutions-S1', reason: 'This is the log bucket of the console; logging its own access would log the log writes.' },
      { id: 'NIST.800.53.R5-S3DefaultEncryptionKMS', reason: 'CloudFront and S3 log delivery write only to SSE-S3 buckets, not SSE-KMS.' },
      { id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason: 'Access logs of a static site: single-region retention is enough.' },
    );

    this.bucket = new s3.Bucket(this, 'Site', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'site-access/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket.node.defaultChild!).acknowledge({ id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason: REPLICATION_REASON });

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
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        compress: true,
      },
      additionalBehaviors: {
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
