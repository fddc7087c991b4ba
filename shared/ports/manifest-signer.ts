/**
 * Signs export manifests, so a payment file swapped after export is found (`run verify`). Locally an
 * Ed25519 key kept in the data dir (adapters/crypto/local-ed25519-signer.ts); in AWS a KMS
 * asymmetric signing key would implement the same port (KMS `Sign`/`Verify` with
 * `MessageType: RAW`): `algorithm` names KMS's signing algorithm and `keyId` the key ARN.
 */
export interface ManifestSigner {
  /** e.g. 'Ed25519' locally; 'ECDSA_SHA_256' for a KMS ECC_NIST_P256 key. */
  readonly algorithm: string;
  /** Names the key, so a verifier knows which key to check with. */
  readonly keyId: string;
  sign(data: Uint8Array): Promise<Uint8Array>;
  /** True when `signature` is this key's signature of `data`. */
  verify(data: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

/** The detached signature written next to a manifest (`<manifest>.sig`). */
export interface ManifestSignature {
  algorithm: string;
  key_id: string;
  /** base64 */
  signature: string;
}
