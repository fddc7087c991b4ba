/**
 * Unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters, the last one a
 * check character over the first 17. Only the charset, the length and that check character are
 * verified here; the registration-authority, category and region parts are not looked up.
 */

/** The 31 characters GB 32100 allows, in value order (0–30): no I, O, S, V or Z. */
const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** Weight for positions 1–17 (these are 3^i mod 31). */
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

export const USCC_LENGTH = 18;

/** Why `text` is not a valid code (a message for a person), or undefined when it is valid. */
export function usccProblem(text: string): string | undefined {
  const chars = [...text]; // by code point, so a CJK or emoji character counts as one position
  if (chars.length !== USCC_LENGTH) {
    return `unified social credit code must be ${USCC_LENGTH} characters, got ${chars.length}`;
  }
  const illegal = findIllegal(chars);
  if (illegal) return illegal;
  const expected = usccCheckChar(text.slice(0, USCC_LENGTH - 1));
  const actual = text[USCC_LENGTH - 1];
  if (actual !== expected) {
    return `unified social credit code has wrong check character "${actual}" (expected "${expected}")`;
  }
  return undefined;
}

/** The check character for the first 17 characters of a code; throws if they are not legal. */
export function usccCheckChar(first17: string): string {
  const chars = [...first17];
  if (chars.length !== USCC_LENGTH - 1) {
    throw new RangeError(`usccCheckChar needs ${USCC_LENGTH - 1} characters, got ${chars.length}`);
  }
  const illegal = findIllegal(chars);
  if (illegal) throw new RangeError(illegal);
  let sum = 0;
  chars.forEach((char, i) => {
    sum += CHARSET.indexOf(char) * (WEIGHTS[i] ?? 0);
  });
  return CHARSET[(31 - (sum % 31)) % 31] ?? '';
}

function findIllegal(chars: readonly string[]): string | undefined {
  const index = chars.findIndex((char) => !CHARSET.includes(char));
  if (index < 0) return undefined;
  const char = chars[index] ?? '';
  const hint = /^[a-z]$/.test(char)
    ? 'letters must be uppercase'
    : 'allowed: digits and uppercase letters except I, O, S, V, Z';
  return `illegal character ${JSON.stringify(char)} at position ${index + 1} of the unified social credit code (${hint})`;
}
