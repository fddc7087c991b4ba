import {
  fiscalYearOf,
  isDateWithin,
  nowIso,
  parseIsoDate,
  parsePeriod,
  periodLastDay,
  periodOf,
  shanghaiDate,
} from '../../../shared/domain/dates.ts';

describe('parseIsoDate', () => {
  it.each(['2025-01-05', '2025-12-31', '2024-02-29', '2000-02-29', '1999-01-01'])('accepts %s', (text) => {
    expect(parseIsoDate(text)).toEqual({ ok: true, date: text });
  });

  it.each([
    '2025-1-5', '2025-01-5', '25-01-05', '02025-01-05', // not the exact shape
    ' 2025-01-05', '2025-01-05 ', '2025-01-05\n', // whitespace
    '2025/01/05', '20250105', '2025-01-05T00:00', '2025-01-05Z', '+2025-01-05', '', // other formats
    '２０２５-01-05', // full-width digits
  ])('rejects the shape of %j', (text) => {
    expect(parseIsoDate(text)).toEqual({ ok: false, message: `date must be a date in YYYY-MM-DD form, got ${JSON.stringify(text)}` });
  });

  it.each(['2025-02-29', '1900-02-29', '2025-13-01', '2025-00-10', '2025-01-00', '2025-04-31', '2025-01-32'])(
    'rejects %s, which is not on the calendar',
    (text) => {
      expect(parseIsoDate(text)).toEqual({ ok: false, message: `date "${text}" is not a real calendar date` });
    },
  );

  it('uses the label in messages', () => {
    expect(parseIsoDate('x', 'approval date')).toMatchObject({ ok: false, message: expect.stringMatching(/^approval date must be/) });
  });
});

describe('isDateWithin', () => {
  it('is inclusive at both ends', () => {
    expect(isDateWithin('2025-01-01', '2025-01-01', '2025-12-31')).toBe(true);
    expect(isDateWithin('2025-12-31', '2025-01-01', '2025-12-31')).toBe(true);
    expect(isDateWithin('2025-06-15', '2025-01-01', '2025-12-31')).toBe(true);
    expect(isDateWithin('2024-12-31', '2025-01-01', '2025-12-31')).toBe(false);
    expect(isDateWithin('2026-01-01', '2025-01-01', '2025-12-31')).toBe(false);
  });

  it('compares across month and year boundaries correctly as text', () => {
    expect(isDateWithin('2025-10-01', '2025-09-30', '2025-10-02')).toBe(true);
    expect(isDateWithin('2025-09-09', '2025-09-10', '2025-10-01')).toBe(false);
  });

  it('is false when the range is empty', () => {
    expect(isDateWithin('2025-06-01', '2025-07-01', '2025-05-01')).toBe(false);
  });
});

describe('fiscalYearOf', () => {
  it('is the calendar year', () => {
    expect(fiscalYearOf('2025-01-01')).toBe(2025);
    expect(fiscalYearOf('2025-12-31')).toBe(2025);
    expect(fiscalYearOf('2026-01-01')).toBe(2026);
  });

  it('throws on something that is not a date', () => {
    expect(() => fiscalYearOf('2025')).toThrow(RangeError);
    expect(() => fiscalYearOf('2025-02-30')).toThrow('not a real calendar date');
  });
});

describe('parsePeriod', () => {
  it.each(['2025-01', '2025-12', '2024-02'])('accepts %s', (text) => {
    expect(parsePeriod(text)).toEqual({ ok: true, period: text });
  });

  it.each(['2025-13', '2025-00', '2025-1', '202501', '2025-01-01', ' 2025-01', '2025-01 ', '2025/01', ''])(
    'rejects %j',
    (text) => {
      expect(parsePeriod(text)).toEqual({ ok: false, message: `period must be a month in YYYY-MM form, got ${JSON.stringify(text)}` });
    },
  );
});

describe('periodLastDay', () => {
  it.each([
    ['2025-01', '2025-01-31'],
    ['2025-02', '2025-02-28'],
    ['2024-02', '2024-02-29'],
    ['2000-02', '2000-02-29'],
    ['1900-02', '1900-02-28'],
    ['2025-04', '2025-04-30'],
    ['2025-12', '2025-12-31'],
  ])('%s ends on %s', (period, last) => {
    expect(periodLastDay(period)).toBe(last);
  });

  it('throws on a bad period', () => {
    expect(() => periodLastDay('2025-13')).toThrow(RangeError);
  });
});

describe('periodOf', () => {
  it('is the YYYY-MM of a date', () => {
    expect(periodOf('2025-03-15')).toBe('2025-03');
    expect(periodOf('2024-12-31')).toBe('2024-12');
    expect(periodLastDay(periodOf('2024-02-10'))).toBe('2024-02-29');
  });

  it('throws on a bad date', () => {
    expect(() => periodOf('2025-3-15')).toThrow(RangeError);
  });
});

describe('shanghaiDate', () => {
  it('turns to the next day at 16:00 UTC', () => {
    expect(shanghaiDate(new Date('2025-01-31T15:59:59.999Z'))).toBe('2025-01-31');
    expect(shanghaiDate(new Date('2025-01-31T16:00:00.000Z'))).toBe('2025-02-01');
  });

  it('crosses year boundaries eight hours before UTC does', () => {
    expect(shanghaiDate(new Date('2024-12-31T16:00:00Z'))).toBe('2025-01-01');
    expect(fiscalYearOf(shanghaiDate(new Date('2024-12-31T16:00:00Z')))).toBe(2025);
  });

  it('keeps the +08:00 offset in summer (no daylight saving time)', () => {
    expect(shanghaiDate(new Date('2025-07-15T15:59:00Z'))).toBe('2025-07-15');
    expect(shanghaiDate(new Date('2025-07-15T16:00:00Z'))).toBe('2025-07-16');
  });

  it('throws on an invalid Date', () => {
    expect(() => shanghaiDate(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('nowIso', () => {
  it('reads the given clock and shows Shanghai time with its offset', () => {
    expect(nowIso(() => new Date('2025-03-01T01:30:00Z'))).toBe('2025-03-01T09:30:00.000+08:00');
    expect(nowIso(() => new Date('2024-12-31T16:00:00.123Z'))).toBe('2025-01-01T00:00:00.123+08:00');
  });

  it('denotes the same instant as the clock', () => {
    const instant = new Date('2025-06-01T12:34:56.789Z');
    expect(new Date(nowIso(() => instant)).getTime()).toBe(instant.getTime());
  });

  it('defaults to the system clock', () => {
    const before = Date.now();
    const now = nowIso();
    expect(now).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+08:00$/);
    expect(new Date(now).getTime()).toBeGreaterThanOrEqual(before);
    expect(new Date(now).getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('throws when the clock returns an invalid Date', () => {
    expect(() => nowIso(() => new Date(Number.NaN))).toThrow(RangeError);
  });
});
