import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** The KMS signing algorithm of an ECC_NIST_P256 key: what a manifest's `.sig` names (ManifestSigner.algorithm). */
export const MANIFEST_SIGNING_ALGORITHM = 'ECDSA_SHA_256';

/**
 * The dedicated asymmetric key that signs export manifests in AWS (issue 13, finding 3), the AWS
 * counterpart of the local Ed25519 key: ECC_NIST_P256 for SIGN_VERIFY, so its private half never
 * leaves KMS. Only the run-request function (which exports) may sign; the API function (which
 * verifies, GET /runs/{id}/verify) may only verify and read the public key, so nobody who can
 * download or verify a file can forge a manifest. Retained on stack deletion: without it, no
 * signature written so far can be checked. KMS does not rotate asymmetric keys; a new key is a new
 * key id, which every signature names.
 */
export class ManifestSigningKey extends Construct {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      alias: 'alias/bursar-manifest-signing',
      description: 'Bursar: signs export manifests (ECDSA P-256, SHA-256); sign: run-request function, verify: API function',
      keySpec: kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** kms:Sign on this key only, with its one algorithm. */
  grantSign(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kms:Sign'],
      resources: [this.key.keyArn],
      conditions: { StringEquals: { 'kms:SigningAlgorithm': MANIFEST_SIGNING_ALGORITHM } },
    }));
  }

  /** kms:Verify (with the one algorithm) and kms:GetPublicKey on this key only. */
  grantVerify(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kms:Verify'],
      resources: [this.key.keyArn],
      conditions: { StringEquals: { 'kms:SigningAlgorithm': MANIFEST_SIGNING_ALGORITHM } },
    }));
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:GetPublicKey'], resources: [this.key.keyArn] }));
  }
}
