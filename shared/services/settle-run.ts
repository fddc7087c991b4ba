import { readCsvFile, type CsvRow } from '../csv/read-csv-records.ts';
import { periodOf, shanghaiDate } from '../domain/dates.ts';
import { envelopeLabel, type EnvelopeKey } from '../domain/envelope.ts';
import { BursarError, NotFoundError, TransientError } from '../domain/errors.ts';
import { formatYuan } from '../domain/money.ts';
import { checkRunId } from '../domain/run-batching.ts';
import { checkActor, checkSettleable } from '../domain/run-lifecycle.ts';
import {
  SETTLEMENT_AMOUNT_COLUMN, SETTLEMENT_COLUMNS, classifyLine, lineFingerprint, parseSettlementLine, sameSettlement, type SettlementLine,
} from '../domain/settlement.ts';
import type { RunStore, SettleEntry, StoredRunItem } from '../ports/run-store.ts';
import type { RunStatus } from '../domain/run.ts';
import { backoff } from '../retry/backoff.ts';
import type { Clock } from './clock.ts';

export interface SettleDeps {
  runs: RunStore;
  clock: Clock;
}

export interface SettleResult {
  run_id: string;
  /** Payments this import settled as PAID / FAILED. */
  paid: number;
  failed: number;
  paid_fen: number;
  failed_fen: number;
  /** Lines that repeat an earlier settlement (a re-import): nothing changed for them. */
  unchanged: number;
  run_status: RunStatus;
  /** Payments of the run still waiting for a result. */
  outstanding: number;
  /** Said when the file had no amount_yuan column: amounts were not checked against the run. */
  warnings?: string[];
}

export interface SettlementProblem {
  line: number;
  award_id?: string;
  code: 'INVALID_RESULTS' | 'NOT_IN_RUN' | 'CONTRADICTS_SETTLEMENT' | 'AMOUNT_MISMATCH';
  message: string;
}

/** Reads the results file; called twice (check, then apply), so the file is never held in memory. */
export type ResultRows = () => AsyncIterable<CsvRow>;

/** A results file on disk: award_id and status are required columns, reference and reason optional. */
export function resultRowsFromFile(file: string): ResultRows {
  const [awardId, status, ...optional] = SETTLEMENT_COLUMNS;
  return () => readCsvFile(file, { columns: [awardId, status], optional: [...optional, SETTLEMENT_AMOUNT_COLUMN] });
}

const LOOKUP_CHUNK = 400;
const MAX_PROBLEMS_REPORTED = 100;
const MAX_ATTEMPTS = 30;

/**
 * `run settle`: import the bank's results for an exported run (rules in domain/settlement.ts).
 *
 * Two passes over the file. The first checks every line (format, the award is a payment of this
 * run, no contradiction with an earlier settlement or within the file) and refuses the whole file
 * if anything is wrong, so nothing is applied. The second applies the new lines, a few payments of
 * one envelope per transaction: award status, run item and envelope figures move together. A
 * re-import finds every line settled already and changes nothing. If the process stops during the
 * second pass, importing the same file again completes it. Memory: the award ids of the file (to
 * spot repeats within it), never the file's lines or the run's items.
 */
