/**
 * Money is carried as integer fen (分; 1 yuan = 100 fen) in a plain `number`. Every value must be
 * a safe integer (|n| <= Number.MAX_SAFE_INTEGER, about 90 trillion yuan), so adding and comparing
 * amounts is exact. Yuan text is converted by splitting the digits, never through parseFloat: a
 * float cannot represent most decimal fractions (0.1 + 0.2 !== 0.3).
 */
export type Fen = number;

export type ParseYuanResult = { ok: true; fen: Fen } | { ok: false; message: string };

export interface ParseYuanOptions {
  /** Accept 0 (budgets may legitimately be zero); awards must be positive. */
  allowZero?: boolean;
  /** What the value is called in messages; default "amount". */
  label?: string;
}

// Integer part without leading zeros ("0" alone is fine), then optionally '.' and 1–2 digits.
// Character classes are ASCII-only on purpose: full-width digits (０-９) are rejected.
const YUAN_PATTERN = /^(0|[1-9][0-9]*)(?:\.([0-9]{1,2}))?$/;

// Number.MAX_SAFE_INTEGER fen is 90,071,992,547,409.91 yuan: 14 integer digits. Longer integer
// parts are rejected before building a BigInt from a possibly enormous string.
const MAX_INTEGER_DIGITS = 14;

/**
 * Parse a yuan amount such as "1234.5" or "0.50" into fen. Strict by design: no sign, exponent,
 * thousands separator, currency symbol or surrounding whitespace, and no ".5" / "5." / "007".
 */
export function parseYuan(text: string, options: ParseYuanOptions = {}): ParseYuanResult {
  const label = options.label ?? 'amount';
  const kind = options.allowZero ? 'non-negative' : 'positive';
  const match = YUAN_PATTERN.exec(text);
  if (!match) {
    return fail(`${label} must be a ${kind} yuan amount with at most 2 decimals, got ${quoteForMessage(text)}`);
  }
  const integerPart = match[1] ?? '';
  const fractionPart = (match[2] ?? '').padEnd(2, '0');
  if (integerPart.length > MAX_INTEGER_DIGITS) return fail(tooLarge(label, text));
  // BigInt keeps the check exact right up to the limit.
  const fen = BigInt(integerPart) * 100n + BigInt(fractionPart);
  if (fen > BigInt(Number.MAX_SAFE_INTEGER)) return fail(tooLarge(label, text));
  if (fen === 0n && !options.allowZero) {
    return fail(`${label} must be greater than 0, got ${quoteForMessage(text)}`);
  }
  return { ok: true, fen: Number(fen) };
}

/** `parseYuan` that also accepts zero, for budgets. */
export function parseYuanAllowZero(text: string, options: Omit<ParseYuanOptions, 'allowZero'> = {}): ParseYuanResult {
  return parseYuan(text, { ...options, allowZero: true });
}

/** '1234.50' (no grouping; machine-readable, round-trips through parseYuan when positive). */
export function formatYuan(fen: Fen): string {
  const { sign, yuan, cents } = splitFen(fen);
  return `${sign}${yuan}.${cents}`;
}

/** '1,234.50', for people. */
export function formatYuanGrouped(fen: Fen): string {
  const { sign, yuan, cents } = splitFen(fen);
  return `${sign}${GROUPED.format(yuan)}.${cents}`;
}

/** Exact sum; throws if any value, or the running total, is not a safe integer. */
export function sumFen(values: Iterable<Fen>): Fen {
  let total = 0;
  for (const value of values) {
    assertFen(value);
    total += value;
    if (!Number.isSafeInteger(total)) {
      throw new RangeError('sum of fen amounts exceeds the safe integer range');
    }
  }
  return total;
}

/** Throws (a programming error, not bad input) unless `value` is a safe integer number of fen. */
export function assertFen(value: unknown, label = 'amount'): asserts value is Fen {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new RangeError(`${label} must be a safe integer number of fen, got ${String(value)}`);
  }
}

const GROUPED = new Intl.NumberFormat('en-US', { useGrouping: true, maximumFractionDigits: 0 });

function splitFen(fen: Fen): { sign: string; yuan: number; cents: string } {
  assertFen(fen);
  const abs = Math.abs(fen);
  // Both steps are exact on safe integers: `%` always is, and `abs - rem` is a multiple of 100.
  const rem = abs % 100;
  return { sign: fen < 0 ? '-' : '', yuan: (abs - rem) / 100, cents: String(rem).padStart(2, '0') };
}

function tooLarge(label: string, text: string): string {
  return `${label} is too large to handle exactly, got ${quoteForMessage(text)}`;
}

function fail(message: string): ParseYuanResult {
  return { ok: false, message };
}

/** JSON-quote a value for an error message, cut short so a runaway field cannot flood a report. */
function quoteForMessage(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}
