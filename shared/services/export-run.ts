import { randomUUID } from 'node:crypto';
import { BursarError, NotFoundError } from '../domain/errors.ts';
import { POLICY } from '../domain/catalog.ts';
import { formatYuan } from '../domain/money.ts';
import { paymentFileNames } from '../domain/payment-file.ts';
import { checkRunId, compareBatches } from '../domain/run-batching.ts';
import { RunDigestBuilder } from '../domain/run-digest.ts';
import { checkExportable } from '../domain/run-lifecycle.ts';
import type { FileSink, FileWriter, WrittenFile } from '../ports/file-sink.ts';
import type { ManifestSignature, ManifestSigner } from '../ports/manifest-signer.ts';
import type { RunStore } from '../ports/run-store.ts';
import { EXPORT_CLAIM_LEASE_MS, type Reissue, type Run, type RunBatch } from '../domain/run.ts';
import { PaymentCsvWriter } from '../files/payment-csv.ts';
import { PaymentWorkbook } from '../files/payment-workbook.ts';
import { writeText } from '../files/write-text.ts';
import type { Clock } from './clock.ts';
import { digestMismatch, runPaymentsByBatch } from './run-digests.ts';

export interface ExportDeps {
  runs: RunStore;
  clock: Clock;
  sink: FileSink;
  /** Signs the manifest (`<manifest>.sig`); without one the manifest is written unsigned. */
  signer?: ManifestSigner;
}

export interface ExportResult {
  run_id: string;
  /** Where the payment files went (paths or s3:// URIs). */
  files: string[];
  manifest: string;
  /** The manifest's detached signature, when signed. */
  signature?: string;
  /** The re-issue exported, when this was one. */
  reissue?: number;
}

export interface Manifest {
  run_id: string;
  period: string;
  policy: string;
  prepared_by: string;
  sealed_by?: string;
  approved_by: string;
  approved_at: string;
  /** The digest the approver approved (run-digest.ts), recomputed from the rows written. */
  approved_digest: string;
  generated_at: string;
  /** A re-issue: its number, why, who asked, and the earlier files it replaces (no longer payable). */
  reissue?: { number: number; reason: string; requested_by: string; requested_at: string; supersedes: string[] };
  control_totals: {
    award_count: number;
    total_fen: number;
    total_yuan: string;
    batches: { batch_id: string; measure: number; unit: string; count: number; total_fen: number; total_yuan: string; digest: string }[];
  };
  files: { name: string; bytes: number; sha256: string; rows?: number; sheets?: number }[];
}

const CSV_TYPE = 'text/csv; charset=utf-8';
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The files of a run's first export, or of its re-issue n (`RUN-2025-04-R1-payments.csv`). */
export function exportFileNames(runId: string, reissue?: number): { csv: string; xlsx: string; manifest: string; signature: string } {
  const names = paymentFileNames(reissue === undefined ? runId : `${runId}-R${reissue}`);
  return { ...names, signature: `${names.manifest}.sig` };
}

/**
 * `run export`: the payment files of an approved run — the CSV for the bank, an XLSX workbook (a
 * summary sheet and one sheet per batch), a manifest with the control totals, the approved digest
 * and each file's SHA-256, and the manifest's signature.
 *
 * Exported once. The first export is of an APPROVED run; after it, the only other file is an
 * approved re-issue (`run reissue`), exported once too, holding only payments not settled. Any
 * other export is refused (ALREADY_EXPORTED) before anything is written. The export first claims
 * the run (so two exports cannot both write, and settlement waits while a re-issue is written),
 * then streams payments batch by batch into both files, recomputing each batch's digest from the
 * stored rows: any difference from what was approved discards the files (DIGEST_MISMATCH) and
 * leaves the run as it was.
 */
export async function exportRun(deps: ExportDeps, cmd: { run_id: string }): Promise<ExportResult> {
  const runId = checkRunId(cmd.run_id);
  const run = await deps.runs.getRun(runId);
  if (!run) throw new NotFoundError('run', runId);
  const target = checkExportable(run);
  const reissue = target.kind === 'reissue' ? target.reissue : undefined;
  const approved = approvedContent(run, reissue);

  const now = deps.clock.now();
  const claim = { id: randomUUID(), at: now, stale_before: new Date(Date.parse(now) - EXPORT_CLAIM_LEASE_MS).toISOString(), ...(reissue ? { reissue: reissue.number } : {}) };
  let claimed: boolean;
  try {
    claimed = await deps.runs.claimExport(runId, claim);
  } catch (error) {
    // The claim may have been written and only its reply lost: give it back (conditional on its id,
    // so only ours), or settlement and every other export would wait out the lease for nothing.
    await deps.runs.releaseExportClaim(runId, claim.id).catch(() => undefined);
    throw error;
  }
  if (!claimed) {
    const after = await deps.runs.getRun(runId);
    if (after) checkExportable(after); // exported meanwhile: ALREADY_EXPORTED
    throw new BursarError('EXPORT_IN_PROGRESS', `${runId} is being exported by another request; try again when it has finished`, { run_id: runId });
  }
  try {
    return await writeExport(deps, run, approved, reissue, claim.id);
  } catch (error) {
    await deps.runs.releaseExportClaim(runId, claim.id);
    throw error;
  }
}

interface ApprovedContent {
  digest: string;
  approved_by: string;
  approved_at: string;
  award_count: number;
  total_fen: number;
  batches: RunBatch[];
}

