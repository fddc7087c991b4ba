/**
 * Streaming reader for Bursar's CSV inputs (awards, budgets, schemes, settlement results).
 *
 * Contract: the header is checked up front (a bad file throws ValidationError); after that every
 * non-blank record in the file yields exactly one row, either `record` or `error`, in file order.
 * `line` is the physical line a record starts on, the header being line 1 (blank lines, skipped
 * anywhere, still count).
 * Nothing is dropped without a row saying so: when parsing cannot safely continue, the last row is
 * an error saying from which line the rest of the file was not read.
 *
 * How it works, and why:
 * - Encoding is checked per field, not per file, so one GBK-encoded line is reported on its own
 *   line while the others still come through. csv-parse runs with `encoding: 'latin1'`, which maps
 *   each byte to one character and back losslessly, so it splits the raw bytes into fields; each
 *   field is then turned back into bytes and decoded with a fatal UTF-8 decoder. Splitting bytes
 *   before decoding is safe because the bytes that matter to CSV (, " CR LF) are ASCII and never
 *   occur inside a UTF-8 multi-byte sequence (or a GBK one: its trail bytes are >= 0x40). Using
 *   latin1 rather than `encoding: null` keeps csv-parse's `max_record_size` counting the whole
 *   record (it only counts string fields), which is what bounds memory on an unclosed quote.
 * - Line breaks (CRLF, LF, or a lone CR, as text editors count them) are normalised to LF before
 *   parsing. csv-parse counts CR and LF inside quoted values as separate lines, so without this
 *   its line numbers drift after a quoted CRLF. A side effect: line breaks inside quoted values
 *   come out as '\n'.
 * - A record's line is where it starts: csv-parse's `info.lines` is where it ends, minus the line
 *   breaks inside its (quoted) values.
 * - Records csv-parse rejects (bad quotes, oversized) are reported through `on_skip`, which pushes
 *   a marker into the same stream so it arrives in order with the records.
 * - Before csv-parse, RecordSizeGuard caps bytes per physical line and fields per record (csv-parse
 *   counts neither delimiters nor fields, so a line of commas would otherwise become millions of
 *   fields); a record over a cap is reported on its line and skipped, and reading goes on.
 */
import { createReadStream } from 'node:fs';
import { Readable, pipeline } from 'node:stream';
import { Parser, type CsvError, type Info } from 'csv-parse';
import { ValidationError } from '../domain/errors.ts';
import { RecordSizeGuard, type OversizedRecord } from './record-size-guard.ts';

export type CsvRow =
  | { kind: 'record'; line: number; fields: Record<string, string> }
  | { kind: 'error'; line: number; field?: string; message: string };

export interface CsvSpec {
  /** Columns the header must contain, matched exactly (case-sensitive) after trimming. */
  columns: readonly string[];
  /** Columns the header may contain; when absent they are absent from `fields` too. */
  optional?: readonly string[];
  /** A longer value (in UTF-16 code units) gives an error row; default 10,000. */
  maxFieldChars?: number;
  /**
   * Hard cap on one record's size in bytes (default 32 MiB, or more if maxFieldChars needs it).
   * Exceeding it, usually because a quote was never closed, stops the read. This bounds memory;
   * it is set well above any real record so that an oversized field (a 10 MB paste) is reported as
   * a too-long field on its own line and the rest of the file is still read.
   */
  maxRecordBytes?: number;
  /**
   * Bytes one physical line may have (default 1 MiB, or 4 bytes per character of maxFieldChars in
   * every column if more, but at most maxRecordBytes). A longer line gets an error row for its
   * record (naming the field it was in), the record is skipped without being held in memory, and
   * reading goes on with the next record.
   */
  maxLineBytes?: number;
  /**
   * Fields one record may have (default 64, or 4 per column if more). A record with more gets an
   * error row and is skipped without being split; below the cap a wrong count gets the exact one.
   */
  maxFields?: number;
}

export type CsvInput = AsyncIterable<Uint8Array> | Readable;

export const DEFAULT_MAX_FIELD_CHARS = 10_000;
export const DEFAULT_MAX_RECORD_BYTES = 32 << 20;
export const DEFAULT_MAX_FIELDS = 64;
export const DEFAULT_MAX_LINE_BYTES = 1 << 20;

/** Read `path` as a stream; see `readCsvRecords`. */
export function readCsvFile(path: string, spec: CsvSpec): AsyncGenerator<CsvRow> {
  return readCsvRecords(createReadStream(path), spec);
}

