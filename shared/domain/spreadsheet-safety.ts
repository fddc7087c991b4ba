/**
 * CSV/formula injection: a spreadsheet runs a cell whose text starts with '=', '+', '-' or '@' as a
 * formula (and some also after a leading tab or carriage return). Every text field Bursar writes to
 * a CSV or XLSX file goes through `neutraliseFormula`, which prefixes such text with an apostrophe,
 * so it is shown as the literal text and never evaluated. Amounts and ids are not text fields:
 * amounts are formatted by formatYuan (never negative here) and ids match a plain pattern.
 */
// The full-width forms too: Chinese input methods type them, and some spreadsheet versions read
// them as the ASCII operator.
const FORMULA_TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠']);

export function startsLikeFormula(text: string): boolean {
  return text.length > 0 && FORMULA_TRIGGERS.has(text[0]!);
}

export function neutraliseFormula(text: string): string {
  return startsLikeFormula(text) ? `'${text}` : text;
}
