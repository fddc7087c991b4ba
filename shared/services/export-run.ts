import { BursarError, NotFoundError, TransientError } from '../domain/errors.ts';
import { POLICY } from '../domain/catalog.ts';
import { formatYuan } from '../domain/money.ts';
import { paymentFileNames } from '../domain/payment-file.ts';
import { checkRunId, compareBatches } from '../domain/run-batching.ts';
import { checkExportable } from '../domain/run-lifecycle.ts';
import type { FileSink, FileWriter, WrittenFile } from '../ports/file-sink.ts';
import type { RunStore } from '../ports/run-store.ts';
import type { Run } from '../domain/run.ts';
import { PaymentCsvWriter } from '../files/payment-csv.ts';
import { PaymentWorkbook } from '../files/payment-workbook.ts';
import { writeText } from '../files/write-text.ts';
import type { Clock } from './clock.ts';

export interface ExportDeps {
  runs: RunStore;
  clock: Clock;
  sink: FileSink;
}

export interface ExportResult {
  run_id: string;
  /** Where the payment files went (paths or s3:// URIs). */
  files: string[];
  manifest: string;
}

export interface Manifest {
  run_id: string;
  period: string;
  policy: string;
  prepared_by: string;
  approved_by: string;
  approved_at: string;
  generated_at: string;
  control_totals: {
    award_count: number;
    total_fen: number;
    total_yuan: string;
    batches: { batch_id: string; measure: number; unit: string; count: number; total_fen: number; total_yuan: string }[];
  };
  files: { name: string; bytes: number; sha256: string; rows?: number; sheets?: number }[];
}

const CSV_TYPE = 'text/csv; charset=utf-8';
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * `run export`: the payment files of an approved run — the CSV for the bank, an XLSX workbook (a
 * summary sheet and one sheet per batch) and a manifest with the control totals and each file's
 * SHA-256. Payments are streamed batch by batch from the store into both files at once, and every
 * batch is checked against the control totals fixed at prepare time; a mismatch discards the files.
 * Exporting again writes the files again (the run stays EXPORTED).
 */
export async function exportRun(deps: ExportDeps, cmd: { run_id: string }): Promise<ExportResult> {
  const runId = checkRunId(cmd.run_id);
  const run = await deps.runs.getRun(runId);
  if (!run) throw new NotFoundError('run', runId);
  checkExportable(run);

  const names = paymentFileNames(runId);
  const csvFile = deps.sink.create(names.csv, CSV_TYPE);
  const xlsxFile = deps.sink.create(names.xlsx, XLSX_TYPE);
  let csvWritten: WrittenFile;
  let xlsxWritten: WrittenFile;
  let rows: number;
  try {
    const csv = new PaymentCsvWriter(csvFile.stream);
    const workbook = new PaymentWorkbook(xlsxFile.stream, run);
    await csv.start();
    for (const batch of [...run.batches].sort(compareBatches)) {
      workbook.beginBatch(batch);
      let count = 0;
      let total = 0;
      for await (const payment of deps.runs.listBatchPayments(runId, batch.batch_id)) {
        await csv.add(payment);
        await workbook.add(payment);
        count++;
        total += payment.amount_fen;
      }
      checkBatch(run, batch, count, total);
      workbook.endBatch(batch);
    }
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
    approved_by: run.approved_by ?? '',
    approved_at: run.approved_at ?? '',
    generated_at: deps.clock.now(),
    control_totals: {
      award_count: run.award_count,
      total_fen: run.total_fen,
      total_yuan: formatYuan(run.total_fen),
      batches: [...run.batches].sort(compareBatches).map((b) => ({ ...b, total_yuan: formatYuan(b.total_fen) })),
    },
    files: [
      { name: csvWritten.name, bytes: csvWritten.bytes, sha256: csvWritten.sha256, rows },
      { name: xlsxWritten.name, bytes: xlsxWritten.bytes, sha256: xlsxWritten.sha256, sheets: run.batches.length + 1 },
    ],
  };
  const manifestWritten = await writeWhole(deps.sink.create(names.manifest, 'application/json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await deps.runs.recordExport(runId, deps.clock.now(), [csvWritten, xlsxWritten, manifestWritten].map(({ name, location, sha256 }) => ({ name, location, sha256 })));
  return { run_id: runId, files: [csvWritten.location, xlsxWritten.location], manifest: manifestWritten.location };
}

function checkBatch(run: Run, batch: Run['batches'][number], count: number, total: number): void {
  if (count === batch.count && total === batch.total_fen) return;
  const context = { run_id: run.run_id, batch_id: batch.batch_id, expected_count: batch.count, count, expected_fen: batch.total_fen, total_fen: total };
  // The batch listing is an index read: right after prepare it may still be catching up.
  if (count < batch.count) throw new TransientError(`${batch.batch_id}: ${count} of ${batch.count} payments visible yet; export again shortly`);
  throw new BursarError('CONTROL_TOTALS_MISMATCH', `${batch.batch_id} holds ${count} payments of ${formatYuan(total)} yuan, its control totals say ${batch.count} of ${formatYuan(batch.total_fen)}`, context);
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