export async function* readCsvRecords(input: CsvInput, spec: CsvSpec): AsyncGenerator<CsvRow> {
  const maxFieldChars = spec.maxFieldChars ?? DEFAULT_MAX_FIELD_CHARS;
  const columnCount = spec.columns.length + (spec.optional?.length ?? 0);
  // A UTF-16 code unit takes at most 3 bytes of UTF-8, so full-length fields always fit.
  const maxRecordBytes = spec.maxRecordBytes ?? Math.max(DEFAULT_MAX_RECORD_BYTES, 3 * maxFieldChars * columnCount);
  const maxLineBytes = spec.maxLineBytes ?? Math.min(maxRecordBytes, Math.max(DEFAULT_MAX_LINE_BYTES, 4 * maxFieldChars * columnCount));
  const maxFields = spec.maxFields ?? Math.max(DEFAULT_MAX_FIELDS, 4 * columnCount);
  const guard = new RecordSizeGuard({ maxLineBytes, maxFields });
  const parser: Parser = new Parser({
    encoding: 'latin1',
    bom: false, // stripped in normalizeBytes: csv-parse would switch to utf8 decoding on seeing one
    record_delimiter: '\n', // the only line break left after normalizeBytes
    relax_column_count: true, // ragged rows come through and are reported below, with our message
    skip_records_with_error: true, // bad quotes are reported through on_skip, parsing goes on
    skip_empty_lines: false, // blank lines come through as records and are skipped below, so
    // csv-parse's raw buffer is reset at every line and `raw` on a skipped record is just that record
    max_record_size: maxRecordBytes,
    info: true,
    raw: true,
    on_skip: (err, raw) => {
      parser.push(new Skipped(err, parser.info.lines, raw ?? ''));
      return undefined;
    },
  });
  // Errors from the input (or normalizeBytes) destroy the parser and surface from the loop below;
  // leaving the loop early destroys the parser, and pipeline then closes the input.
  pipeline(Readable.from(guard.filter(normalizeBytes(input))), parser, () => {});
  const oversizedRow = (line: number): CsvRow | undefined => {
    const cut = guard.oversized.get(line);
    if (cut === undefined) return undefined;
    guard.oversized.delete(line);
    const column = cut.reason === 'line-bytes' ? header?.[cut.fieldIndex] : undefined;
    const message = oversizedMessage(cut, line, maxLineBytes, maxFields, header?.length ?? columnCount, column);
    if (header === undefined) throw new ValidationError('BAD_HEADER', `the header row (line ${line}) ${message}`, { line });
    return { kind: 'error', line, ...(column === undefined ? {} : { field: column }), message: `line ${line} ${message}` };
  };

  let header: string[] | undefined;
  let lastSkippedLine = 0;
  for await (const item of parser as AsyncIterable<Skipped | Parsed>) {
    if (item instanceof Skipped) {
      const line = item.lines - innerLineBreaks(item.raw);
      const cut = oversizedRow(line);
      if (cut !== undefined) {
        lastSkippedLine = line;
        yield cut;
        continue;
      }
      if (header === undefined) {
        const message = `the header row (line ${line}) could not be parsed as CSV: ${item.message}`;
        throw new ValidationError('BAD_HEADER', message, { line });
      }
      const column = item.column === undefined ? undefined : header[item.column];
      const field = column === undefined ? {} : { field: column };
      if (item.code === 'INVALID_OPENING_QUOTE') {
        // The quote is kept as a plain character and the record ends at its own line end, so the
        // rest of the file is unaffected. One report per record (a record can have several).
        if (line !== lastSkippedLine) {
          lastSkippedLine = line;
          yield { kind: 'error', line, ...field, message: STRAY_QUOTE };
        }
        continue;
      }
      // Anything else leaves csv-parse inside a quoted value or with a truncated buffer: records
      // after this point cannot be trusted, so stop and say exactly what was not read.
      const message = `${fatalReason(item, maxRecordBytes)}; the rest of the file from line ${line} was not read`;
      yield { kind: 'error', line, ...field, message };
      return;
    }

    const values = item.record;
    const line = item.info.lines - values.reduce((n, v) => n + countLineFeeds(v), 0);
    const cut = oversizedRow(line);
    if (cut !== undefined) {
      yield cut;
      continue;
    }
    if (values.length === 1 && /^[ \t]*$/.test(values[0] ?? '')) continue; // blank line
    if (header === undefined) {
      header = checkHeader(values, line, spec);
      continue;
    }
    yield toRow(values, line, header, maxFieldChars);
  }
  if (guard.unclosedAt !== undefined && header !== undefined) {
    const line = guard.unclosedAt;
    yield { kind: 'error', line, message: `a quoted value is never closed; the rest of the file from line ${line} was not read` };
    return;
  }
  if (header === undefined) {
    throw new ValidationError('EMPTY_FILE', 'the file is empty: expected a header row', {});
  }
}

