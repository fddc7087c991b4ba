import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { readCsvFile, type CsvRow } from '../shared/csv/read-csv-records.ts';
import { AWARD_COLUMNS, OPTIONAL_AWARD_COLUMNS, type FieldError, type IntakeOutcome } from '../shared/domain/award.ts';
import { ID_PATTERN, quoteInput, validateAwardRecord } from '../shared/domain/award-record.ts';
import { awardContentHash } from '../shared/domain/content-hash.ts';
import type { EnvelopeEvents } from '../shared/ports/envelope-events.ts';
import type { IntakeRequest } from '../shared/domain/queue-messages.ts';
import type { IntakeResult } from '../shared/services/intake.ts';
import { createIntakeHandler } from '../functions/intake/create-handler.ts';
import { runLocalQueue } from './local/local-queue.ts';
import type { Runtime } from './runtime.ts';

import { DEFAULT_INTAKE_BATCH_SIZE, DEFAULT_INTAKE_CONCURRENCY } from './intake-defaults.ts';

export { DEFAULT_INTAKE_BATCH_SIZE, DEFAULT_INTAKE_CONCURRENCY };

export type SubmitOutcome = IntakeOutcome | 'DEAD_LETTERED';

export interface SubmitLine {
  award_id?: string;
  line: number;
  outcome: SubmitOutcome;
  reason?: string;
  errors?: FieldError[];
}

export interface SubmitReport {
  submission_id: string;
  submitted: number;
  reserved: number;
  waitlisted: number;
  rejected: number;
  /** Issue 14: awards that wait for a person (`bursar holds list`). */
  held: number;
  duplicates: number;
  conflicts: number;
  invalid: number;
  dead_lettered: number;
  results: SubmitLine[];
}

export interface SubmitOptions {
  batchSize?: number;
  concurrency?: number;
  maxReceiveCount?: number;
  events?: EnvelopeEvents;
  onProgress?: (done: number) => void;
  /**
   * Decide a well-formed row before intake (the API refuses a bureau user's records approved by
   * another unit this way); undefined lets the row through.
   */
  screen?: (row: Extract<CsvRow, { kind: 'record' }>) => SubmitLine | undefined;
}

/** What submitting needs of the store: the CLI's Runtime or the API server's wiring. */
export type SubmitRuntime = Pick<Runtime, 'ledger' | 'clock' | 'deadLetters'>;

/** The award file's columns, as `awards submit` and POST /api/v1/submissions read them. */
export const AWARD_FILE_SPEC = {
  columns: AWARD_COLUMNS.filter((c) => !OPTIONAL_AWARD_COLUMNS.includes(c)),
  optional: OPTIONAL_AWARD_COLUMNS,
};

/**
 * `bursar awards submit`: read an award file and feed every record through the real intake handler
 * by way of the local queue, as SQS and Lambda would in AWS. Rows the file itself breaks (bad CSV,
 * bad encoding) and repeats of an award_id earlier in the same file are decided here; every other
 * record is decided by the handler. Each line of the file gets exactly one result.
 */
export async function submitAwardFile(runtime: Runtime, file: string, options: SubmitOptions = {}): Promise<SubmitReport> {
  return submitAwardRows(runtime, readCsvFile(file, AWARD_FILE_SPEC), options);
}