export async function settleRun(deps: SettleDeps, cmd: { run_id: string; rows: ResultRows; by?: string }): Promise<SettleResult> {
  const runId = checkRunId(cmd.run_id);
  const by = cmd.by === undefined ? 'bank results import' : checkActor(cmd.by);
  const run = await deps.runs.getRun(runId);
  if (!run) throw new NotFoundError('run', runId);
  checkSettleable(run);

  const { first: firstLine, amountsChecked } = await checkFile(deps.runs, runId, cmd.rows);

  const now = deps.clock.now();
  const month = periodOf(shanghaiDate(new Date(now)));
  const result = { paid: 0, failed: 0, paid_fen: 0, failed_fen: 0, unchanged: 0 };
  for await (const lines of chunksOf(parsedLines(cmd.rows), LOOKUP_CHUNK)) {
    const fresh = lines.filter(({ lineNo, line }) => firstLine.get(line.award_id)?.line === lineNo);
    result.unchanged += lines.length - fresh.length; // identical repeats within the file
    const items = await deps.runs.getRunItemsByAward(runId, fresh.map(({ line }) => line.award_id));
    const byEnvelope = new Map<string, { key: EnvelopeKey; entries: SettleEntry[] }>();
    for (const { line } of fresh) {
      const item = items.get(line.award_id);
      if (!item) throw new BursarError('NOT_IN_RUN', `award ${line.award_id} is not a payment of ${runId} (did the file change during the import?)`, { run_id: runId });
      if (item.outcome !== undefined) { result.unchanged++; continue; } // checked in the first pass: a repeat
      const key = { measure: item.measure, fiscal_year: item.fiscal_year };
      const group = byEnvelope.get(envelopeLabel(key)) ?? { key, entries: [] };
      group.entries.push({ award_id: line.award_id, amount_fen: item.amount_fen, outcome: line.outcome, reference: line.reference, reason: line.reason });
      byEnvelope.set(envelopeLabel(key), group);
    }
    // Envelopes share no item (each has its own paid-month counter), so their writes go side by side.
    const appliedPerEnvelope = await Promise.all([...byEnvelope.values()].map(({ key, entries }) => applyEntries(deps.runs, runId, key, entries, month, now, by)));
    [...byEnvelope.values()].forEach(({ entries }, i) => {
      const applied = appliedPerEnvelope[i]!;
      for (const e of applied) {
        if (e.outcome === 'PAID') { result.paid++; result.paid_fen += e.amount_fen; } else { result.failed++; result.failed_fen += e.amount_fen; }
      }
      result.unchanged += entries.length - applied.length;
    });
  }

  const totals = await deps.runs.readSettlementTotals(runId);
  await deps.runs.recordSettlement(runId, totals, deps.clock.now());
  const after = await deps.runs.getRun(runId);
  // Status and outstanding from one read of the run: an import running alongside may have settled
  // more (and the run) since this one read its totals; the header keeps the latest figures.
  const outstanding = after?.paid_count !== undefined
    ? after.award_count - after.paid_count - (after.failed_count ?? 0)
    : totals.item_count - totals.paid_count - totals.failed_count;
  return {
    run_id: runId,
    ...result,
    run_status: after?.status ?? run.status,
    outstanding,
    ...(amountsChecked ? {} : { warnings: [`the results file has no ${SETTLEMENT_AMOUNT_COLUMN} column: amounts were not checked against the run`] }),
  };
}

interface NumberedLine {
  lineNo: number;
  line: SettlementLine;
}

/** Pass one: refuse the file if any line is malformed, not in the run, or contradicts a settlement. */
async function checkFile(runs: RunStore, runId: string, rows: ResultRows): Promise<{ first: Map<string, { line: number }>; amountsChecked: boolean }> {
  let amountsChecked = true;
  const problems: SettlementProblem[] = [];
  let problemCount = 0;
  const report = (p: SettlementProblem) => { problemCount++; if (problems.length < MAX_PROBLEMS_REPORTED) problems.push(p); };
  const first = new Map<string, { line: number; fingerprint: string }>(); // award id → the line that counts

  const pending: NumberedLine[] = [];
  const lookUp = async () => {
    const items = await runs.getRunItemsByAward(runId, pending.map((p) => p.line.award_id));
    for (const { lineNo, line } of pending) {
      const item = items.get(line.award_id);
      if (!item) {
        report({ line: lineNo, award_id: line.award_id, code: 'NOT_IN_RUN', message: `award ${line.award_id} is not a payment of ${runId}` });
      } else if (line.amount_fen !== undefined && line.amount_fen !== item.amount_fen) {
        report({ line: lineNo, award_id: line.award_id, code: 'AMOUNT_MISMATCH', message: `award ${line.award_id}: the file says ${formatYuan(line.amount_fen)} yuan, the run pays ${formatYuan(item.amount_fen)}` });
      } else if (classifyLine(line, item) === 'contradiction') {
        report({ line: lineNo, award_id: line.award_id, code: 'CONTRADICTS_SETTLEMENT', message: contradiction(line, item) });
      }
    }
    pending.length = 0;
  };

  for await (const row of rows()) {
    if (row.kind === 'error') { report({ line: row.line, code: 'INVALID_RESULTS', message: row.message }); continue; }
    if (row.fields[SETTLEMENT_AMOUNT_COLUMN] === undefined) amountsChecked = false;
    const parsed = parseSettlementLine(row.fields);
    if (!parsed.ok) { report({ line: row.line, code: 'INVALID_RESULTS', message: `${parsed.field}: ${parsed.message}` }); continue; }
    const { line } = parsed;
    const earlier = first.get(line.award_id);
    if (earlier !== undefined) {
      if (earlier.fingerprint !== lineFingerprint(line)) {
        report({ line: row.line, award_id: line.award_id, code: 'CONTRADICTS_SETTLEMENT', message: `award ${line.award_id} has a different result on line ${earlier.line}` });
      }
      continue;
    }
    first.set(line.award_id, { line: row.line, fingerprint: lineFingerprint(line) });
    pending.push({ lineNo: row.line, line });
    if (pending.length >= LOOKUP_CHUNK) await lookUp();
  }
  if (pending.length > 0) await lookUp();

  if (problemCount > 0) {
    const order = ['INVALID_RESULTS', 'AMOUNT_MISMATCH', 'NOT_IN_RUN', 'CONTRADICTS_SETTLEMENT'] as const;
    const code = order.find((c) => problems.some((p) => p.code === c)) ?? 'INVALID_RESULTS';
    const shown = problems.slice(0, 3).map((p) => `line ${p.line}: ${p.message}`).join('; ');
    throw new BursarError(code, `results file refused, nothing applied: ${problemCount} problem(s) — ${shown}${problemCount > 3 ? '; …' : ''}`, {
      run_id: runId, problem_count: problemCount, problems,
    });
  }
  return { first, amountsChecked };
}

