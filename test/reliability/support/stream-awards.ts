/**
 * Child process for large-input.test.ts: streams an award file through the CLI's reading path
 * (readCsvFile with the award columns, then validateAwardRecord) and prints one JSON summary with
 * the process's peak memory, so the test can check that memory does not grow with the file.
 *
 *   node --import tsx stream-awards.ts FILE.csv VALIDATE_EVERY
 *
 * Every record is read and checked for shape and encoding; validateAwardRecord runs on every
 * VALIDATE_EVERY-th line only: at ~25 µs a record, validating all million would add ~25 s to the
 * suite for no more evidence about memory.
 */
import { readFileSync } from 'node:fs';
import { readCsvFile } from '../../../shared/csv/read-csv-records.ts';
import { AWARD_COLUMNS, OPTIONAL_AWARD_COLUMNS } from '../../../shared/domain/award.ts';
import { validateAwardRecord } from '../../../shared/domain/award-record.ts';

const [file, every = '10'] = process.argv.slice(2);
if (!file) throw new Error('usage: stream-awards.ts FILE.csv [VALIDATE_EVERY]');
const validateEvery = Number(every);
/**
 * This process's peak resident memory. Linux's VmHWM belongs to the process's own address space
 * (reset by exec); getrusage's maxRSS is not: it carries over the RSS of the parent at fork, so a
 * child of a large jest process would report the parent's size.
 */
const peakRssMb = (): number => {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]) / 1024;
  } catch { /* not Linux */ }
  return process.resourceUsage().maxRSS / 1024;
};

const started = Date.now();
let rows = 0;
let records = 0;
let validated = 0;
const readErrors: { line: number; field?: string; message: string }[] = [];
const invalid: { line: number; fields: string[] }[] = [];
let rssAt100k = 0;
for await (const row of readCsvFile(file, { columns: AWARD_COLUMNS.filter((c) => !OPTIONAL_AWARD_COLUMNS.includes(c)), optional: OPTIONAL_AWARD_COLUMNS })) {
  rows++;
  if (rows === 100_000) rssAt100k = peakRssMb();
  if (row.kind === 'error') {
    readErrors.push({ line: row.line, ...(row.field ? { field: row.field } : {}), message: row.message.slice(0, 200) });
    continue;
  }
  records++;
  if (row.line % validateEvery === 0) {
    validated++;
    const checked = validateAwardRecord(row.fields);
    if (!checked.ok) invalid.push({ line: row.line, fields: checked.errors.map((e) => e.field) });
  }
}
process.stdout.write(JSON.stringify({
  rows, records, validated, readErrors, invalid,
  ms: Date.now() - started,
  peakRssMb: peakRssMb(),
  rssAt100kMb: rssAt100k,
  heapUsedMb: process.memoryUsage().heapUsed / 1e6,
}));
