import { PassThrough, Writable } from 'node:stream';
import { describe, expect, test } from '@jest/globals';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { strFromU8, unzipSync } from 'fflate';
import {
  MAX_CELL_TEXT, XlsxStreamWriter, columnName, escapeCellText, sheetName, type Cell, type XlsxWriterOptions,
} from '../../../shared/files/xlsx-stream-writer.ts';

/** Writes a workbook with `build` into memory and returns its bytes. */
async function xlsxBytes(build: (writer: XlsxStreamWriter) => Promise<void> | void, options?: XlsxWriterOptions): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const writer = new XlsxStreamWriter(out, options);
  await build(writer);
  await writer.finish();
  out.end();
  return Buffer.concat(chunks);
}

async function readBack(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  return workbook;
}

const parts = (bytes: Buffer): Record<string, string> =>
  Object.fromEntries(Object.entries(unzipSync(new Uint8Array(bytes))).map(([name, data]) => [name, strFromU8(data)]));

/**
 * How Excel reads `<t>` text (ECMA-376 ST_Xstring): `_xHHHH_` is an escaped character. ExcelJS applies
 * it to shared strings only, not to inline strings, so its values are decoded here the way Excel does.
 */
const asExcelReads = (value: unknown) =>
  typeof value === 'string' ? value.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : value;

const HOSTILE = [
  '=HYPERLINK("http://evil.example","x")', // a formula's text stays text
  'a & b <c> "d" \'e\'',
  'tab\tnew\nline', 'cr\rcrlf\r\n',
  '  leading and trailing  ',
  'bell\u0007null\u0000esc\u001b vt\u000b ff\u000c', // illegal in XML 1.0: dropped
  'lone \ud800 surrogate \udc00 here', // dropped
  'emoji 😀 and 𠮷', // pairs kept
  '_x0041_ and _x005F_ stay literal', // not OOXML escapes
  'noncharacters \ufffe\uffff',
  '中文，全角逗号',
  '',
];
const CLEANED = HOSTILE.map((s) => s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDFFF]/gu, ''));