function contradiction(line: SettlementLine, item: StoredRunItem): string {
  const was = `${item.outcome}${item.reference ? ` (reference ${item.reference})` : ''}`;
  const now = `${line.outcome}${line.reference ? ` (reference ${line.reference})` : ''}`;
  return `award ${line.award_id} was settled ${was} on ${item.settled_at ?? 'an earlier import'}; this file says ${now}`;
}

/** Pass two: write in transactions; returns the entries this call applied (not those settled meanwhile). */
async function applyEntries(
  runs: RunStore, runId: string, key: EnvelopeKey, entries: SettleEntry[], month: string, at: string, by: string,
): Promise<SettleEntry[]> {
  const perTransaction = Math.floor((runs.maxTransactionItems - 3) / 2);
  const applied: SettleEntry[] = [];
  let queue = entries;
  for (let attempt = 0; queue.length > 0;) {
    const chunk = queue.slice(0, perTransaction);
    const result = await runs.settlePayments(runId, key, chunk, month, at, by);
    if (result.ok) {
      applied.push(...chunk);
      queue = queue.slice(chunk.length);
      attempt = 0;
      continue;
    }
    if (result.staleItems.length > 0) {
      // Settled by a concurrent import since the check: fine if it said the same, refused otherwise.
      const now = await runs.getRunItemsByAward(runId, result.staleItems);
      for (const id of result.staleItems) {
        const entry = chunk.find((e) => e.award_id === id)!;
        const item = now.get(id);
        if (!item || !sameSettlement(entry, item)) {
          throw new BursarError('CONCURRENT_SETTLEMENT', `award ${id} was settled differently by another import while this one ran; part of this file may be applied — check the run and import again`, { run_id: runId, award_id: id });
        }
      }
      const stale = new Set(result.staleItems);
      queue = queue.filter((e) => !stale.has(e.award_id));
      continue;
    }
    if (result.runClosed && !result.collided) {
      throw new TransientError(`${runId}: a payment file of this run is being written; import the results again when it has finished`);
    }
    if (result.staleAwards.length > 0) {
      throw new BursarError('RUN_INCONSISTENT', `award ${result.staleAwards[0]} is not BATCHED in ${runId} although its payment is unsettled; run reconciliation`, { run_id: runId, award_ids: result.staleAwards });
    }
    if (result.envelopeShort && !result.collided) {
      throw new BursarError('ENVELOPE_INCONSISTENT', `${envelopeLabel(key)}: the envelope holds less batched money than the payments being settled; run reconciliation`, { ...key });
    }
    if (++attempt > MAX_ATTEMPTS) throw new TransientError(`${runId}: too much contention while settling; import the file again`);
    await backoff(attempt);
  }
  return applied;
}

async function* parsedLines(rows: ResultRows): AsyncIterable<NumberedLine> {
  for await (const row of rows()) {
    if (row.kind !== 'record') continue; // the first pass refused any file with such rows
    const parsed = parseSettlementLine(row.fields);
    if (parsed.ok) yield { lineNo: row.line, line: parsed.line };
  }
}

async function* chunksOf<T>(source: AsyncIterable<T>, size: number): AsyncIterable<T[]> {
  let chunk: T[] = [];
  for await (const item of source) {
    chunk.push(item);
    if (chunk.length >= size) { yield chunk; chunk = []; }
  }
  if (chunk.length > 0) yield chunk;
}
