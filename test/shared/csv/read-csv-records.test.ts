import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { ValidationError } from '../../../shared/domain/errors.ts';
import {
  readCsvFile,
  readCsvRecords,
  type CsvRow,
  type CsvSpec,
} from '../../../shared/csv/read-csv-records.ts';

const SPEC: CsvSpec = { columns: ['id', 'name', 'amount'] };

/** Feed `bytes` in chunks of `size` bytes (the whole input in one chunk when size is 0). */
async function* chunked(bytes: Buffer, size = 0): AsyncGenerator<Buffer> {
  if (size <= 0) {
    yield bytes;
    return;
  }
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

function bytesOf(input: string | Buffer | readonly (string | Buffer)[]): Buffer {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  if (Buffer.isBuffer(input)) return input;
  return Buffer.concat(input.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : part)));
}

async function read(input: string | Buffer | readonly (string | Buffer)[], spec: CsvSpec = SPEC, chunkSize = 0): Promise<CsvRow[]> {
  const rows: CsvRow[] = [];
  for await (const row of readCsvRecords(chunked(bytesOf(input), chunkSize), spec)) rows.push(row);
  return rows;
}

/** Same rows whatever the chunking: a byte split anywhere (inside a BOM, a CRLF, a character) must not matter. */
async function readAllChunkings(input: string | Buffer | readonly (string | Buffer)[], spec: CsvSpec = SPEC): Promise<CsvRow[]> {
  const whole = await read(input, spec);
  for (const size of [1, 2, 3, 5, 64]) {
    expect(await read(input, spec, size)).toEqual(whole);
  }
  return whole;
}