const STRAY_QUOTE =
  'a quote appears inside an unquoted value; enclose the whole value in quotes and double any quote inside it';

/** What csv-parse pushes with `info` and `raw` on. */
interface Parsed {
  record: string[];
  raw: string;
  info: Info;
}

/** A record csv-parse rejected, as reported to on_skip. */
class Skipped {
  readonly code: string;
  readonly message: string;
  /** Line csv-parse was on when it gave up. */
  readonly lines: number;
  /** Index of the field it was in. */
  readonly column: number | undefined;
  constructor(err: CsvError | undefined, fallbackLines: number, readonly raw: string) {
    this.code = err?.code ?? 'CSV_UNKNOWN_ERROR';
    this.message = err?.message ?? 'unknown error';
    this.lines = typeof err?.lines === 'number' ? err.lines : fallbackLines;
    this.column = typeof err?.column === 'number' ? err.column : undefined;
  }
}

function toRow(values: string[], line: number, header: readonly string[], maxFieldChars: number): CsvRow {
  const fields: Record<string, string> = {};
  for (const [i, raw] of values.entries()) {
    const name = header[i];
    const value = decodeUtf8(raw);
    if (value === undefined) {
      const message = `not valid UTF-8 (GBK?) in field ${name === undefined ? i + 1 : `"${name}"`}; save the file as UTF-8`;
      return { kind: 'error', line, ...(name === undefined ? {} : { field: name }), message };
    }
    if (name !== undefined) fields[name] = value;
  }
  if (values.length !== header.length) {
    const hint = values.length > header.length ? ' (a value containing a comma must be quoted)' : '';
    return { kind: 'error', line, message: `expected ${header.length} fields, one per header column, got ${values.length}${hint}` };
  }
  for (const name of header) {
    const length = fields[name]?.length ?? 0;
    if (length > maxFieldChars) {
      const message = `field "${name}" is ${length} characters long; the limit is ${maxFieldChars}`;
      return { kind: 'error', line, field: name, message };
    }
  }
  return { kind: 'record', line, fields };
}

function checkHeader(values: string[], line: number, spec: CsvSpec): string[] {
  const names = values.map((raw, i) => {
    const name = decodeUtf8(raw);
    if (name === undefined) {
      const message = `the header row (line ${line}) is not valid UTF-8 (GBK?); save the file as UTF-8`;
      throw new ValidationError('BAD_ENCODING', message, { line, column: i + 1 });
    }
    return name.trim();
  });
  const required = new Set(spec.columns);
  const known = new Set([...spec.columns, ...(spec.optional ?? [])]);
  const problems: string[] = [];
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (name === '') problems.push(`column ${i + 1} has no name`);
    else if (seen.has(name)) problems.push(`column ${quoteName(name)} appears more than once`);
    else if (!known.has(name)) problems.push(`unknown column ${quoteName(name)}`);
    seen.add(name);
  });
  const missing = [...required].filter((name) => !seen.has(name));
  if (missing.length > 0) {
    problems.push(`missing required column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}`);
  }
  if (problems.length > 0) {
    const optional = spec.optional?.length ? `; optional: ${spec.optional.join(', ')}` : '';
    throw new ValidationError(
      'BAD_HEADER',
      `the header row (line ${line}) is wrong: ${problems.join('; ')} (expected columns: ${spec.columns.join(', ')}${optional})`,
      { line, found: names.map(shortName), problems },
    );
  }
  return names;
}

/** A header cell can hold anything (a whole data row, a formula payload): never echo more than 40 characters of it. */
const MAX_NAME_SHOWN = 40;
function shortName(name: string): string {
  return name.length > MAX_NAME_SHOWN ? `${name.slice(0, MAX_NAME_SHOWN)}…` : name;
}
function quoteName(name: string): string {
  return JSON.stringify(shortName(name));
}