function approvedContent(run: Run, reissue: Reissue | undefined): ApprovedContent {
  const digest = reissue ? reissue.digest : run.approved_digest;
  if (!digest || (!reissue && run.approved_digest !== run.digest)) {
    throw digestMismatch(run.run_id, 'its payments', digest, run.digest ?? 'none', { reason: digest ? 'the run digest changed after approval' : 'approved without a digest' });
  }
  return reissue
    ? { digest, approved_by: reissue.approved_by ?? '', approved_at: reissue.approved_at ?? '', award_count: reissue.award_count, total_fen: reissue.total_fen, batches: reissue.batches }
    : { digest, approved_by: run.approved_by ?? '', approved_at: run.approved_at ?? '', award_count: run.award_count, total_fen: run.total_fen, batches: run.batches };
}

async function writeExport(deps: ExportDeps, run: Run, approved: ApprovedContent, reissue: Reissue | undefined, claimId: string): Promise<ExportResult> {
  const runId = run.run_id;
  const names = exportFileNames(runId, reissue?.number);
  const approvedBatches = new Map(approved.batches.map((b) => [b.batch_id, b]));
  const csvFile = deps.sink.create(names.csv, CSV_TYPE);
  const xlsxFile = deps.sink.create(names.xlsx, XLSX_TYPE);
  let csvWritten: WrittenFile;
  let xlsxWritten: WrittenFile;
  let rows: number;
  try {
    const csv = new PaymentCsvWriter(csvFile.stream);
    const workbook = new PaymentWorkbook(xlsxFile.stream, { ...run, award_count: approved.award_count, total_fen: approved.total_fen, batches: approved.batches });
    const digests = new RunDigestBuilder();
    await csv.start();
    // A re-issue walks the run's batches (control totals of the whole run) and keeps what is unsettled.
    for await (const { batch, payments } of runPaymentsByBatch(deps.runs, runId, run.batches, { unsettledOnly: reissue !== undefined })) {
      if (payments.length === 0 && reissue) continue;
      const expected = approvedBatches.get(batch.batch_id);
      digests.beginBatch(batch.batch_id);
      for (const p of payments) digests.add(p);
      const got = digests.endBatch();
      if (!expected || expected.digest !== got.digest) {
        throw digestMismatch(runId, `the payments of ${batch.batch_id}`, expected?.digest, got.digest, { batch_id: batch.batch_id });
      }
      const sheetBatch = { ...batch, count: got.count, total_fen: got.total_fen };
      workbook.beginBatch(sheetBatch);
      for (const p of payments) { await csv.add(p); await workbook.add(p); }
      workbook.endBatch(sheetBatch);
    }
    const digest = digests.finish();
    if (digest !== approved.digest || digests.batches.length !== approved.batches.length) throw digestMismatch(runId, 'its payments', approved.digest, digest);
    await Promise.all([csv.end(), workbook.commit()]);
    rows = csv.rows;
    [csvWritten, xlsxWritten] = await Promise.all([csvFile.commit(), xlsxFile.commit()]);
  } catch (error) {
    await Promise.all([csvFile.abort(), xlsxFile.abort()]);
    throw error;
  }

  const manifest: Manifest = {
    run_id: run.run_id,
    period: run.period,
    policy: POLICY.documentNumber,
    prepared_by: run.prepared_by,
    ...(run.sealed_by && run.sealed_by !== run.prepared_by ? { sealed_by: run.sealed_by } : {}),
    approved_by: approved.approved_by,
    approved_at: approved.approved_at,
    approved_digest: approved.digest,
    generated_at: deps.clock.now(),
    ...(reissue ? {
      reissue: {
        number: reissue.number, reason: reissue.reason, requested_by: reissue.requested_by, requested_at: reissue.requested_at,
        supersedes: [exportFileNames(runId).csv, ...Array.from({ length: reissue.number - 1 }, (_, i) => exportFileNames(runId, i + 1).csv)],
      },
    } : {}),
    control_totals: {
      award_count: approved.award_count,
      total_fen: approved.total_fen,
      total_yuan: formatYuan(approved.total_fen),
      batches: [...approved.batches].sort(compareBatches).map((b) => ({
        batch_id: b.batch_id, measure: b.measure, unit: b.unit, count: b.count, total_fen: b.total_fen, total_yuan: formatYuan(b.total_fen), digest: b.digest ?? '',
      })),
    },
    files: [
      { name: csvWritten.name, bytes: csvWritten.bytes, sha256: csvWritten.sha256, rows },
      { name: xlsxWritten.name, bytes: xlsxWritten.bytes, sha256: xlsxWritten.sha256, sheets: approved.batches.length + 1 },
    ],
  };
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  const written = [csvWritten, xlsxWritten, await writeWhole(deps.sink.create(names.manifest, 'application/json'), manifestText)];
  if (deps.signer) {
    const signature: ManifestSignature = {
      algorithm: deps.signer.algorithm, key_id: deps.signer.keyId,
      signature: Buffer.from(await deps.signer.sign(Buffer.from(manifestText, 'utf8'))).toString('base64'),
    };
    written.push(await writeWhole(deps.sink.create(names.signature, 'application/json'), `${JSON.stringify(signature, null, 2)}\n`));
  }
  const recorded = await deps.runs.recordExport(runId, deps.clock.now(), written.map(({ name, location, sha256 }) => ({ name, location, sha256 })), {
    id: claimId, ...(reissue ? { reissue: reissue.number } : {}),
  });
  if (!recorded) throw new BursarError('EXPORT_IN_PROGRESS', `${runId}: this export's claim was taken over by another export; its files must not be sent to the bank`, { run_id: runId });
  return {
    run_id: runId, files: [csvWritten.location, xlsxWritten.location], manifest: written[2]!.location,
    ...(written[3] ? { signature: written[3].location } : {}), ...(reissue ? { reissue: reissue.number } : {}),
  };
}

async function writeWhole(file: FileWriter, text: string): Promise<WrittenFile> {
  try {
    await writeText(file.stream, text);
    return await file.commit();
  } catch (error) {
    await file.abort();
    throw error;
  }
}