async function readError(input: string | Buffer | readonly (string | Buffer)[], spec: CsvSpec = SPEC): Promise<ValidationError> {
  try {
    await read(input, spec);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

function record(line: number, fields: Record<string, string>): CsvRow {
  return { kind: 'record', line, fields };
}

// GBK for 中文 (UTF-8 would be E4 B8 AD E6 96 87).
const GBK_ZHONGWEN = Buffer.from([0xd6, 0xd0, 0xce, 0xc4]);

describe('readCsvRecords: records and line numbers', () => {
  it('reads records keyed by header name, numbering lines from the header (line 1)', async () => {
    const rows = await readAllChunkings('id,name,amount\nA1,张三,100.00\nA2,李四,50\n');
    expect(rows).toEqual([
      record(2, { id: 'A1', name: '张三', amount: '100.00' }),
      record(3, { id: 'A2', name: '李四', amount: '50' }),
    ]);
  });

  it('accepts a missing final line break', async () => {
    expect(await readAllChunkings('id,name,amount\nA1,x,1')).toEqual([record(2, { id: 'A1', name: 'x', amount: '1' })]);
  });

  it('keeps values as written (no trimming, empty values kept)', async () => {
    expect(await read('id,name,amount\n A1 ,,1\n')).toEqual([record(2, { id: ' A1 ', name: '', amount: '1' })]);
  });

  it('keys fields by the file column order, whatever the spec order', async () => {
    expect(await read('amount,id,name\n1,A1,x\n')).toEqual([record(2, { id: 'A1', name: 'x', amount: '1' })]);
  });

  it('strips a UTF-8 BOM', async () => {
    const rows = await readAllChunkings([Buffer.from([0xef, 0xbb, 0xbf]), 'id,name,amount\nA1,x,1\n']);
    expect(rows).toEqual([record(2, { id: 'A1', name: 'x', amount: '1' })]);
  });

  it('keeps a BOM-like character that is not at the start of the file', async () => {
    expect(await read('id,name,amount\nA1,\uFEFFx,1\n')).toEqual([record(2, { id: 'A1', name: '\uFEFFx', amount: '1' })]);
  });

  it('handles CRLF line endings, leaving no CR in values', async () => {
    const rows = await readAllChunkings('id,name,amount\r\nA1,x,1\r\nA2,y,2\r\n');
    expect(rows).toEqual([record(2, { id: 'A1', name: 'x', amount: '1' }), record(3, { id: 'A2', name: 'y', amount: '2' })]);
  });

  it('counts a lone CR as a line break, as editors do', async () => {
    const rows = await readAllChunkings('id,name,amount\rA1,x,1\rA2,y,2');
    expect(rows).toEqual([record(2, { id: 'A1', name: 'x', amount: '1' }), record(3, { id: 'A2', name: 'y', amount: '2' })]);
  });

  it('handles mixed line endings', async () => {
    const rows = await readAllChunkings('id,name,amount\r\nA1,x,1\nA2,y,2\rA3,z,3\r\n');
    expect(rows.map((row) => row.line)).toEqual([2, 3, 4]);
  });

  it('reads quoted commas and doubled quotes', async () => {
    const rows = await readAllChunkings('id,name,amount\nA1,"Acme, Ltd ""East""",1\n');
    expect(rows).toEqual([record(2, { id: 'A1', name: 'Acme, Ltd "East"', amount: '1' })]);
  });

  it('gives a multi-line record the line it starts on and keeps counting physical lines after it', async () => {
    const text = 'id,name,amount\nA1,"line one\nline two\nline three",1\nA2,y,2\n"A\n3",z,3\n';
    const rows = await readAllChunkings(text);
    expect(rows).toEqual([
      record(2, { id: 'A1', name: 'line one\nline two\nline three', amount: '1' }),
      record(5, { id: 'A2', name: 'y', amount: '2' }),
      record(6, { id: 'A\n3', name: 'z', amount: '3' }),
    ]);
  });

  it('normalises CRLF inside a quoted value to LF and still counts it as one line', async () => {
    const rows = await readAllChunkings('id,name,amount\r\nA1,"a\r\nb\rc",1\r\nA2,y,2\r\n');
    expect(rows).toEqual([record(2, { id: 'A1', name: 'a\nb\nc', amount: '1' }), record(5, { id: 'A2', name: 'y', amount: '2' })]);
  });

  it('skips blank and whitespace-only lines without disturbing line numbers', async () => {
    const rows = await readAllChunkings('\n\nid,name,amount\n\nA1,x,1\n   \n\t\r\n\r\nA2,y,2\n\n\n');
    expect(rows).toEqual([record(5, { id: 'A1', name: 'x', amount: '1' }), record(9, { id: 'A2', name: 'y', amount: '2' })]);
  });

  it('does not treat a row of empty fields as blank', async () => {
    expect(await read('id,name,amount\n,,\n')).toEqual([record(2, { id: '', name: '', amount: '' })]);
  });

  it('reads a header-only file as zero records', async () => {
    expect(await readAllChunkings('id,name,amount\n')).toEqual([]);
    expect(await readAllChunkings('id,name,amount')).toEqual([]);
  });

  it('keeps valid multi-byte characters intact when chunks split them', async () => {
    const rows = await readAllChunkings('id,name,amount\nA1,奉化区财政局🏛️,1\n');
    expect(rows).toEqual([record(2, { id: 'A1', name: '奉化区财政局🏛️', amount: '1' })]);
  });
});

describe('readCsvRecords: header', () => {
  it('trims header names and matches them case-sensitively', async () => {
    expect(await read(' id ,\tname,amount \nA1,x,1\n')).toEqual([record(2, { id: 'A1', name: 'x', amount: '1' })]);
    const error = await readError('ID,name,amount\nA1,x,1\n');
    expect(error.code).toBe('BAD_HEADER');
    expect(error.message).toContain('unknown column "ID"');
    expect(error.message).toContain('missing required column "id"');
  });

  it('rejects an unknown column, listing what was expected', async () => {
    const error = await readError('id,name,amount,colour\n');
    expect(error.code).toBe('BAD_HEADER');
    expect(error.message).toBe(
      'the header row (line 1) is wrong: unknown column "colour" (expected columns: id, name, amount)',
    );
    expect(error.context).toMatchObject({ line: 1, found: ['id', 'name', 'amount', 'colour'] });
  });

  it('rejects missing required columns, naming all of them', async () => {
    const error = await readError('id\nA1\n');
    expect(error.code).toBe('BAD_HEADER');
    expect(error.message).toContain('missing required columns "name", "amount"');
  });

  it('rejects a duplicated column', async () => {
    const error = await readError('id,name,amount,name\n');
    expect(error.code).toBe('BAD_HEADER');
    expect(error.message).toContain('column "name" appears more than once');
  });

  it('rejects an unnamed column (e.g. a trailing comma)', async () => {
    const error = await readError('id,name,amount,\n');
    expect(error.code).toBe('BAD_HEADER');
    expect(error.message).toContain('column 4 has no name');
  });

  it('reports every header problem at once', async () => {
    const error = await readError('id,id,colour\n');
    expect(error.message).toContain('column "id" appears more than once');
    expect(error.message).toContain('unknown column "colour"');
    expect(error.message).toContain('missing required columns "name", "amount"');
  });

  it('allows optional columns to be present or absent', async () => {
    const spec: CsvSpec = { columns: ['id', 'name', 'amount'], optional: ['remark'] };
    expect(await read('id,name,amount\nA1,x,1\n', spec)).toEqual([record(2, { id: 'A1', name: 'x', amount: '1' })]);
    expect(await read('remark,id,name,amount\n备注,A1,x,1\n', spec)).toEqual([
      record(2, { id: 'A1', name: 'x', amount: '1', remark: '备注' }),
    ]);
    const error = await readError('id,name,amount,note\n', spec);
    expect(error.message).toContain('(expected columns: id, name, amount; optional: remark)');
  });

  it('reads a header with Chinese column names', async () => {
    const spec: CsvSpec = { columns: ['单位名称', '金额'] };
    expect(await readAllChunkings('\uFEFF单位名称,金额\r\n奉化某公司,100\r\n', spec)).toEqual([
      record(2, { 单位名称: '奉化某公司', 金额: '100' }),
    ]);
  });

  it('throws EMPTY_FILE for an empty, BOM-only or blank file', async () => {
    for (const input of ['', '\uFEFF', '\n\n', '\r\n  \r\n']) {
      const error = await readError(input);
      expect(error.code).toBe('EMPTY_FILE');
    }
  });

  it('throws BAD_ENCODING for GBK bytes in the header', async () => {
    const spec: CsvSpec = { columns: ['id', '中文'] };
    const error = await readError([Buffer.from('id,'), GBK_ZHONGWEN, Buffer.from('\n1,2\n')], spec);
    expect(error.code).toBe('BAD_ENCODING');
    expect(error.message).toBe('the header row (line 1) is not valid UTF-8 (GBK?); save the file as UTF-8');
  });

  it('throws BAD_ENCODING for UTF-16', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('id,name,amount\n', 'utf16le')]);
    const error = await readError(utf16);
    expect(error.code).toBe('BAD_ENCODING');
    expect(error.message).toContain('UTF-16');
  });

  it('throws BAD_HEADER when the header itself has a quote problem', async () => {
    const error = await readError('id,na"me,amount\nA1,x,1\n');
    expect(error.code).toBe('BAD_HEADER');
    expect(error.message).toMatch(/^the header row \(line 1\) could not be parsed as CSV/);
  });
});

