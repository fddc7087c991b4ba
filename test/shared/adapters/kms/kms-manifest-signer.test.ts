import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { afterEach, expect, test } from '@jest/globals';
import { KMSClient, KMSInvalidSignatureException, SignCommand, VerifyCommand, type SignCommandInput, type VerifyCommandInput } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { KmsManifestSigner } from '../../../../shared/adapters/kms/kms-manifest-signer.ts';

/**
 * KMS cannot run here, so the mock plays it with a real P-256 key: Sign returns a DER ECDSA
 * signature over the digest it is given, Verify checks one (throwing KMSInvalidSignatureException,
 * as KMS does, when it does not verify). What is tested is what the adapter sends (the manifest's
 * SHA-256 as a DIGEST, the algorithm, the key ARN) and how it reads the answers.
 */
const KEY_ARN = 'arn:aws:kms:cn-north-1:123456789012:key/0a1b2c3d-0000-4000-8000-000000000001';
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const kms = mockClient(KMSClient);
afterEach(() => { kms.reset(); });

function playKms(): { signs: SignCommandInput[]; verifies: VerifyCommandInput[] } {
  const seen = { signs: [] as SignCommandInput[], verifies: [] as VerifyCommandInput[] };
  kms.on(SignCommand).callsFake((input: SignCommandInput) => {
    seen.signs.push(input);
    return { KeyId: input.KeyId, SigningAlgorithm: input.SigningAlgorithm, Signature: sign(null, input.Message!, { key: privateKey, dsaEncoding: 'der' }) };
  });
  kms.on(VerifyCommand).callsFake((input: VerifyCommandInput) => {
    seen.verifies.push(input);
    // The digest is verified as a prehashed message: P-256 with SHA-256 over nothing more.
    const ok = verify(null, input.Message!, { key: publicKey, dsaEncoding: 'der' }, input.Signature!);
    if (!ok) throw new KMSInvalidSignatureException({ message: 'invalid signature', $metadata: {} });
    return { KeyId: input.KeyId, SignatureValid: true, SigningAlgorithm: input.SigningAlgorithm };
  });
  return seen;
}

test('signs the SHA-256 digest of the manifest with ECDSA_SHA_256 under the key ARN; the signature verifies', async () => {
  const seen = playKms();
  const signer = new KmsManifestSigner(new KMSClient({ region: 'cn-north-1' }), KEY_ARN);
  expect([signer.algorithm, signer.keyId]).toEqual(['ECDSA_SHA_256', KEY_ARN]);
  const manifest = Buffer.from(JSON.stringify({ run_id: 'RUN-2025-04', files: [] }).repeat(200)); // > 4 KB: RAW would be refused
  const signature = await signer.sign(manifest);
  const digest = createHash('sha256').update(manifest).digest();
  expect(seen.signs).toHaveLength(1);
  expect(seen.signs[0]).toMatchObject({ KeyId: KEY_ARN, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' });
  expect(Buffer.from(seen.signs[0]!.Message!)).toEqual(digest);
  expect(await signer.verify(manifest, signature)).toBe(true);
  expect(seen.verifies[0]).toMatchObject({ KeyId: KEY_ARN, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' });
});

test('a changed manifest or signature does not verify (KMS throws; the adapter answers false); other errors surface', async () => {
  playKms();
  const signer = new KmsManifestSigner(new KMSClient({ region: 'cn-north-1' }), KEY_ARN);
  const manifest = Buffer.from('{"run_id":"RUN-2025-04"}');
  const signature = await signer.sign(manifest);
  expect(await signer.verify(Buffer.from('{"run_id":"RUN-2025-05"}'), signature)).toBe(false);
  const flipped = Buffer.from(signature);
  flipped[flipped.length - 1]! ^= 0x01;
  expect(await signer.verify(manifest, flipped)).toBe(false);

  kms.reset();
  kms.on(VerifyCommand).rejects(Object.assign(new Error('User is not authorized to perform: kms:Verify'), { name: 'AccessDeniedException' }));
  await expect(signer.verify(manifest, signature)).rejects.toThrow(/not authorized/);
  kms.on(SignCommand).resolves({});
  await expect(signer.sign(manifest)).rejects.toThrow(/no signature/);
});
