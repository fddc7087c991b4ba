/**
 * Writing CSV (RFC 4180): fields separated by commas, records ended by CRLF, a field quoted when it
 * holds a comma, a quote, a line break or leading/trailing whitespace, with quotes doubled inside.
 * Files for people start with a UTF-8 byte order mark, without which Excel shows Chinese as mojibake.
 * (Quoting only: formula neutralising is a separate step, see spreadsheet-safety.ts.)
 */
export const UTF8_BOM = '\ufeff';

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function csvRecord(values: readonly string[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}