describe('readCsvRecords: bad rows', () => {
  it('reports a GBK-encoded row on its own line and keeps the others', async () => {
    const input = [
      'id,name,amount\nA1,张三,1\nA2,',
      GBK_ZHONGWEN,
      ',2\nA3,李四,3\n',
    ];
    const rows = await readAllChunkings(input);
    expect(rows).toEqual([
      record(2, { id: 'A1', name: '张三', amount: '1' }),
      { kind: 'error', line: 3, field: 'name', message: 'not valid UTF-8 (GBK?) in field "name"; save the file as UTF-8' },
      record(4, { id: 'A3', name: '李四', amount: '3' }),
    ]);
  });

  it('reports a truncated UTF-8 sequence, and invalid bytes inside a multi-line value', async () => {
    const rows = await read([
      'id,name,amount\nA1,',
      Buffer.from([0xe4, 0xb8]), // first two bytes of 中
      ',1\nA2,"two\nlines ',
      Buffer.from([0xff]),
      '",2\nA3,z,3\n',
    ]);
    expect(rows).toEqual([
      { kind: 'error', line: 2, field: 'name', message: expect.stringContaining('not valid UTF-8') },
      { kind: 'error', line: 3, field: 'name', message: expect.stringContaining('not valid UTF-8') },
      record(5, { id: 'A3', name: 'z', amount: '3' }),
    ]);
  });

  it('reports rows with too many or too few fields', async () => {
    const rows = await readAllChunkings('id,name,amount\nA1,x,1\nA2,Acme, Ltd,2\nA3,y\nA4,z,4\n');
    expect(rows).toEqual([
      record(2, { id: 'A1', name: 'x', amount: '1' }),
      { kind: 'error', line: 3, message: 'expected 3 fields, one per header column, got 4 (a value containing a comma must be quoted)' },
      { kind: 'error', line: 4, message: 'expected 3 fields, one per header column, got 2' },
      record(5, { id: 'A4', name: 'z', amount: '4' }),
    ]);
  });

  it('reports a stray quote in an unquoted value once per record and carries on', async () => {
    const rows = await readAllChunkings('id,name,amount\nA1,12" screen,1\nA2,a"b"c,2\nA3,z,3\n');
    expect(rows).toEqual([
      { kind: 'error', line: 2, field: 'name', message: expect.stringContaining('quote appears inside an unquoted value') },
      { kind: 'error', line: 3, field: 'name', message: expect.stringContaining('quote appears inside an unquoted value') },
      record(4, { id: 'A3', name: 'z', amount: '3' }),
    ]);
  });

  it('reports a stray quote at the line the record starts on', async () => {
    const rows = await read('id,name,amount\n"A\n1",x"y,1\nA2,z,2\n');
    expect(rows).toEqual([
      { kind: 'error', line: 2, field: 'name', message: expect.stringContaining('quote') },
      record(4, { id: 'A2', name: 'z', amount: '2' }),
    ]);
  });

  it('stops at a quote that is never closed, saying which lines were not read', async () => {
    const rows = await readAllChunkings('id,name,amount\nA1,x,1\nA2,"unclosed,2\nA3,y,3\nA4,z,4\n');
    expect(rows).toEqual([
      record(2, { id: 'A1', name: 'x', amount: '1' }),
      {
        kind: 'error',
        line: 3,
        field: 'name',
        message: 'a quoted value is never closed; the rest of the file from line 3 was not read',
      },
    ]);
  });

  it('stops at text after a closing quote, since csv-parse would then read on inside the quote', async () => {
    const rows = await readAllChunkings('id,name,amount\nA1,x,1\nA2,"quoted"tail,2\nA3,y,3\n');
    expect(rows).toEqual([
      record(2, { id: 'A1', name: 'x', amount: '1' }),
      {
        kind: 'error',
        line: 3,
        field: 'name',
        message: 'a quoted value is followed by other text before the next comma or line end; the rest of the file from line 3 was not read',
      },
    ]);
  });

  it('stops with the record start line when an unclosed quote swallows more than maxRecordBytes', async () => {
    const lines = ['id,name,amount', 'A1,x,1', 'A2,"never closed,2'];
    for (let i = 3; i < 2000; i++) lines.push(`A${i},n,${i}`);
    const rows = await read(lines.join('\n'), { ...SPEC, maxRecordBytes: 1000 }, 256);
    expect(rows).toEqual([
      record(2, { id: 'A1', name: 'x', amount: '1' }),
      {
        kind: 'error',
        line: 3,
        field: 'name',
        message: 'a record is longer than 1000 bytes (a quote that is never closed?); the rest of the file from line 3 was not read',
      },
    ]);
  });

  it('reports an over-long field by name and carries on', async () => {
    const long = 'x'.repeat(10_001);
    const rows = await read(`id,name,amount\nA1,${long},1\nA2,${'y'.repeat(10_000)},2\n`);
    expect(rows).toEqual([
      { kind: 'error', line: 2, field: 'name', message: 'field "name" is 10001 characters long; the limit is 10000' },
      record(3, { id: 'A2', name: 'y'.repeat(10_000), amount: '2' }),
    ]);
  });

  it('measures field length in characters, not bytes, and takes the limit as an option', async () => {
    const spec: CsvSpec = { ...SPEC, maxFieldChars: 4 };
    const rows = await read('id,name,amount\nA1,张三李四,1\nA2,张三李四五,2\n', spec);
    expect(rows).toEqual([
      record(2, { id: 'A1', name: '张三李四', amount: '1' }),
      { kind: 'error', line: 3, field: 'name', message: 'field "name" is 5 characters long; the limit is 4' },
    ]);
  });

  it('raises the default record size cap when maxFieldChars needs it', async () => {
    const name = '中'.repeat(400_000); // 1.2 MB of UTF-8, more than the 1 MiB default cap
    const rows = await read(`id,name,amount\nA1,${name},1\n`, { ...SPEC, maxFieldChars: 500_000 }, 65_536);
    expect(rows).toEqual([record(2, { id: 'A1', name, amount: '1' })]);
  });

  it('yields exactly one row per record, in order, when problems are mixed', async () => {
    const rows = await readAllChunkings([
      'id,name,amount\r\n',
      'A1,ok,1\r\n',
      'A2,', GBK_ZHONGWEN, ',2\r\n',
      'A3,too,many,3\r\n',
      '\r\n',
      'A4,"multi\r\nline",4\r\n',
      'A5,bad"quote,5\r\n',
      'A6,ok,6',
    ]);
    expect(rows.map((row) => [row.kind, row.line])).toEqual([
      ['record', 2],
      ['error', 3],
      ['error', 4],
      ['record', 6],
      ['error', 8],
      ['record', 9],
    ]);
  });
});

