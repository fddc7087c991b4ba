/**
 * Money in the console: integer fen from the API, shown as yuan "1,234,567.89". Formatting goes
 * through BigInt and string arithmetic only, never floating point, so any safe-integer amount (and
 * any larger integer given as a string or bigint) prints exactly. Amounts typed in are sent on as
 * yuan strings; the server parses them (this module only pre-checks the shape for the form).
 */

export type FenLike = number | bigint | string;

function toBigInt(fen: FenLike): bigint {
  if (typeof fen === 'bigint') return fen;
  if (typeof fen === 'number') {
    if (!Number.isSafeInteger(fen)) throw new RangeError(`not an integer amount of fen: ${fen}`);
    return BigInt(fen);
  }
  if (!/^-?[0-9]+$/.test(fen)) throw new RangeError(`not an integer amount of fen: ${JSON.stringify(fen)}`);
  return BigInt(fen);
}

/** Groups an unsigned string of digits by thousands: "1234567" -> "1,234,567". */
function groupThousands(digits: string): string {
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return out;
}

/** 123456789 fen -> "1,234,567.89"; -5 -> "-0.05". */
export function formatFen(fen: FenLike): string {
  const value = toBigInt(fen);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const yuan = (abs / 100n).toString();
  const cents = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${groupThousands(yuan)}.${cents}`;
}

/** Sum of integer fen amounts, exact (BigInt). */
export function sumFen(values: Iterable<FenLike>): bigint {
  let total = 0n;
  for (const v of values) total += toBigInt(v);
  return total;
}

/**
 * part / whole as a percentage with two decimals ("85.23%"), rounded half up, from integers only;
 * "-" when the whole is zero.
 */
export function formatShare(part: FenLike, whole: FenLike): string {
  const bp = basisPoints(part, whole);
  if (bp === null) return '-';
  const negative = bp < 0n;
  const abs = negative ? -bp : bp;
  return `${negative ? '-' : ''}${(abs / 100n).toString()}.${(abs % 100n).toString().padStart(2, '0')}%`;
}

/** part / whole in basis points (1/100 of a percent), half up; null when whole <= 0. */
export function basisPoints(part: FenLike, whole: FenLike): bigint | null {
  const p = toBigInt(part);
  const w = toBigInt(whole);
  if (w <= 0n) return null;
  const scaled = p * 20000n + (p >= 0n ? w : -w);
  return scaled / (2n * w);
}

/** An execution rate as the API gives it (0.8523 = 85.23%, 4 decimals) -> "85.23%"; "-" for null. */
export function formatRate(rate: number | null): string {
  if (rate === null) return '-';
  // The API's rate has at most 4 decimals; take its digits from the decimal string, not by multiplying.
  const [int = '0', frac = ''] = Math.abs(rate).toFixed(4).split('.');
  const bp = BigInt(int) * 10000n + BigInt(frac.padEnd(4, '0').slice(0, 4));
  return `${rate < 0 ? '-' : ''}${(bp / 100n).toString()}.${(bp % 100n).toString().padStart(2, '0')}%`;
}

// The same shape the server accepts (shared/domain/money.ts): no sign, separators or exponent.
const YUAN_PATTERN = /^(0|[1-9][0-9]{0,13})(?:\.[0-9]{1,2})?$/;

/** Whether `text` is a yuan amount the server will take ("9000", "9000.5", "9000.00"). */
export function isYuanText(text: string): boolean {
  return YUAN_PATTERN.test(text);
}

/** "9000.5" -> "9000.50": the form sends the amount exactly as typed, only padded to two decimals. */
export function normalizeYuanText(text: string): string {
  const [int, frac = ''] = text.split('.');
  return `${int}.${frac.padEnd(2, '0')}`;
}
