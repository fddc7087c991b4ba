import fc from 'fast-check';
import {
  assertFen,
  formatYuan,
  formatYuanGrouped,
  parseYuan,
  parseYuanAllowZero,
  sumFen,
} from '../../../shared/domain/money.ts';

function fenOf(text: string): number {
  const result = parseYuan(text);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(text)} to parse: ${result.message}`);
  return result.fen;
}

describe('parseYuan', () => {
  it.each([
    ['1', 100],
    ['10', 1000],
    ['1.5', 150],
    ['1.05', 105],
    ['1.50', 150],
    ['0.01', 1],
    ['0.1', 10],
    ['0.50', 50],
    ['1234.56', 123456],
    ['100.00', 10000],
    ['5000000', 500000000],
  ])('parses %j as %d fen', (text, fen) => {
    expect(parseYuan(text)).toEqual({ ok: true, fen });
  });

  it('is exact where float arithmetic on yuan is not', () => {
    // 0.29 * 100 === 28.999999999999996 and 4.35 * 100 === 434.99999999999994 in floating point.
    expect(fenOf('0.29')).toBe(29);
    expect(fenOf('4.35')).toBe(435);
    expect(fenOf('1.15')).toBe(115);
    expect(fenOf('19.99')).toBe(1999);
  });

  it.each([
    '', ' ', ' 1', '1 ', '\t1', '1\n', '1 000', // whitespace anywhere
    '+1', '-1', '-0.5', // signs
    '1e5', '1E5', '1e-2', 'Infinity', 'NaN', '0x10', // number syntaxes parseFloat/Number accept
    '1,000', '1,000.00', '1_000', // separators
    '.5', '5.', '.', '1.', // half-written decimals
    '007', '01', '00.5', '00', // leading zeros
    '1.234', '0.001', '1.5.0', // too many decimals / dots
    '¥1', '1元', 'CNY 1', // currency
    '１２', '١', // full-width and Arabic-Indic digits
  ])('rejects %j', (text) => {
    const result = parseYuan(text);
    expect(result.ok).toBe(false);
  });

  it('explains what it wanted and what it got', () => {
    expect(parseYuan('1e5')).toEqual({
      ok: false,
      message: 'amount must be a positive yuan amount with at most 2 decimals, got "1e5"',
    });
    expect(parseYuan('.5', { label: 'award amount' })).toEqual({
      ok: false,
      message: 'award amount must be a positive yuan amount with at most 2 decimals, got ".5"',
    });
  });

  it('rejects zero unless allowed', () => {
    for (const text of ['0', '0.0', '0.00']) {
      expect(parseYuan(text)).toEqual({ ok: false, message: `amount must be greater than 0, got "${text}"` });
      expect(parseYuanAllowZero(text)).toEqual({ ok: true, fen: 0 });
      expect(parseYuan(text, { allowZero: true })).toEqual({ ok: true, fen: 0 });
    }
  });

  it('allowing zero still rejects negatives and bad syntax, and says non-negative', () => {
    expect(parseYuanAllowZero('-1')).toEqual({
      ok: false,
      message: 'amount must be a non-negative yuan amount with at most 2 decimals, got "-1"',
    });
    expect(parseYuanAllowZero('12.50', { label: 'budget' })).toEqual({ ok: true, fen: 1250 });
    expect(parseYuanAllowZero('x', { label: 'budget' })).toMatchObject({ ok: false, message: expect.stringMatching(/^budget /) });
  });

  it('accepts up to Number.MAX_SAFE_INTEGER fen and no further', () => {
    expect(String(Number.MAX_SAFE_INTEGER)).toBe('9007199254740991');
    expect(parseYuan('90071992547409.91')).toEqual({ ok: true, fen: Number.MAX_SAFE_INTEGER });
    expect(parseYuan('90071992547409.92')).toEqual({
      ok: false,
      message: 'amount is too large to handle exactly, got "90071992547409.92"',
    });
    expect(parseYuan('100000000000000')).toMatchObject({ ok: false, message: expect.stringContaining('too large') });
  });

  it('rejects an absurdly long digit string quickly, with a shortened message', () => {
    const text = '9'.repeat(100_000);
    const result = parseYuan(text);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toContain('too large');
      expect(result.message.length).toBeLessThan(120);
    }
  });

  it('round-trips every positive safe amount through formatYuan', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (fen) => {
        expect(parseYuan(formatYuan(fen))).toEqual({ ok: true, fen });
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with a BigInt reference on random decimal text', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 15n }), fc.integer({ min: 0, max: 2 }), (units, decimals) => {
        const digits = units.toString().padStart(decimals + 1, '0');
        const text = decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
        const expected = units * 10n ** BigInt(2 - decimals);
        const result = parseYuan(text);
        if (expected <= BigInt(Number.MAX_SAFE_INTEGER)) {
          expect(result).toEqual({ ok: true, fen: Number(expected) });
        } else {
          expect(result.ok).toBe(false);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('formatYuan', () => {
  it.each([
    [0, '0.00'],
    [1, '0.01'],
    [5, '0.05'],
    [50, '0.50'],
    [100, '1.00'],
    [123450, '1234.50'],
    [100000000, '1000000.00'],
    [-5, '-0.05'],
    [-123450, '-1234.50'],
    [Number.MAX_SAFE_INTEGER, '90071992547409.91'],
    [-Number.MAX_SAFE_INTEGER, '-90071992547409.91'],
  ])('formats %d fen as %j', (fen, text) => {
    expect(formatYuan(fen)).toBe(text);
  });

  it.each([0.5, 1.25, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])('refuses %d', (fen) => {
    expect(() => formatYuan(fen)).toThrow(RangeError);
    expect(() => formatYuanGrouped(fen)).toThrow(RangeError);
  });
});

describe('formatYuanGrouped', () => {
  it.each([
    [0, '0.00'],
    [99, '0.99'],
    [99999, '999.99'],
    [100000, '1,000.00'],
    [123456789, '1,234,567.89'],
    [-123456789, '-1,234,567.89'],
    [Number.MAX_SAFE_INTEGER, '90,071,992,547,409.91'],
  ])('formats %d fen as %j', (fen, text) => {
    expect(formatYuanGrouped(fen)).toBe(text);
  });
});

describe('sumFen', () => {
  it('adds exactly', () => {
    expect(sumFen([])).toBe(0);
    expect(sumFen([1, 2, 3])).toBe(6);
    expect(sumFen([10, 20])).toBe(30); // 0.1 + 0.2 yuan, exactly 0.3
    expect(sumFen([500, -200])).toBe(300);
  });

  it('accepts any iterable', () => {
    function* amounts(): Generator<number> {
      yield 100;
      yield 250;
    }
    expect(sumFen(amounts())).toBe(350);
    expect(sumFen(new Set([1, 2]))).toBe(3);
  });

  it('refuses non-integers and overflow', () => {
    expect(() => sumFen([1, 0.5])).toThrow(RangeError);
    expect(() => sumFen([Number.NaN])).toThrow(RangeError);
    expect(() => sumFen([Number.MAX_SAFE_INTEGER, 1])).toThrow('exceeds the safe integer range');
    expect(() => sumFen([-Number.MAX_SAFE_INTEGER, -1])).toThrow('exceeds the safe integer range');
  });
});

describe('assertFen', () => {
  it('accepts safe integers, including zero and negatives', () => {
    for (const value of [0, 1, -1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
      expect(() => assertFen(value)).not.toThrow();
    }
  });

  it.each([0.1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '100', null, undefined, 10n])('throws on %p', (value) => {
    expect(() => assertFen(value)).toThrow(RangeError);
  });

  it('names the value in its message', () => {
    expect(() => assertFen(1.5, 'budget.totalFen')).toThrow('budget.totalFen must be a safe integer number of fen, got 1.5');
  });
});