describe('readCsvRecords: caps on line bytes and fields per record (issue 13, finding 9)', () => {
  const LIMITS: CsvSpec = { ...SPEC, maxLineBytes: 100, maxFields: 8 };

  it('reports a line of commas on its line, skips it and reads the rows after it', async () => {
    const rows = await readAllChunkings(`id,name,amount\nA1,x,1\n${','.repeat(5000)}\nA2,y,2\n`, LIMITS);
    expect(rows).toEqual([
      record(2, { id: 'A1', name: 'x', amount: '1' }),
      { kind: 'error', line: 3, message: expect.stringMatching(/^line 3 has more than 8 fields \(expected 3;.*skipped/) },
      record(4, { id: 'A2', name: 'y', amount: '2' }),
    ]);
  });

  it('still gives the exact count for a ragged row under the cap', async () => {
    const rows = await read('id,name,amount\nA1,a,b,c,d,e,f,g\n', LIMITS);
    expect(rows).toEqual([{ kind: 'error', line: 2, message: 'expected 3 fields, one per header column, got 8 (a value containing a comma must be quoted)' }]);
  });

  it('reports an over-long unquoted line and reads on', async () => {
    const rows = await readAllChunkings(`id,name,amount\nA1,${'x'.repeat(500)},1\nA2,y,2\n`, LIMITS);
    expect(rows).toEqual([
      { kind: 'error', line: 2, field: 'name', message: 'line 2 is longer than 100 bytes (in field "name"); it was skipped without being read' },
      record(3, { id: 'A2', name: 'y', amount: '2' }),
    ]);
  });

  it('skips an over-long quoted value to its closing quote, keeping line numbers and commas inside it', async () => {
    const value = `"${'a,'.repeat(100)}\n${'b,\n'.repeat(3)}${'c'.repeat(300)}"`;
    const rows = await readAllChunkings(`id,name,amount\nA1,${value},1\nA2,y,2\nA3,${'z,'.repeat(20)}3\nA4,w,4\n`, LIMITS);
    expect(rows).toEqual([
      { kind: 'error', line: 2, field: 'name', message: 'line 2 is longer than 100 bytes (in field "name"); it was skipped without being read' },
      record(7, { id: 'A2', name: 'y', amount: '2' }),
      { kind: 'error', line: 8, message: expect.stringContaining('line 8 has more than 8 fields') },
      record(9, { id: 'A4', name: 'w', amount: '4' }),
    ]);
  });

  it('names the physical line that is too long when the record started earlier', async () => {
    const rows = await read(`id,name,amount\nA1,"short\n${'x'.repeat(200)}",1\nA2,y,2\n`, LIMITS);
    expect(rows).toEqual([
      { kind: 'error', line: 2, field: 'name', message: 'line 2 is longer than 100 bytes (on line 3, in field "name"); it was skipped without being read' },
      record(4, { id: 'A2', name: 'y', amount: '2' }),
    ]);
  });

  it('says the rest was not read when the cut value never closes its quote', async () => {
    const rows = await read(`id,name,amount\nA1,x,1\nA2,"${'x'.repeat(200)}\nA3,y,3\n`, LIMITS);
    expect(rows).toEqual([
      record(2, { id: 'A1', name: 'x', amount: '1' }),
      { kind: 'error', line: 3, field: 'name', message: 'line 3 is longer than 100 bytes (in field "name"); it was skipped without being read' },
      { kind: 'error', line: 3, message: 'a quoted value is never closed; the rest of the file from line 3 was not read' },
    ]);
  });

  it('refuses a header over a cap as BAD_HEADER', async () => {
    const error = await readError(`id,name,amount${','.repeat(50)}\nA1,x,1\n`, LIMITS);
    expect(error.code).toBe('BAD_HEADER');
    expect(error.message).toContain('the header row (line 1) has more than 8 fields');
  });

  it('has defaults: 64 fields, 1 MiB per line (more when maxFieldChars needs it, never more than maxRecordBytes)', async () => {
    const rows = await read(`id,name,amount\n${','.repeat(64)}\n${','.repeat(63)}\nA1,${'x'.repeat(1200)},1\nA2,y,2\n`, { ...SPEC, maxRecordBytes: 1000, maxFieldChars: 10 });
    expect(rows).toEqual([
      { kind: 'error', line: 2, message: expect.stringContaining('has more than 64 fields') },
      { kind: 'error', line: 3, message: 'expected 3 fields, one per header column, got 64 (a value containing a comma must be quoted)' },
      { kind: 'error', line: 4, field: 'name', message: 'line 4 is longer than 1000 bytes (in field "name"); it was skipped without being read' },
      record(5, { id: 'A2', name: 'y', amount: '2' }),
    ]);
    const big = await read(`id,name,amount\nA1,${'x'.repeat((1 << 20) + 1)},1\nA2,y,2\n`, SPEC, 65_536);
    expect(big).toEqual([
      { kind: 'error', line: 2, field: 'name', message: 'line 2 is longer than 1048576 bytes (in field "name"); it was skipped without being read' },
      record(3, { id: 'A2', name: 'y', amount: '2' }),
    ]);
  });

  it('keeps memory flat on 8 MB of commas (one chunk of the stream at a time)', async () => {
    const before = process.memoryUsage().heapUsed;
    async function* commas(): AsyncGenerator<Buffer> {
      yield Buffer.from('id,name,amount\n');
      const chunk = Buffer.alloc(65_536, ',');
      for (let i = 0; i < 128; i++) yield chunk;
      yield Buffer.from('\nA1,x,1\n');
    }
    const rows: CsvRow[] = [];
    for await (const row of readCsvRecords(commas(), SPEC)) rows.push(row);
    expect(rows).toEqual([
      { kind: 'error', line: 2, message: expect.stringContaining('line 2 has more than 64 fields') },
      record(3, { id: 'A1', name: 'x', amount: '1' }),
    ]);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 << 20);
  });
});

