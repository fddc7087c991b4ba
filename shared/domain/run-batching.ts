/**
 * Monthly disbursement runs: naming, cut-off and batching. Pure rules; the store and the prepare
 * service (shared/services/prepare-run.ts) apply them.
 *
 * - One run per accounting period, named after it: period '2025-04' is run 'RUN-2025-04'. Preparing a
 *   period again therefore finds the same run.
 * - Cut-off: a RESERVED award belongs to the period's run when it was approved on or before the
 *   period's last day (Asia/Shanghai) and is in no run yet.
 * - Batches: payments are grouped per (measure, approving unit). Within such a series payments are
 *   numbered 1, 2, 3 … in the order they were moved in; payment n falls in batch ⌈n / batchSize⌉ at
 *   sequence ((n − 1) mod batchSize) + 1, so no batch holds more than batchSize payments and a
 *   prepare that resumes after a crash continues the numbering exactly where it stopped.
 */
import { parsePeriod, periodLastDay } from './dates.ts';
import { ValidationError } from './errors.ts';

export const DEFAULT_BATCH_SIZE = 500;
export const MAX_BATCH_SIZE = 10_000;

const RUN_ID_PATTERN = /^RUN-([0-9]{4}-[0-9]{2})$/;
const BATCH_SUFFIX = /-([0-9]+)$/;

/** 'RUN-2025-04' for '2025-04'; refuses anything that is not a YYYY-MM period. */
export function runIdFor(period: string): string {
  return `RUN-${checkPeriod(period)}`;
}

export function checkPeriod(period: string): string {
  const parsed = parsePeriod(period.trim());
  if (!parsed.ok) throw new ValidationError('BAD_PERIOD', parsed.message, { field: 'period' });
  return parsed.period;
}

/** The run id as typed by a person, checked: 'RUN-YYYY-MM'. */
export function checkRunId(runId: string): string {
  const match = RUN_ID_PATTERN.exec(runId.trim());
  if (!match || !parsePeriod(match[1] ?? '').ok) {
    throw new ValidationError('BAD_RUN_ID', `a run id looks like RUN-2025-04, got ${JSON.stringify(runId.slice(0, 40))}`, { field: 'run_id' });
  }
  return runId.trim();
}

/** The last day an award may have been approved to be paid in the period's run. */
export function cutoffDate(period: string): string {
  return periodLastDay(checkPeriod(period));
}

export function checkBatchSize(size: number): number {
  if (!Number.isInteger(size) || size < 1 || size > MAX_BATCH_SIZE) {
    throw new ValidationError('BAD_BATCH_SIZE', `batch size must be a whole number from 1 to ${MAX_BATCH_SIZE}, got ${size}`, { field: 'batch_size' });
  }
  return size;
}

/** The series of a (measure, unit): 'M07-EITB'. */
export function seriesOf(measure: number, unit: string): string {
  return `M${String(measure).padStart(2, '0')}-${unit}`;
}

export interface Slot {
  batch_id: string;
  seq: number;
}

/** Where the n-th payment (1-based) of a series goes. */
export function slotOf(runId: string, series: string, n: number, batchSize: number): Slot {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`payment number must be a positive integer, got ${n}`);
  const batchNo = Math.floor((n - 1) / batchSize) + 1;
  return { batch_id: `${runId}-${series}-${String(batchNo).padStart(3, '0')}`, seq: ((n - 1) % batchSize) + 1 };
}

export interface BatchTotals {
  batch_id: string;
  measure: number;
  unit: string;
  count: number;
  total_fen: number;
}

/** Batches in file order: by measure, unit, then batch number (numerically, past 999 too). */
export function compareBatches(a: Pick<BatchTotals, 'batch_id' | 'measure' | 'unit'>, b: Pick<BatchTotals, 'batch_id' | 'measure' | 'unit'>): number {
  if (a.measure !== b.measure) return a.measure - b.measure;
  if (a.unit !== b.unit) return a.unit < b.unit ? -1 : 1;
  return batchNumber(a.batch_id) - batchNumber(b.batch_id);
}

function batchNumber(batchId: string): number {
  return Number(BATCH_SUFFIX.exec(batchId)?.[1] ?? 0);
}

/** Adds payments up per batch: the control totals (count and sum in fen) of a run. */
export class ControlTotals {
  private readonly byBatch = new Map<string, BatchTotals>();
  count = 0;
  total_fen = 0;

  add(payment: { batch_id: string; measure: number; unit: string; amount_fen: number }): void {
    const batch = this.byBatch.get(payment.batch_id)
      ?? { batch_id: payment.batch_id, measure: payment.measure, unit: payment.unit, count: 0, total_fen: 0 };
    batch.count += 1;
    batch.total_fen += payment.amount_fen;
    this.byBatch.set(payment.batch_id, batch);
    this.count += 1;
    this.total_fen += payment.amount_fen;
    if (!Number.isSafeInteger(this.total_fen)) throw new RangeError('run total exceeds the safe integer range');
  }

  batches(): BatchTotals[] {
    return [...this.byBatch.values()].sort(compareBatches);
  }
}

/** Payments counted per series ('M07-EITB'), to check against the series counters. */
export function seriesCounts(batches: readonly BatchTotals[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const b of batches) {
    const series = seriesOf(b.measure, b.unit);
    counts.set(series, (counts.get(series) ?? 0) + b.count);
  }
  return counts;
}
