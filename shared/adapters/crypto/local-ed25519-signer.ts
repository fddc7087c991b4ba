import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ManifestSigner } from '../../ports/manifest-signer.ts';

export const SIGNING_KEY_FILE = 'manifest-signing-key.pem';

/**
 * The local manifest signer: an Ed25519 key in the data dir (PKCS#8 PEM, mode 0600), created at
 * `bursar init` or, when missing, on first use. It lives beside, not inside, the database, so it
 * works whichever DynamoDB the CLI points at. Creation is exclusive: two processes racing to create
 * it end up with the one that was written first.
 */
export class LocalEd25519Signer implements ManifestSigner {
  readonly algorithm = 'Ed25519';
  readonly keyId: string;
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  private constructor(privateKey: KeyObject) {
    this.privateKey = privateKey;
    this.publicKey = createPublicKey(privateKey);
    const der = this.publicKey.export({ type: 'spki', format: 'der' });
    this.keyId = `ed25519:${createHash('sha256').update(der).digest('hex').slice(0, 16)}`;
  }

  /** The key of `dataDir`, created when missing. */
  static inDataDir(dataDir: string): LocalEd25519Signer {
    const file = path.join(dataDir, SIGNING_KEY_FILE);
    ensureKey(dataDir, file);
    return new LocalEd25519Signer(createPrivateKey(readFileSync(file)));
  }

  async sign(data: Uint8Array): Promise<Uint8Array> {
    return sign(null, data, this.privateKey);
  }

  async verify(data: Uint8Array, signature: Uint8Array): Promise<boolean> {
    return verify(null, data, this.publicKey, signature);
  }
}

/** Create the key file unless it exists; true when this call created it. */
export function ensureKey(dataDir: string, file = path.join(dataDir, SIGNING_KEY_FILE)): boolean {
  mkdirSync(dataDir, { recursive: true });
  const { privateKey } = generateKeyPairSync('ed25519');
  try {
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { flag: 'wx', mode: 0o600 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}
