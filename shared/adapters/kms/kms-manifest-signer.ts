import { createHash } from 'node:crypto';
import { SignCommand, VerifyCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { ManifestSigner } from '../../ports/manifest-signer.ts';

/**
 * The manifest signer in AWS (issue 13, finding 3): a dedicated KMS asymmetric key (ECC_NIST_P256,
 * SIGN_VERIFY; infra/constructs/manifest-signing-key.ts). The private key never leaves KMS. The
 * manifest's SHA-256 is computed here and sent as a DIGEST (KMS takes at most 4 KB of RAW message;
 * a manifest of a large run is longer), signed and verified with ECDSA_SHA_256. Only the
 * run-request function may Sign and only the API function may Verify (IAM, conditioned on the
 * algorithm). The key id written beside the signature is the key's ARN.
 */
export class KmsManifestSigner implements ManifestSigner {
  readonly algorithm = 'ECDSA_SHA_256';

  constructor(private readonly kms: KMSClient, readonly keyId: string) {}

  async sign(data: Uint8Array): Promise<Uint8Array> {
    const out = await this.kms.send(new SignCommand({
      KeyId: this.keyId, Message: digest(data), MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256',
    }));
    if (!out.Signature) throw new Error(`KMS returned no signature for key ${this.keyId}`);
    return out.Signature;
  }

  async verify(data: Uint8Array, signature: Uint8Array): Promise<boolean> {
    try {
      const out = await this.kms.send(new VerifyCommand({
        KeyId: this.keyId, Message: digest(data), MessageType: 'DIGEST', Signature: signature, SigningAlgorithm: 'ECDSA_SHA_256',
      }));
      return out.SignatureValid === true;
    } catch (error) {
      // KMS answers a signature that does not verify with an exception, not SignatureValid: false.
      if ((error as { name?: string }).name === 'KMSInvalidSignatureException') return false;
      throw error;
    }
  }
}

const digest = (data: Uint8Array) => createHash('sha256').update(data).digest();