describe('readCsvRecords: streams', () => {
  it('accepts a Node Readable', async () => {
    const rows: CsvRow[] = [];
    for await (const row of readCsvRecords(Readable.from([Buffer.from('id,name,amount\nA1,x,1\n')]), SPEC)) rows.push(row);
    expect(rows).toEqual([record(2, { id: 'A1', name: 'x', amount: '1' })]);
  });

  it('refuses decoded text chunks, whose bytes are already lost', async () => {
    const text = Readable.from(['id,name,amount\n'], { objectMode: true });
    await expect(async () => {
      for await (const row of readCsvRecords(text, SPEC)) void row;
    }).rejects.toThrow(TypeError);
  });

  it('passes on an error from the input', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from('id,name,amount\nA1,x,1\n');
      throw new Error('disk on fire');
    }
    const rows: CsvRow[] = [];
    await expect(async () => {
      for await (const row of readCsvRecords(failing(), SPEC)) rows.push(row);
    }).rejects.toThrow('disk on fire');
  });

  it('closes the input when the caller stops early', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<Buffer> {
      try {
        yield Buffer.from('id,name,amount\n');
        for (let i = 0; ; i++) yield Buffer.from(`A${i},x,1\n`);
      } finally {
        closed = true;
      }
    }
    for await (const row of readCsvRecords(source(), SPEC)) {
      expect(row.kind).toBe('record');
      break;
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(true);
  });

  it('streams 200,000 records without reading the whole input first', async () => {
    const total = 200_000;
    const perChunk = 1_000;
    let chunksProduced = 0;
    async function* source(): AsyncGenerator<Buffer> {
      yield Buffer.from('\uFEFFid,name,amount\r\n');
      for (let start = 0; start < total; start += perChunk) {
        let text = '';
        for (let i = start; i < start + perChunk; i++) text += `A${i},"名称 ${i}",${i % 997}.${i % 100}\r\n`;
        chunksProduced++;
        yield Buffer.from(text);
      }
    }
    let count = 0;
    let producedAtFirstRecord = -1;
    for await (const row of readCsvRecords(source(), SPEC)) {
      if (producedAtFirstRecord < 0) producedAtFirstRecord = chunksProduced;
      if (row.kind !== 'record') throw new Error(`unexpected ${JSON.stringify(row)}`);
      if (row.line !== count + 2 || row.fields.id !== `A${count}`) throw new Error(`out of order at ${count}: ${JSON.stringify(row)}`);
      count++;
    }
    expect(count).toBe(total);
    expect(producedAtFirstRecord).toBeLessThan(total / perChunk / 10); // consumption kept pace with production
  });
});

