/**
 * Writing CSV, with csv-stringify (the writer of the csv-parse family we read with): RFC 4180 —
 * fields separated by commas, records ended by CRLF, a field quoted when it holds a comma, a quote
 * or a line break, with quotes doubled inside — plus quoting for leading or trailing whitespace, so
 * a reader that trims keeps it. Files for people start with a UTF-8 byte order mark, without which
 * Excel shows Chinese as mojibake. (Quoting only: formula neutralising is a separate step, see
 * spreadsheet-safety.ts.)
 */
import { stringify as stringifyStream, type Options, type Stringifier } from 'csv-stringify';
import { stringify } from 'csv-stringify/sync';

export const UTF8_BOM = '\ufeff';

/** The one set of options every CSV Bursar writes uses. */
export const CSV_OPTIONS = {
  delimiter: ',',
  quote: '"',
  escape: '"',
  record_delimiter: 'windows',
  // Quote a field holding a lone LF or CR too. csv-stringify only does that by default when no
  // record_delimiter is given; with CRLF chosen it would write 'a\nb' bare, which readers split.
  quote_record_delimiter: true,
  quoted_match: /^\s|\s$/,
  eof: true,
} as const satisfies Options;

/** One record, CRLF-terminated. */
export function csvRecord(values: readonly string[]): string {
  return stringify([values], CSV_OPTIONS);
}

/** Whole records as text (small files: the summary), optionally starting with the BOM. */
export function csvText(records: Iterable<readonly string[]>, options: { bom?: boolean } = {}): string {
  return stringify([...records], { ...CSV_OPTIONS, bom: options.bom ?? false });
}

/** A streaming writer: write records (string arrays) in, CSV bytes out (BOM first when asked). */
export function csvStream(options: { bom?: boolean } = {}): Stringifier {
  return stringifyStream({ ...CSV_OPTIONS, bom: options.bom ?? false });
}
