import { USCC_LENGTH, usccCheckChar, usccProblem } from '../../../shared/domain/uscc.ts';

const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

describe('usccCheckChar', () => {
  it('matches a check character worked out by hand', () => {
    // 91330200MA2CJ5K73: values 9,1,3,3,0,2,0,0,21,10,2,12,18,5,19,7,3
    // weighted sum = 9*1 + 1*3 + 3*9 + 3*27 + 0*19 + 2*26 + 0*16 + 0*17 + 21*20 + 10*29 + 2*25
    //              + 12*13 + 18*8 + 5*24 + 19*10 + 7*30 + 3*28 = 1836; 1836 mod 31 = 7; 31 - 7 = 24 -> 'Q'
    expect(usccCheckChar('91330200MA2CJ5K73')).toBe('Q');
  });

  it('uses the GB 32100 weights, 3^i mod 31', () => {
    // With a single '1' at position i and '0' elsewhere the sum is the weight itself.
    for (let i = 0; i < 17; i++) {
      const first17 = '0'.repeat(i) + '1' + '0'.repeat(16 - i);
      const weight = (31 - CHARSET.indexOf(usccCheckChar(first17))) % 31;
      expect(weight).toBe(3 ** i % 31);
    }
  });

  it('gives 0 for all zeros (sum 0, (31 - 0) mod 31 = 0)', () => {
    expect(usccCheckChar('0'.repeat(17))).toBe('0');
  });

  it('throws on input it cannot weigh', () => {
    expect(() => usccCheckChar('9133020')).toThrow(RangeError);
    expect(() => usccCheckChar('91330200MA2CJ5K73E')).toThrow(RangeError);
    expect(() => usccCheckChar('91330200MA2CJ5KI3')).toThrow('illegal character "I" at position 16');
  });
});

describe('usccProblem', () => {
  // Codes of large companies as published in public registration data; each check character was
  // recomputed independently (not just trusted) before being listed here.
  it.each(['914403001922038216', '91330100799655058B', '9144030071526726XG', '91110108551385082Q'])(
    'accepts the public code %s',
    (code) => {
      expect(usccProblem(code)).toBeUndefined();
    },
  );

  it('accepts codes built with usccCheckChar', () => {
    for (const first17 of ['91330200MA2CJ5K73', '12330200002911111', '52330200MJ9876543', '0'.repeat(17), 'Y'.repeat(17)]) {
      expect(usccProblem(first17 + usccCheckChar(first17))).toBeUndefined();
    }
  });

  it('rejects a plausible-looking code whose check character is wrong', () => {
    expect(usccProblem('91330200MA2CJ5K73E')).toBe(
      'unified social credit code has wrong check character "E" (expected "Q")',
    );
  });

  it('reports wrong length', () => {
    expect(usccProblem('')).toBe('unified social credit code must be 18 characters, got 0');
    expect(usccProblem('91330200MA2CJ5K73')).toBe('unified social credit code must be 18 characters, got 17');
    expect(usccProblem('914403001922038216 ')).toBe('unified social credit code must be 18 characters, got 19');
    expect(usccProblem('9144030019220382166')).toMatch(/got 19$/);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(usccProblem('91440300192203821😀')).toMatch(/illegal character "😀" at position 18/);
  });

  it.each([
    ['I', 'letters'],
    ['O', 'letters'],
    ['S', 'letters'],
    ['V', 'letters'],
    ['Z', 'letters'],
    ['-', 'punctuation'],
    [' ', 'space'],
    ['Ａ', 'full-width letter'],
  ])('reports the illegal character %j (%s) and its 1-based position', (char) => {
    const code = '9144030019' + char + '2038216';
    expect(code).toHaveLength(USCC_LENGTH);
    expect(usccProblem(code)).toBe(
      `illegal character ${JSON.stringify(char)} at position 11 of the unified social credit code (allowed: digits and uppercase letters except I, O, S, V, Z)`,
    );
  });

  it('asks for uppercase when given lowercase', () => {
    expect(usccProblem('9144030071526726xg')).toBe(
      'illegal character "x" at position 17 of the unified social credit code (letters must be uppercase)',
    );
  });

  it('detects every single-character substitution', () => {
    const valid = '91330100799655058B';
    for (let i = 0; i < USCC_LENGTH; i++) {
      for (const char of CHARSET) {
        if (char === valid[i]) continue;
        const mutated = valid.slice(0, i) + char + valid.slice(i + 1);
        expect(usccProblem(mutated)).toBeDefined();
      }
    }
  });

  it('detects every transposition of two different adjacent characters', () => {
    for (const valid of ['914403001922038216', '9144030071526726XG', '91110108551385082Q']) {
      for (let i = 0; i + 1 < USCC_LENGTH; i++) {
        if (valid[i] === valid[i + 1]) continue;
        const swapped = valid.slice(0, i) + valid[i + 1] + valid[i] + valid.slice(i + 2);
        expect(usccProblem(swapped)).toBeDefined();
      }
    }
  });
});