describe('readCsvRecords: property', () => {
  // Any table written as CSV, with any line endings, blank lines and chunking, reads back as written
  // (line breaks inside values coming back as \n) with each record on the line it starts.
  const value = fc
    .array(fc.constantFrom('a', 'Z', '9', ' ', ',', '"', '\n', '\r\n', '\r', '中', '文', '€', '🏛'), { maxLength: 8 })
    .map((parts) => parts.join(''));
  const table = fc.array(fc.tuple(value, value, value), { maxLength: 20 });

  it('round-trips generated tables', async () => {
    await fc.assert(
      fc.asyncProperty(
        table,
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.array(fc.nat({ max: 2 }), { minLength: 21, maxLength: 21 }),
        fc.integer({ min: 0, max: 17 }),
        async (rows, eol, blanks, chunkSize) => {
          const quote = (text: string): string => (/[",\r\n]/.test(text) || text.trim() === '' ? `"${text.replaceAll('"', '""')}"` : text);
          let text = `id,name,amount${eol}`;
          let line = 2;
          const expected: CsvRow[] = [];
          rows.forEach((row, i) => {
            text += eol.repeat(blanks[i] ?? 0);
            line += blanks[i] ?? 0;
            const [id = '', name = '', amount = ''] = row.map((v) => v.replace(/\r\n?/g, '\n'));
            expected.push(record(line, { id, name, amount }));
            text += row.map(quote).join(',') + eol;
            line += 1 + [id, name, amount].join('').split('\n').length - 1;
          });
          const got = await read(text, SPEC, chunkSize);
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('readCsvFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bursar-csv-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a file from disk', async () => {
    const path = join(dir, 'awards.csv');
    await writeFile(path, Buffer.concat([Buffer.from('\uFEFFid,name,amount\r\nA1,张三,1\r\nA2,'), GBK_ZHONGWEN, Buffer.from(',2\r\n')]));
    const rows: CsvRow[] = [];
    for await (const row of readCsvFile(path, SPEC)) rows.push(row);
    expect(rows).toEqual([
      record(2, { id: 'A1', name: '张三', amount: '1' }),
      { kind: 'error', line: 3, field: 'name', message: expect.stringContaining('not valid UTF-8 (GBK?)') },
    ]);
  });

  it('throws ValidationError for a bad header in a file', async () => {
    const path = join(dir, 'bad.csv');
    await writeFile(path, 'nope\n');
    await expect(async () => {
      for await (const row of readCsvFile(path, SPEC)) void row;
    }).rejects.toMatchObject({ code: 'BAD_HEADER' });
  });

  it('fails plainly for a missing file', async () => {
    await expect(async () => {
      for await (const row of readCsvFile(join(dir, 'missing.csv'), SPEC)) void row;
    }).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
