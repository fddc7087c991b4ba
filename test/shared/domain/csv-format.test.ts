import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { csvField, csvRecord } from '../../../shared/domain/csv-format.ts';

describe('CSV writing', () => {
  test('quotes only what needs quoting', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField('中文，全角逗号')).toBe('中文，全角逗号');
    expect(csvRecord(['a', 'b,c', ''])).toBe('a,"b,c",\r\n');
  });

  test('property: any record reads back unchanged with a standard parser', () => {
    fc.assert(fc.property(fc.array(fc.string({ unit: 'grapheme' }), { minLength: 2, maxLength: 6 }), (values) => {
      const rows: string[][] = parse(csvRecord(values) + csvRecord(values), { relax_column_count: false });
      expect(rows).toEqual([values, values]);
    }));
  });
});
