/**
 * The console's hosting, synthesized in a stack of its own with both cdk-nag packs (any
 * unacknowledged error fails the synth, as in `cdk synth`): private bucket behind origin access
 * control, TLS 1.2+, HSTS and a CSP without inline scripts on every response, /api/* to the HTTP API.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { ConsoleHosting, consoleAuthConfig, consoleCsp } from '../../infra/constructs/console.ts';
import { parseAuthConfig } from '../../web/src/app/oauth.ts';
import { buildBursarApp } from '../../infra/build-app.ts';
import { parseDeployConfig } from '../../infra/config.ts';
import { REPO_ROOT } from '../../infra/paths.ts';

type Json = any; // CloudFormation JSON

let stack: Stack;
let template: Template;
let hosting: ConsoleHosting;

beforeAll(() => {
  const app = new App();
  stack = new Stack(app, 'ConsoleTest', { env: { account: '123456789012', region: 'ap-east-1' } });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const api = apigw.HttpApi.fromHttpApiAttributes(stack, 'Api', { httpApiId: 'abc123def4' });
  hosting = new ConsoleHosting(stack, 'Console', {
    api, key, domainName: 'console.bursar.example.cn',
    certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
    authDomain: 'bursar.auth.ap-east-1.amazoncognito.com',
    userPoolClientId: 'consoleclient123',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app));
  template = Template.fromStack(stack);
});

const distribution = (): Json => Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig;

it('passes cdk-nag (AwsSolutions and NIST 800-53 rev 5) with no unacknowledged error', () => {
  expect(Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-|NIST'))).toEqual([]);
});

it('keeps the files in a private, encrypted, TLS-only bucket that only the distribution reads (OAC)', () => {
  template.hasResourceProperties('AWS::S3::Bucket', {
    PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) })] },
    LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'site-access/' }),
  });
  template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
  template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
    OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' }),
  });
  const s3Origin = distribution().Origins.find((o: Json) => o.S3OriginConfig);
  expect(s3Origin.OriginAccessControlId).toBeDefined();
  expect(s3Origin.S3OriginConfig.OriginAccessIdentity).toBe('');
  // The bucket policy grants read to CloudFront for this distribution only, and refuses plain HTTP.
  const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).map((p: Json) => JSON.stringify(p.Properties.PolicyDocument)).join('\n');
  expect(policy).toContain('cloudfront.amazonaws.com');
  expect(policy).toContain('AWS:SourceArn');
  expect(policy).toContain('aws:SecureTransport');
  expect(policy).not.toMatch(/"Principal":\s*"\*"[^}]*"Effect":\s*"Allow"/);
  // CloudFront may decrypt the files with the key, for this account's distributions only.
  const keyPolicy = JSON.stringify(Object.values(template.findResources('AWS::KMS::Key'))[0]!.Properties.KeyPolicy);
  expect(keyPolicy).toContain('cloudfront.amazonaws.com');
  expect(keyPolicy).toContain('kms:Decrypt');
});

it('serves over TLS 1.2+ on its own domain and certificate, redirecting HTTP', () => {
  const d = distribution();
  expect(d.Aliases).toEqual(['console.bursar.example.cn']);
  expect(d.ViewerCertificate).toMatchObject({ MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' });
  expect(d.DefaultRootObject).toBe('index.html');
  expect(d.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
  expect(d.Logging).toBeDefined();
});

it('puts HSTS, a CSP without inline scripts, frame-ancestors none and nosniff on every response', () => {
  template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
    ResponseHeadersPolicyConfig: Match.objectLike({
      SecurityHeadersConfig: Match.objectLike({
        StrictTransportSecurity: { AccessControlMaxAgeSec: 730 * 86400, IncludeSubdomains: true, Preload: true, Override: true },
        ContentSecurityPolicy: { ContentSecurityPolicy: consoleCsp('bursar.auth.ap-east-1.amazoncognito.com'), Override: true },
        FrameOptions: { FrameOption: 'DENY', Override: true },
        ContentTypeOptions: { Override: true },
        ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
      }),
    }),
  });
  const csp = consoleCsp('bursar.auth.ap-east-1.amazoncognito.com');
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("connect-src 'self' https://bursar.auth.ap-east-1.amazoncognito.com");
  const policyId = { Ref: stack.getLogicalId(hosting.headers.node.defaultChild as never) };
  const d = distribution();
  expect(d.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual(policyId);
  for (const b of d.CacheBehaviors) expect(b.ResponseHeadersPolicyId).toEqual(policyId);
});

it('sends /api/* to the HTTP API on the same origin: HTTPS, every method, nothing cached, Host not forwarded', () => {
  const d = distribution();
  const api = d.CacheBehaviors.find((b: Json) => b.PathPattern === '/api/*');
  expect(api).toBeDefined();
  expect(api.AllowedMethods).toEqual(expect.arrayContaining(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']));
  expect(api.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // Managed-CachingDisabled
  expect(api.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac'); // Managed-AllViewerExceptHostHeader
  expect(api.ViewerProtocolPolicy).toBe('https-only');
  const origin = d.Origins.find((o: Json) => o.Id === api.TargetOriginId);
  expect(JSON.stringify(origin.DomainName)).toContain('abc123def4.execute-api.ap-east-1');
  expect(origin.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
});

/** Runs a CloudFront Function's code (cloudfront-js-2.0 is plain JavaScript) on a viewer request. */
function runFunction(code: string, uri: string): Json {
  const handler = new Function(`${code}\nreturn handler;`)() as (event: Json) => Json;
  return handler({ version: '1.0', request: { method: 'GET', uri, headers: {}, querystring: {}, cookies: {} } });
}

