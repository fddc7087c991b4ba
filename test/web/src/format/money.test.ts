import fc from 'fast-check';
import { basisPoints, formatFen, formatRate, formatShare, isYuanText, normalizeYuanText, sumFen } from '../../../../web/src/format/money.ts';
import { formatYuanGrouped } from '../../../../shared/domain/money.ts';

describe('formatFen (integer fen -> "1,234,567.89")', () => {
  it.each([
    [0, '0.00'], [1, '0.01'], [10, '0.10'], [99, '0.99'], [100, '1.00'], [123456789, '1,234,567.89'],
    [100000, '1,000.00'], [99999999, '999,999.99'], [-5, '-0.05'], [-123456789, '-1,234,567.89'],
    [Number.MAX_SAFE_INTEGER, '90,071,992,547,409.91'],
  ])('%p fen is %p', (fen, text) => {
    expect(formatFen(fen)).toBe(text);
  });

  it('prints amounts beyond the safe-integer range exactly when given as bigint or digit strings', () => {
    expect(formatFen(123456789012345678901n)).toBe('1,234,567,890,123,456,789.01');
    expect(formatFen('900719925474099199')).toBe('9,007,199,254,740,991.99');
  });

  it('refuses what is not an integer amount of fen instead of rounding it', () => {
    expect(() => formatFen(1.5)).toThrow(RangeError);
    expect(() => formatFen(Number.MAX_SAFE_INTEGER + 1)).toThrow(RangeError);
    expect(() => formatFen('12.3')).toThrow(RangeError);
    expect(() => formatFen(Number.NaN)).toThrow(RangeError);
  });

  it('agrees with the server-side formatter for every safe integer', () => {
    fc.assert(fc.property(fc.maxSafeInteger().filter((n) => n >= -Number.MAX_SAFE_INTEGER), (fen) => {
      expect(formatFen(fen)).toBe(formatYuanGrouped(fen));
    }), { numRuns: 2000 });
  });

  it('round-trips: removing the separators gives back the fen digits', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), (fen) => {
      expect(BigInt(formatFen(fen).replaceAll(',', '').replace('.', ''))).toBe(fen);
    }));
  });
});

describe('shares and rates from integers', () => {
  it('rounds half up in basis points', () => {
    expect(formatShare(1, 3)).toBe('33.33%');
    expect(formatShare(2, 3)).toBe('66.67%');
    expect(formatShare(1, 8)).toBe('12.50%');
    expect(formatShare(5, 100000)).toBe('0.01%'); // 0.005% rounds up
    expect(formatShare(4, 100000)).toBe('0.00%');
    expect(formatShare(7, 7)).toBe('100.00%');
    expect(formatShare(3, 0)).toBe('-');
    expect(basisPoints(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)).toBe(10000n);
  });

  it('shows the API execution rate (4 decimals) as a percentage', () => {
    expect(formatRate(0.8523)).toBe('85.23%');
    expect(formatRate(1)).toBe('100.00%');
    expect(formatRate(0.0001)).toBe('0.01%');
    expect(formatRate(0.1)).toBe('10.00%');
    expect(formatRate(null)).toBe('-');
  });

  it('sums exactly past the float range', () => {
    expect(sumFen([Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, '1'])).toBe(2n * BigInt(Number.MAX_SAFE_INTEGER) + 1n);
  });
});

describe('yuan text typed into the budget form', () => {
  it.each(['0', '9000', '9000.5', '9000.50', '12345678901234.99'])('accepts %p', (text) => expect(isYuanText(text)).toBe(true));
  it.each(['', '-1', '1,000', '1e5', '.5', '5.', '007', '1.234', '１２', ' 1', '123456789012345'])('refuses %p', (text) => expect(isYuanText(text)).toBe(false));
  it('pads to two decimals without arithmetic', () => {
    expect(normalizeYuanText('9000')).toBe('9000.00');
    expect(normalizeYuanText('9000.5')).toBe('9000.50');
    expect(normalizeYuanText('0.07')).toBe('0.07');
  });
});
