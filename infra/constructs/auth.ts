import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { ROLES } from '../../shared/ports/identity.ts';

export interface StaffDirectoryProps {
  /** Where the console sends people back after the hosted UI (authorization code + PKCE). */
  readonly callbackUrls?: string[];
  readonly logoutUrls?: string[];
}

/**
 * Who may use Bursar in AWS: a Cognito user pool that administrators fill (no self sign-up), with
 * TOTP MFA required, one group per role (bureau, clerk, reviewer, auditor, admin: a person may be in
 * several), and a bureau user's unit code in `custom:unit` (set by an administrator; the console's
 * client may read it but not write it). The API's JWT authorizer accepts ID tokens of the console's
 * client; the API maps `sub` (the person, for four eyes), `cognito:groups` and `custom:unit`.
 */
export class StaffDirectory extends Construct {
  readonly userPool: cognito.UserPool;
  readonly consoleClient: cognito.UserPoolClient;
  readonly groups: Record<string, cognito.CfnUserPoolGroup>;

  constructor(scope: Construct, id: string, props: StaffDirectoryProps = {}) {
    super(scope, id);
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: 'bursar-staff',
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      customAttributes: { unit: new cognito.StringAttribute({ minLen: 2, maxLen: 16, mutable: true }) },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.groups = Object.fromEntries(ROLES.map((role) => [role, new cognito.CfnUserPoolGroup(this, `Group-${role}`, {
      userPoolId: this.userPool.userPoolId,
      groupName: role,
      description: `Bursar role ${role}`,
    })]));

    const standard = new cognito.ClientAttributes().withStandardAttributes({ email: true, emailVerified: true, preferredUsername: true });
    this.consoleClient = this.userPool.addClient('ConsoleClient', {
      userPoolClientName: 'bursar-console',
      generateSecret: false,
      authFlows: { user: false, userPassword: false, userSrp: false, adminUserPassword: false, custom: false },
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: props.callbackUrls ?? ['https://localhost/'],
        logoutUrls: props.logoutUrls ?? ['https://localhost/'],
      },
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.minutes(30),
      accessTokenValidity: Duration.minutes(30),
      refreshTokenValidity: Duration.hours(12),
      readAttributes: standard.withCustomAttributes('unit'),
      writeAttributes: new cognito.ClientAttributes(),
    });
  }
}