/** `submitAwardFile` over rows already being read (a file, or an HTTP request body). */
export async function submitAwardRows(runtime: SubmitRuntime, rows: AsyncIterable<CsvRow>, options: SubmitOptions = {}): Promise<SubmitReport> {
  const submissionId = randomUUID();
  const byLine = new Map<number, SubmitLine>();
  const firstSeen = new Map<string, { line: number; fingerprint: string }>();

  async function* messages(): AsyncIterable<string> {
    for await (const row of rows) {
      const decided = decideInFile(row, firstSeen) ?? (row.kind === 'record' ? options.screen?.(row) : undefined);
      if (decided) {
        byLine.set(decided.line, decided);
        options.onProgress?.(1);
        continue;
      }
      if (row.kind !== 'record') continue;
      const request: IntakeRequest = { submission_id: submissionId, line: row.line, record: row.fields };
      yield JSON.stringify(request);
    }
  }

  const lineOfMessage = new Map<string, number>();
  const handler = createIntakeHandler({
    ledger: runtime.ledger,
    clock: runtime.clock,
    ...(options.events ? { events: options.events } : {}),
    logger: new Logger({ serviceName: 'bursar-intake' }),
    metrics: new Metrics({ serviceName: 'bursar-intake', namespace: 'Bursar' }),
    onResult: (messageId: string, result: IntakeResult) => {
      lineOfMessage.set(messageId, result.line);
      byLine.set(result.line, result);
    },
  });

  await runLocalQueue(messages(), handler, {
    name: 'intake',
    batchSize: options.batchSize ?? DEFAULT_INTAKE_BATCH_SIZE,
    concurrency: options.concurrency ?? DEFAULT_INTAKE_CONCURRENCY,
    maxReceiveCount: options.maxReceiveCount ?? 5,
    retryDelayMs: 50,
    onProgress: (n) => options.onProgress?.(n),
    onDeadLetter: async (letter) => {
      await runtime.deadLetters.add(letter);
      const request = JSON.parse(letter.body) as IntakeRequest;
      const awardId = request.record.award_id?.trim();
      byLine.set(request.line, {
        ...(awardId && ID_PATTERN.test(awardId) ? { award_id: awardId } : {}),
        line: request.line,
        outcome: 'DEAD_LETTERED',
        reason: `gave up after ${letter.receiveCount} deliveries: ${letter.lastError}`,
      });
    },
  });

  const results = [...byLine.values()].sort((a, b) => a.line - b.line);
  const count = (o: SubmitOutcome) => results.filter((r) => r.outcome === o).length;
  return {
    submission_id: submissionId,
    submitted: results.length,
    reserved: count('RESERVED'),
    waitlisted: count('WAITLISTED'),
    rejected: count('REJECTED'),
    held: count('HELD'),
    duplicates: count('DUPLICATE'),
    conflicts: count('CONFLICT'),
    invalid: count('INVALID'),
    dead_lettered: count('DEAD_LETTERED'),
    results,
  };
}

/**
 * Decide a row without the handler when the file itself settles it: a row the CSV reader could not
 * read is INVALID; a repeat of an award_id seen earlier in this file is a DUPLICATE of the first
 * occurrence when it means the same award, else a CONFLICT (the first one counts).
 */
function decideInFile(row: CsvRow, firstSeen: Map<string, { line: number; fingerprint: string }>): SubmitLine | undefined {
  if (row.kind === 'error') {
    return { line: row.line, outcome: 'INVALID', reason: 'INVALID_RECORD', errors: [{ field: row.field ?? 'record', message: row.message }] };
  }
  const awardId = row.fields['award_id']?.trim();
  if (!awardId) return undefined; // the handler reports the missing field
  const checked = validateAwardRecord(row.fields);
  const fingerprint = checked.ok ? awardContentHash(checked.record) : JSON.stringify(Object.values(row.fields).map((v) => v.trim()));
  const first = firstSeen.get(awardId);
  if (!first) {
    firstSeen.set(awardId, { line: row.line, fingerprint });
    return undefined;
  }
  // A malformed award_id (possibly a long hostile value) is not echoed: no award_id, a short quote.
  const named = ID_PATTERN.test(awardId) ? { award_id: awardId } : {};
  const label = ID_PATTERN.test(awardId) ? awardId : quoteInput(awardId);
  if (first.fingerprint === fingerprint) {
    return { ...named, line: row.line, outcome: 'DUPLICATE', reason: `repeats line ${first.line} of this file` };
  }
  return {
    ...named, line: row.line, outcome: 'CONFLICT', reason: 'CONFLICT',
    errors: [{ field: 'award_id', message: `award ${label} appears on line ${first.line} of this file with different content; line ${first.line} counts` }],
  };
}