it('answers /config.json at the edge with the hosted UI sign-in settings, never cached', () => {
  const d = distribution();
  const behavior = d.CacheBehaviors.find((b: Json) => b.PathPattern === '/config.json');
  expect(behavior.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // Managed-CachingDisabled
  expect(behavior.ViewerProtocolPolicy).toBe('redirect-to-https');
  expect(behavior.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [stack.getLogicalId(hosting.configFunction.node.defaultChild as never), 'FunctionARN'] } }]);
  const fn = Object.values(template.findResources('AWS::CloudFront::Function'))[0]!.Properties;
  expect(fn.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
  expect(fn.AutoPublish).toBe(true);
  const response = runFunction(fn.FunctionCode, '/config.json');
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type'].value).toMatch(/^application\/json/);
  expect(response.headers['cache-control'].value).toBe('no-store');
  const config = JSON.parse(response.body.data);
  // Exactly what the console's parser reads as the Cognito sign-in, with the console's own URL to come back to.
  expect(parseAuthConfig(config)).toEqual({
    auth: 'cognito', domain: 'bursar.auth.ap-east-1.amazoncognito.com', clientId: 'consoleclient123',
    redirectUri: 'https://console.bursar.example.cn/', logoutUri: 'https://console.bursar.example.cn/', scopes: ['openid', 'email', 'profile'],
  });
  expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('consoleAuthDomain'))).toEqual([]);
});

it('falls back to the local sign-in config, with a synth warning, when the hosted UI domain is missing', () => {
  expect(consoleAuthConfig({ domainName: 'c.example.cn', userPoolClientId: 'x' })).toEqual({ auth: 'local' });
  const app = new App();
  const s = new Stack(app, 'NoAuth', { env: { account: '123456789012', region: 'ap-east-1' } });
  new ConsoleHosting(s, 'Console', {
    api: apigw.HttpApi.fromHttpApiAttributes(s, 'Api', { httpApiId: 'abc123def4' }), key: new kms.Key(s, 'Key', { enableKeyRotation: true }),
    domainName: 'c.example.cn', certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
  });
  expect(Annotations.fromStack(s).findWarning('*', Match.stringLikeRegexp('consoleAuthDomain'))).toHaveLength(1);
});

describe('in the Bursar stack', () => {
  const context = { consoleDomain: 'console.bursar.example.cn', consoleCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc-123' };
  const withAuth = { ...context, consoleAuthDomain: 'bursar.auth.ap-east-1.amazoncognito.com' };

  it('is configured by context: both the domain and a us-east-1 certificate, or neither', () => {
    expect(parseDeployConfig({}).console).toBeUndefined();
    expect(parseDeployConfig(context).console).toEqual({ domainName: context.consoleDomain, certificateArn: context.consoleCertificateArn });
    expect(() => parseDeployConfig({ consoleDomain: 'x.example.cn' })).toThrow(/both/);
    expect(() => parseDeployConfig({ ...context, consoleCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' })).toThrow(/us-east-1/);
  });

  it('synthesizes cdk-nag clean with the console wired to the stack API and key, and outputs where to upload', () => {
    const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: object };
    const app = new App({ context: { ...cdkJson.context, ...withAuth } });
    const bursar = buildBursarApp(app);
    const t = Template.fromStack(bursar); // throws on any unacknowledged cdk-nag error
    t.resourceCountIs('AWS::CloudFront::Distribution', 1);
    const outputs = t.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs['ConsoleUrl']!.Value).toBe('https://console.bursar.example.cn/');
    expect(outputs['ConsoleBucketName']).toBeDefined();
    expect(outputs['ConsoleDistributionId']).toBeDefined();
    const d = Object.values(t.findResources('AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig;
    const apiOrigin = d.Origins.find((o: Json) => o.CustomOriginConfig);
    expect(JSON.stringify(apiOrigin.DomainName)).toContain(bursar.getLogicalId(bursar.financeApi.api.node.defaultChild as never));

    // The hosted UI may send people back only to the console's own URL, after sign-in and sign-out.
    const clients = Object.values(t.findResources('AWS::Cognito::UserPoolClient')).map((c: Json) => c.Properties);
    expect(clients).toHaveLength(1);
    expect(clients[0]).toMatchObject({
      CallbackURLs: ['https://console.bursar.example.cn/'], LogoutURLs: ['https://console.bursar.example.cn/'],
      AllowedOAuthFlows: ['code'], AllowedOAuthScopes: expect.arrayContaining(['openid', 'email', 'profile']), GenerateSecret: false,
    });
    // /config.json names the stack's console client (a deploy-time reference) and the hosted UI domain.
    const fn = Object.values(t.findResources('AWS::CloudFront::Function'))[0]!.Properties;
    const code = JSON.stringify(fn.FunctionCode);
    expect(code).toContain(JSON.stringify({ Ref: bursar.getLogicalId(bursar.staff.consoleClient.node.defaultChild as never) }));
    expect(code).toContain('bursar.auth.ap-east-1.amazoncognito.com');
  }, 240_000);
});
