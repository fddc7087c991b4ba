import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { csvRecord, csvStream, csvText, UTF8_BOM } from '../../../shared/domain/csv-format.ts';

async function streamed(records: readonly (readonly string[])[], bom: boolean): Promise<string> {
  const stream = csvStream({ bom });
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve, reject) => { stream.on('end', resolve); stream.on('error', reject); });
  for (const record of records) stream.write(record);
  stream.end();
  await ended;
  return Buffer.concat(chunks).toString('utf8');
}

/** The rule Bursar's files have always followed, as an oracle: quote on , " CR LF or edge whitespace, double quotes. */
const specRecord = (values: readonly string[]) =>
  `${values.map((v) => (/[",\r\n]|^\s|\s$/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)).join(',')}\r\n`;

describe('CSV writing', () => {
  test('quotes only what needs quoting, CRLF after every record', () => {
    const field = (value: string) => csvRecord([value]).slice(0, -2);
    expect(field('plain')).toBe('plain');
    expect(field('a,b')).toBe('"a,b"');
    expect(field('say "hi"')).toBe('"say ""hi"""');
    expect(field('two\nlines')).toBe('"two\nlines"');
    expect(field('cr\ronly')).toBe('"cr\ronly"');
    expect(field(' padded')).toBe('" padded"');
    expect(field('padded\t')).toBe('"padded\t"');
    expect(field('')).toBe('');
    expect(field('中文，全角逗号')).toBe('中文，全角逗号');
    expect(field("'=1+1")).toBe("'=1+1"); // neutralising is not the writer's job: nothing added or removed
    expect(csvRecord(['a', 'b,c', ''])).toBe('a,"b,c",\r\n');
  });

  test('whole texts and streams: the BOM once at the start when asked, CRLF throughout', async () => {
    const records = [['h1', 'h2'], ['a', 'b "c"'], ['', 'x\ny']];
    const expected = 'h1,h2\r\na,"b ""c"""\r\n,"x\ny"\r\n';
    expect(csvText(records)).toBe(expected);
    expect(csvText(records, { bom: true })).toBe(UTF8_BOM + expected);
    expect(await streamed(records, true)).toBe(UTF8_BOM + expected);
    expect(await streamed(records, false)).toBe(expected);
    expect(records.map(csvRecord).join('')).toBe(expected);
  });

  test('property: any records read back unchanged with csv-parse, written whole, streamed or record by record', async () => {
    const field = fc.oneof(
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: fc.constantFrom('a', '中', ',', '"', '\r', '\n', ' ', '\t', "'", '=') }),
    );
    const recordsArb = fc.integer({ min: 1, max: 6 }).chain((width) => fc.array(fc.array(field, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 5 }));
    await fc.assert(fc.asyncProperty(recordsArb, async (records) => {
      const whole = csvText(records, { bom: true });
      expect(whole.startsWith(UTF8_BOM)).toBe(true);
      expect(whole.endsWith('\r\n')).toBe(true);
      const read = (text: string): string[][] => parse(text, { bom: true, relax_column_count: false });
      expect(read(whole)).toEqual(records);
      expect(await streamed(records, true)).toBe(whole);
      expect(UTF8_BOM + records.map(csvRecord).join('')).toBe(whole);
      expect(whole).toBe(UTF8_BOM + records.map(specRecord).join(''));
    }), { numRuns: 300 });
  });
});
