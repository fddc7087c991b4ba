import { createHash } from 'node:crypto';
import { BursarError, NotFoundError } from '../domain/errors.ts';
import { checkRunId } from '../domain/run-batching.ts';
import type { ManifestSignature, ManifestSigner } from '../ports/manifest-signer.ts';
import type { RunReader } from '../ports/run-store.ts';
import { exportFileNames, type Manifest } from './export-run.ts';

export interface VerifyDifference {
  file: string;
  problem: 'MISSING' | 'SHA256_DIFFERS' | 'BAD_SIGNATURE' | 'UNSIGNED' | 'UNKNOWN_KEY' | 'NOT_A_MANIFEST' | 'DIGEST_DIFFERS' | 'WRONG_RUN';
  detail: string;
}

export interface VerifyResult {
  run_id: string;
  ok: boolean;
  /** Files checked: the manifests, their signatures and every file they list. */
  checked: string[];
  differences: VerifyDifference[];
}

/** Reads one exported file of the run by name; undefined when it is not there. */
export type ReadExported = (name: string) => Promise<Buffer | undefined>;

/**
 * `run verify`: check an exported run's files against its signed manifest(s), and the manifests
 * against the store: the signature is the key's, each listed file's SHA-256 matches, and the
 * manifest's approved digest is the one the store recorded for that approval. The first export is
 * checked, and the latest re-issue when one was exported. Any difference is named.
 */
export async function verifyExport(deps: { runs: RunReader; signer: ManifestSigner }, cmd: { run_id: string; read: ReadExported }): Promise<VerifyResult> {
  const runId = checkRunId(cmd.run_id);
  const run = await deps.runs.getRun(runId);
  if (!run) throw new NotFoundError('run', runId);
  if (run.status !== 'EXPORTED' && run.status !== 'SETTLED') {
    throw new BursarError('NOT_EXPORTED', `${runId} is ${run.status}; only an exported run has files to verify`, { run_id: runId, status: run.status });
  }
  const exports: { names: ReturnType<typeof exportFileNames>; digest: string | undefined }[] = [{ names: exportFileNames(runId), digest: run.approved_digest }];
  if (run.reissue?.exported_at) exports.push({ names: exportFileNames(runId, run.reissue.number), digest: run.reissue.digest });

  const checked: string[] = [];
  const differences: VerifyDifference[] = [];
  const differ = (file: string, problem: VerifyDifference['problem'], detail: string) => differences.push({ file, problem, detail });
  for (const { names, digest } of exports) {
    checked.push(names.manifest, names.signature);
    const manifestBytes = await cmd.read(names.manifest);
    if (!manifestBytes) { differ(names.manifest, 'MISSING', 'the manifest is not there'); continue; }
    const sigBytes = await cmd.read(names.signature);
    if (!sigBytes) {
      differ(names.signature, 'UNSIGNED', 'the manifest has no signature file');
    } else {
      const sig = parseJson<ManifestSignature>(sigBytes);
      if (!sig || typeof sig.signature !== 'string') differ(names.signature, 'BAD_SIGNATURE', 'the signature file is not a signature');
      else if (sig.key_id !== deps.signer.keyId || sig.algorithm !== deps.signer.algorithm) differ(names.signature, 'UNKNOWN_KEY', `signed with ${sig.algorithm} key ${sig.key_id}, not this store's key ${deps.signer.keyId}`);
      else if (!await deps.signer.verify(manifestBytes, Buffer.from(sig.signature, 'base64'))) differ(names.manifest, 'BAD_SIGNATURE', 'the manifest is not what was signed');
    }
    const manifest = parseJson<Manifest>(manifestBytes);
    if (!manifest || !Array.isArray(manifest.files)) { differ(names.manifest, 'NOT_A_MANIFEST', 'the manifest cannot be read'); continue; }
    if (manifest.run_id !== runId) differ(names.manifest, 'WRONG_RUN', `the manifest is of ${String(manifest.run_id)}`);
    if (manifest.approved_digest !== digest) differ(names.manifest, 'DIGEST_DIFFERS', `the manifest says ${String(manifest.approved_digest)}, the approval recorded ${digest ?? 'none'}`);
    for (const f of manifest.files) {
      checked.push(f.name);
      const bytes = await cmd.read(f.name);
      if (!bytes) { differ(f.name, 'MISSING', 'the file is not there'); continue; }
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      if (sha256 !== f.sha256) differ(f.name, 'SHA256_DIFFERS', `SHA-256 ${sha256}, the manifest says ${f.sha256}`);
    }
  }
  return { run_id: runId, ok: differences.length === 0, checked, differences };
}

function parseJson<T>(bytes: Buffer): T | undefined {
  try { return JSON.parse(bytes.toString('utf8')) as T; } catch { return undefined; }
}
