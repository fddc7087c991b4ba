import { LocalEd25519Signer } from '../shared/adapters/crypto/local-ed25519-signer.ts';
import type { ManifestSigner } from '../shared/ports/manifest-signer.ts';
import { resolveDataDir, type Runtime } from './runtime.ts';

/** The CLI's manifest signer: the Ed25519 key in the data dir (created when missing). */
export function manifestSignerOf(runtime: Pick<Runtime, 'keyDir'>): ManifestSigner {
  return LocalEd25519Signer.inDataDir(runtime.keyDir ?? resolveDataDir({}));
}