function oversizedMessage(cut: OversizedRecord, line: number, maxLineBytes: number, maxFields: number, columns: number, column: string | undefined): string {
  const where = [cut.physicalLine === line ? '' : `on line ${cut.physicalLine}`, column === undefined ? '' : `in field "${column}"`].filter(Boolean).join(', ');
  return cut.reason === 'line-bytes'
    ? `is longer than ${maxLineBytes} bytes${where ? ` (${where})` : ''}; it was skipped without being read`
    : `has more than ${maxFields} fields (expected ${columns}; a value containing a comma must be quoted); it was skipped without being read`;
}

function fatalReason(skipped: Skipped, maxRecordBytes: number): string {
  switch (skipped.code) {
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a quoted value is followed by other text before the next comma or line end';
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted value is never closed';
    case 'CSV_MAX_RECORD_SIZE':
      return `a record is longer than ${maxRecordBytes} bytes (a quote that is never closed?)`;
    default:
      return `the CSV could not be parsed (${skipped.message})`;
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const NON_ASCII = /[^\x00-\x7f]/;

/** `latin1` holds one byte per character; returns the UTF-8 text, or undefined if invalid. */
function decodeUtf8(latin1: string): string | undefined {
  if (!NON_ASCII.test(latin1)) return latin1; // ASCII: bytes and characters coincide
  try {
    return UTF8.decode(Buffer.from(latin1, 'latin1'));
  } catch {
    return undefined;
  }
}

function countLineFeeds(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/** Line breaks inside a (partial) record's raw text; a trailing one ends the record's last line. */
function innerLineBreaks(raw: string): number {
  return countLineFeeds(raw) - (raw.endsWith('\n') ? 1 : 0);
}

const CR = 0x0d;
const LF = 0x0a;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Bytes in, bytes out: drops a leading UTF-8 BOM, refuses UTF-16, and turns every CRLF or lone CR
 * into LF.
 */
async function* normalizeBytes(input: CsvInput): AsyncGenerator<Buffer> {
  const breaks = new LineBreakNormalizer();
  let head: Buffer | undefined = Buffer.alloc(0); // the first bytes, until the BOM check is done
  for await (const chunk of input as AsyncIterable<unknown>) {
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError('readCsvRecords needs a byte stream (Buffer chunks), not decoded text');
    }
    let bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (head !== undefined) {
      head = Buffer.concat([head, bytes]);
      if (head.length < UTF8_BOM.length) continue;
      bytes = stripBom(head);
      head = undefined;
    }
    const out = breaks.push(bytes);
    if (out.length > 0) yield out;
  }
  const rest = head === undefined ? Buffer.alloc(0) : stripBom(head); // a file shorter than a BOM
  const tail = Buffer.concat([breaks.push(rest), breaks.end()]);
  if (tail.length > 0) yield tail;
}

class LineBreakNormalizer {
  // A CR at the end of a chunk is held back until the next chunk shows whether LF follows.
  private pendingCr = false;

  push(bytes: Buffer): Buffer {
    if (bytes.length === 0) return bytes;
    const out = Buffer.allocUnsafe(bytes.length + 1);
    let n = 0;
    let i = 0;
    if (this.pendingCr) {
      out[n++] = LF;
      this.pendingCr = false;
      if (bytes[0] === LF) i = 1;
    }
    if (bytes.indexOf(CR, i) < 0) {
      n += bytes.copy(out, n, i); // the usual case for LF files
    } else {
      for (; i < bytes.length; i++) {
        const byte = bytes[i] as number;
        if (byte !== CR) {
          out[n++] = byte;
        } else if (i + 1 === bytes.length) {
          this.pendingCr = true;
        } else {
          out[n++] = LF;
          if (bytes[i + 1] === LF) i++;
        }
      }
    }
    return out.subarray(0, n);
  }

  end(): Buffer {
    const out = this.pendingCr ? Buffer.from([LF]) : Buffer.alloc(0);
    this.pendingCr = false;
    return out;
  }
}

function stripBom(head: Buffer): Buffer {
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new ValidationError('BAD_ENCODING', 'the file is UTF-16 (Excel "Unicode Text"?); save it as CSV UTF-8', {});
  }
  return head.subarray(0, UTF8_BOM.length).equals(UTF8_BOM) ? head.subarray(UTF8_BOM.length) : head;
}