describe('XLSX stream writer', () => {
  test('textColumns gives those columns the text format, with or without a width', async () => {
    const bytes = await xlsxBytes((w) => {
      w.addSheet('S', { columns: [10], textColumns: [0, 2] }).addRow(['1', '2', '3']);
    });
    expect(parts(bytes)['xl/worksheets/sheet1.xml']).toContain('<cols><col min="1" max="1" width="10" customWidth="1" style="3"/><col min="3" max="3" style="3"/></cols>');
    const sheet = (await readBack(bytes)).worksheets[0]!;
    expect([sheet.getColumn(1).numFmt, sheet.getColumn(2).numFmt, sheet.getColumn(3).numFmt]).toEqual(['@', undefined, '@']);
  });

  test('reads back with ExcelJS: sheets in order, values and types, styles, widths, no formulas', async () => {
    const created = new Date('2025-05-01T01:00:00Z');
    const bytes = await xlsxBytes((w) => {
      const a = w.addSheet('First', { columns: [30, undefined, 12.5] });
      a.addRow(['Header A', 'Header B', 'Amount', 'Rate'], 'bold');
      a.addRow(['text', 42, { value: 1234.5, style: 'amount' }, { value: 0.8523, style: 'percent' }]);
      a.addRow([]);
      a.addRow([null, undefined, { value: '00012345', style: 'text' }, -0.01]);
      a.end();
      const b = w.addSheet('Second');
      for (const text of HOSTILE) b.addRow([text]);
      b.end();
    }, { creator: 'Bursar & co', created });

    const workbook = await readBack(bytes);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['First', 'Second']);
    expect(workbook.creator).toBe('Bursar & co');
    expect(workbook.created.toISOString()).toBe(created.toISOString());

    const a = workbook.getWorksheet('First')!;
    expect((a.getRow(1).values as unknown[]).slice(1)).toEqual(['Header A', 'Header B', 'Amount', 'Rate']);
    expect(a.getCell('A1').font?.bold).toBe(true);
    expect(a.getCell('D1').font?.bold).toBe(true);
    expect(a.getCell('A2').font?.bold).toBeFalsy();
    expect([a.getCell('A2').value, a.getCell('B2').value, a.getCell('C2').value, a.getCell('D2').value]).toEqual(['text', 42, 1234.5, 0.8523]);
    expect(a.getCell('B2').type).toBe(ExcelJS.ValueType.Number);
    expect(a.getCell('C2').numFmt).toBe('#,##0.00');
    expect(a.getCell('D2').numFmt).toBe('0.00%');
    expect(a.getRow(3).cellCount).toBe(0);
    expect([a.getCell('A4').value, a.getCell('B4').value]).toEqual([null, null]);
    expect(a.getCell('C4').value).toBe('00012345'); // leading zeros kept: a text cell
    expect(a.getCell('C4').numFmt).toBe('@');
    expect(a.getCell('D4').value).toBe(-0.01);
    expect(a.getColumn(1).width).toBe(30);
    expect(a.getColumn(3).width).toBe(12.5);

    const b = workbook.getWorksheet('Second')!;
    HOSTILE.forEach((text, i) => {
      const cell = b.getCell(`A${i + 1}`);
      expect(cell.type).toBe(text === '' ? ExcelJS.ValueType.Null : ExcelJS.ValueType.String); // '' is a blank cell
      expect(asExcelReads(cell.value ?? '')).toBe(CLEANED[i]);
    });

    for (const sheet of workbook.worksheets) sheet.eachRow((row) => row.eachCell((cell) => expect(cell.type).not.toBe(ExcelJS.ValueType.Formula)));
  });

  test('the package: content types, relationships and styles; every text cell an inline string, no formula element anywhere', async () => {
    const bytes = await xlsxBytes((w) => {
      const s = w.addSheet('S');
      s.addRow(['=1+1', '@SUM(A1)', 1]);
      s.end();
      w.addSheet('T').addRow(['x']);
    });
    const files = parts(bytes);
    expect(Object.keys(files).sort()).toEqual([
      '[Content_Types].xml', '_rels/.rels', 'docProps/app.xml', 'docProps/core.xml',
      'xl/_rels/workbook.xml.rels', 'xl/styles.xml', 'xl/workbook.xml', 'xl/worksheets/sheet1.xml', 'xl/worksheets/sheet2.xml',
    ]);
    expect(files['[Content_Types].xml']).toContain('PartName="/xl/worksheets/sheet2.xml"');
    expect(files['xl/workbook.xml']).toContain('<sheet name="T" sheetId="2" r:id="rId2"/>');
    expect(files['xl/_rels/workbook.xml.rels']).toContain('Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"');
    const sheet = files['xl/worksheets/sheet1.xml']!;
    expect(sheet).toContain('<c r="A1" t="inlineStr"><is><t>=1+1</t></is></c>');
    expect(sheet).toContain('<c r="C1"><v>1</v></c>');
    for (const [name, xml] of Object.entries(files)) {
      expect([name, /<f[\s>]/.test(xml)]).toEqual([name, false]);
      expect([name, xml.includes('sharedStrings')]).toEqual([name, false]);
    }
  });

  test('the same content and time give the same bytes', async () => {
    const build = (w: XlsxStreamWriter) => { w.addSheet('S').addRow(['a', 1]); };
    const created = new Date('2025-05-01T01:00:00Z');
    expect(await xlsxBytes(build, { created })).toEqual(await xlsxBytes(build, { created }));
  });

  test('property: any text and finite number reads back as written (less what XML cannot carry)', async () => {
    const cellArb = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: fc.constantFrom('_', 'x', '0', 'A', 'f', '&', '<', '\r', '\n', ' ', '\u0001', '\ud83d'), maxLength: 20 }),
      fc.tuple(fc.string({ maxLength: 3 }), fc.stringMatching(/^_[xX][0-9A-Fa-f]{4}_$/), fc.string({ maxLength: 3 })).map((p) => p.join('')),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer(),
    );
    await fc.assert(fc.asyncProperty(fc.array(fc.array(cellArb, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 5 }), async (rows) => {
      const bytes = await xlsxBytes((w) => { const s = w.addSheet('P'); for (const row of rows) s.addRow(row); });
      const sheet = (await readBack(bytes)).worksheets[0]!;
      rows.forEach((row, r) => row.forEach((value, c) => {
        const cell = sheet.getRow(r + 1).getCell(c + 1);
        if (typeof value === 'number') expect(cell.value).toBe(Object.is(value, -0) ? 0 : value);
        else {
          const expected = value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDFFF]/gu, '');
          expect(asExcelReads(cell.value ?? '')).toBe(expected);
        }
      }));
    }), { numRuns: 60 });
  });

  test('text escaping', () => {
    expect(escapeCellText('a&b<c>"\'\r')).toBe('a&amp;b&lt;c&gt;&quot;&apos;&#13;');
    expect(escapeCellText('_x0041_ _X0041_ _x004g_ _x00411_')).toBe('_x005F_x0041_ _X0041_ _x004g_ _x00411_');
    expect(escapeCellText('\u0000\u0008\t\n\u000b\u001f😀\ud800')).toBe('\t\n😀');
  });

  test('sheet names: at most 31 characters, no []:*?/\\, no edge apostrophes, not empty, unique ignoring case', () => {
    expect(sheetName('RUN-2025-04-M07-EITB-001')).toBe('RUN-2025-04-M07-EITB-001');
    expect(sheetName('2025 预算执行 Budget execution')).toBe('2025 预算执行 Budget execution');
    expect(sheetName('2025 预算执行 Budget execution and more')).toBe('2025 预算执行 Budget execution and ');
    expect(sheetName('a[b]c:d*e?f/g\\h')).toBe('a_b_c_d_e_f_g_h');
    expect(sheetName("'quoted'")).toBe('quoted');
    expect(sheetName('')).toBe('Sheet');
    expect(sheetName("''")).toBe('Sheet');
    expect(sheetName('history')).toBe('history_');
    expect(sheetName('Summary', ['summary'])).toBe('Summary (2)');
    expect(sheetName('Summary', ['summary', 'Summary (2)'])).toBe('Summary (3)');
    expect(sheetName('x'.repeat(40), ['x'.repeat(31)])).toBe(`${'x'.repeat(27)} (2)`);
    expect(sheetName(`${'x'.repeat(30)}😀`)).toBe('x'.repeat(30)); // a surrogate pair is never split
    expect(sheetName('tab\there\u0000\n')).toBe('tabhere'); // control characters dropped
    fc.assert(fc.property(fc.string({ unit: 'binary' }), fc.array(fc.string(), { maxLength: 5 }), (wanted, taken) => {
      const name = sheetName(wanted, taken);
      expect(name.length).toBeGreaterThan(0);
      expect(name.length).toBeLessThanOrEqual(31);
      expect(name).not.toMatch(/[[\]:*?/\\]|^'|'$/);
      expect(name).not.toMatch(/[\uD800-\uDFFF]|[\u0000-\u001F]/u); // no lone surrogate, no control character
      expect(taken.map((t) => t.toLowerCase())).not.toContain(name.toLowerCase());
    }));
  });

  test('a sheet name the writer had to change is the one the workbook lists', async () => {
    const bytes = await xlsxBytes((w) => { w.addSheet('a/b').end(); w.addSheet('A_B').end(); });
    expect((await readBack(bytes)).worksheets.map((s) => s.name)).toEqual(['a_b', 'A_B (2)']);
  });

  test('column names', () => {
    expect([0, 25, 26, 51, 52, 701, 702, 16383].map(columnName)).toEqual(['A', 'Z', 'AA', 'AZ', 'BA', 'ZZ', 'AAA', 'XFD']);
  });

  test('refuses what would make a broken file', async () => {
    const w = new XlsxStreamWriter(new PassThrough());
    await expect(w.finish()).rejects.toThrow('at least one sheet');
    const s = w.addSheet('S');
    expect(() => w.addSheet('T')).toThrow('end sheet "S"');
    expect(() => s.addRow([Number.NaN])).toThrow('not a finite number');
    expect(() => s.addRow([Infinity])).toThrow('not a finite number');
    expect(() => s.addRow(['x'.repeat(MAX_CELL_TEXT + 1)])).toThrow('a cell holds 32767');
    s.end();
    expect(() => s.addRow(['late'])).toThrow('already ended');
  });

  test('a closed output fails the writer instead of hanging it', async () => {
    const out = new Writable({ highWaterMark: 1024, write: (_chunk, _enc, cb) => { /* never calls back */ void cb; } });
    const w = new XlsxStreamWriter(out);
    const s = w.addSheet('S');
    for (let i = 0; i < 5000; i++) s.addRow([`row ${i} ${'x'.repeat(50)}`]);
    const waiting = w.drained();
    out.destroy();
    await expect(waiting).rejects.toThrow();
  });

  test('streams: 100,000 rows through a slow output never pile up more than a chunk or two in its buffer', async () => {
    let bytes = 0;
    let maxBuffered = 0;
    const out = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _enc, cb) { bytes += chunk.length; setImmediate(cb); },
    });
    const w = new XlsxStreamWriter(out);
    const sheet = w.addSheet('Big', { columns: [28, 8, 14, 36] });
    const rowsCompressed: number[] = [];
    let waits = 0;
    for (let i = 1; i <= 100_000; i++) {
      sheet.addRow([`RUN-2025-04-M07-EITB-${String(i).padStart(3, '0')}`, i, `A-${i}`, `收款人 ${i} 有限公司`, { value: String(6217000000000000 + i), style: 'text' }, { value: i / 100, style: 'amount' }]);
      maxBuffered = Math.max(maxBuffered, out.writableLength);
      if (out.writableNeedDrain) waits++;
      await w.drained();
      if (i % 20_000 === 0) rowsCompressed.push(bytes);
    }
    await w.finish();
    await new Promise<void>((resolve) => out.end(resolve));
    expect(waits).toBeGreaterThan(0); // the output pushed back, and the writer waited
    expect(maxBuffered).toBeLessThan(256 * 1024); // one DEFLATE flush at most, never the sheet
    expect(rowsCompressed.every((b, i) => i === 0 || b > rowsCompressed[i - 1]!)).toBe(true); // bytes left while rows came
    expect(sheet.rows).toBe(100_000);
  }, 60_000);

  test('a 100,000-row sheet reads back whole', async () => {
    const cells = (i: number): Cell[] => [`P-${i}`, i, { value: i / 100, style: 'amount' }];
    const bytes = await xlsxBytes(async (w) => {
      const s = w.addSheet('Rows');
      for (let i = 1; i <= 100_000; i++) {
        s.addRow(cells(i));
        if (i % 1000 === 0) await w.drained();
      }
    });
    const xml = parts(bytes)['xl/worksheets/sheet1.xml']!;
    expect(xml.match(/<row /g)).toHaveLength(100_000);
    expect(xml).toContain('<row r="100000"><c r="A100000" t="inlineStr"><is><t>P-100000</t></is></c><c r="B100000"><v>100000</v></c><c r="C100000" s="2"><v>1000</v></c></row>');
    const sheet = (await readBack(bytes)).worksheets[0]!;
    expect(sheet.rowCount).toBe(100_000);
    expect((sheet.getRow(54_321).values as unknown[]).slice(1)).toEqual(['P-54321', 54_321, 543.21]);
  }, 120_000);
});
