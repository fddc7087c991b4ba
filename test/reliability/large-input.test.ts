/**
 * Issue 7, part 4 — the giants of the hostile-input corpus, generated at test time into a temp
 * dir rather than committed: a 10 MB field, a 1,000,000-row award file, and (issue 13, finding 9)
 * a 50 MB line of commas.
 *
 * The million rows go through the CLI's reading path (the streaming CSV reader and record
 * validation) in a child process whose peak memory is measured. They are not submitted to DynamoDB
 * Local: at its ~100 transactions a second that would take hours, far too long for CI. (Note that
 * `awards submit` itself keeps one result per line for its report, so its memory does grow with the
 * number of lines; what must not grow is the reading.)
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AWARD_COLUMNS } from '../../shared/domain/award.ts';
import { freshTable, type TestTable } from '../support/dynamo.ts';
import { awardFields, usccFor } from '../support/records.ts';
import { runSession, type StepResult } from './support/session.ts';

const root = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'bursar-large-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const row = (fields: Record<string, string>) => AWARD_COLUMNS.map((c) => fields[c] ?? '').join(',');

describe('a 10 MB field', () => {
  const TEN_MB = 10 * 1024 * 1024;
  let table: TestTable;
  const runs: Record<string, { submit: StepResult; list: StepResult }> = {};

  beforeAll(async () => {
    table = await freshTable();
    const big = '长'.repeat(TEN_MB / 3); // 10 MB of UTF-8
    const files = {
      quoted: `"${big}"`, // a well-formed CSV value, just enormous
      unquoted: big,
    };
    const steps = [{ argv: ['budget', 'set', '--measure', '7', '--fiscal-year', '2025', '--amount-yuan', '1000000', '--by', 'finance-a'], env: { BURSAR_TABLE_NAME: table.tableName } }];
    for (const [i, [name, value]] of Object.entries(files).entries()) {
      const file = path.join(dir, `ten-mb-${name}.csv`);
      // Other enterprises per file: the same enterprise, measure and amount again would be a possible duplicate (issue 14).
      const fields = (n: number) => awardFields(10 * i + n, { award_id: `${name}-${n}` });
      const lines = [AWARD_COLUMNS.join(','), row(fields(1)), row({ ...fields(2), recipient_name: value }), row(fields(3))];
      writeFileSync(file, `${lines.join('\n')}\n`);
      steps.push({ argv: ['awards', 'submit', file], env: { BURSAR_TABLE_NAME: table.tableName } });
    }
    steps.push({ argv: ['awards', 'list'], env: { BURSAR_TABLE_NAME: table.tableName } });
    const [, quoted, unquoted, list] = await runSession(steps, { BURSAR_DYNAMODB_ENDPOINT: process.env['BURSAR_TEST_DYNAMODB_ENDPOINT']! });
    runs['quoted'] = { submit: quoted!, list: list! };
    runs['unquoted'] = { submit: unquoted!, list: list! };
  }, 60_000);
  afterAll(async () => { await table?.drop(); });

  test.each(['quoted', 'unquoted'])('%s: reported on its line and field, the lines before it go through, nothing of it is stored or echoed', (name) => {
    const { submit, list } = runs[name]!;
    expect(submit.code).toBe(0);
    const byLine = new Map((submit.json.results as { line: number; outcome: string; errors?: { field: string; message: string }[] }[]).map((r) => [r.line, r]));
    expect(byLine.get(2)).toMatchObject({ outcome: 'RESERVED' });
    expect(byLine.get(3)).toMatchObject({ outcome: 'INVALID', errors: [{ field: 'recipient_name', message: expect.any(String) }] });
    expect(byLine.get(3)!.errors![0]!.message.length).toBeLessThan(300);
    const ids = (list.json.awards as { award_id: string }[]).map((a) => a.award_id);
    expect(ids).toContain(`${name}-1`);
    expect(ids).not.toContain(`${name}-2`);
    expect(submit.stdout.length + submit.stderr.length).toBeLessThan(10_000); // the 10 MB value is not echoed
  });

  // README, "File formats": a field over 10,000 characters gets an error naming its line and
  // field, and reading goes on (the reader's record cap is far above any real record).
  test.each(['quoted', 'unquoted'])('%s: reading goes on after it (the line after is submitted)', (name) => {
    const { submit } = runs[name]!;
    const line4 = (submit.json.results as { line: number; outcome: string }[]).find((r) => r.line === 4);
    expect(line4).toMatchObject({ outcome: 'RESERVED' });
  });
});

/**
 * Streams `file` through the CLI's reading path in a child process (support/stream-awards.ts).
 * `nodeFlags` may cap the child's V8 heap: a reader that held the line would then crash instead of
 * passing, and a lazy garbage collector cannot make a bounded reader look unbounded (seen once in a
 * full run on a loaded machine: 270 MB peak with 9 MB of heap in use).
 */
async function streamAwards(file: string, validateEvery: number, nodeFlags: string[] = []): Promise<StreamSummary> {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', path.join(import.meta.dirname, 'support/stream-awards.ts'), file, String(validateEvery)], {
    cwd: root, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const code = await new Promise<number>((resolve) => child.once('close', (c) => resolve(c ?? -1)));
  if (code !== 0) throw new Error(`stream-awards exited with ${code}: ${stderr.slice(-2000)}`);
  return JSON.parse(stdout) as StreamSummary;
}

interface StreamSummary {
  rows: number; records: number; validated: number; ms: number; peakRssMb: number; rssAt100kMb: number; heapUsedMb: number;
  readErrors: { line: number; field?: string; message: string }[]; invalid: { line: number; fields: string[] }[];
}

describe.each([
  ['commas', ',', new RegExp(`^line 3 has more than \\d+ fields \\(expected ${AWARD_COLUMNS.length};`), undefined],
  ['one unquoted value', 'x', /^line 3 is longer than \d+ bytes \(in field "award_id"\); it was skipped/, 'award_id'],
])('a 50 MB line of %s (issue 13, finding 9)', (name, fill, message, field) => {
  const FIFTY_MB = 50 * 1024 * 1024;
  let summary: StreamSummary;

  beforeAll(async () => {
    const file = path.join(dir, `fifty-mb-${fill === ',' ? 'commas' : 'value'}.csv`);
    const fd = openSync(file, 'w');
    try {
      writeSync(fd, `${AWARD_COLUMNS.join(',')}\n${row(awardFields(1, { award_id: 'C-1' }))}\n`);
      const commas = Buffer.alloc(1024 * 1024, fill);
      for (let written = 0; written < FIFTY_MB; written += commas.length) writeSync(fd, commas);
      writeSync(fd, `\n${row(awardFields(2, { award_id: 'C-2' }))}\n`);
    } finally {
      closeSync(fd);
    }
    summary = await streamAwards(file, 1, ['--max-old-space-size=128']);
  }, 120_000);

  test('gives a clear error for that line, and the row after it is still read', () => {
    expect(summary.readErrors).toEqual([{ line: 3, ...(field ? { field } : {}), message: expect.stringMatching(message) }]);
    expect(summary.records).toBe(2);
    expect(summary.invalid).toEqual([]);
  });

  test('memory stays bounded: peak RSS under 200 MB', () => {
    expect(summary.peakRssMb).toBeLessThan(200);
  });
});

describe('a 1,000,000-row award file', () => {
  const ROWS = 1_000_000;
  const GBK_LINE = 250_001; // a row with a GBK-encoded name
  const RAGGED_LINE = 500_001; // a row with a field missing
  const BAD_AMOUNT_LINE = 750_000; // a row with an exponent amount (on a validated line)
  let summary: StreamSummary;

  beforeAll(async () => {
    const file = path.join(dir, 'million.csv');
    const usccs = Array.from({ length: 1000 }, (_, i) => usccFor(i + 1));
    const fd = openSync(file, 'w');
    try {
      // The columns before issue 14's optional project_ref: a file without it reads as before.
      writeSync(fd, `${AWARD_COLUMNS.filter((c) => c !== 'project_ref').join(',')}\n`);
      let chunk: string[] = [];
      for (let i = 0; i < ROWS; i++) {
        const line = i + 2;
        const name = line === GBK_LINE ? '\u0000GBK\u0000' : `宁波测试制造有限公司${i}`;
        const amount = line === BAD_AMOUNT_LINE ? '1e3' : '1000.00';
        let text = `M-${i},7,${name},${usccs[i % 1000]},${amount},2025-03-01,2025-04-01,EITB,,中国银行宁波奉化支行,62170000${String(i).padStart(8, '0')}`;
        if (line === RAGGED_LINE) text = text.slice(0, text.lastIndexOf(','));
        chunk.push(text);
        if (chunk.length === 20_000 || i === ROWS - 1) {
          // The GBK row is written as bytes: 中文 in GBK is D6 D0 CE C4.
          const bytes = Buffer.from(`${chunk.join('\n')}\n`, 'utf8');
          const marker = bytes.indexOf('\u0000GBK\u0000');
          writeSync(fd, marker < 0 ? bytes : Buffer.concat([bytes.subarray(0, marker), Buffer.from([0xd6, 0xd0, 0xce, 0xc4]), bytes.subarray(marker + 5)]));
          chunk = [];
        }
      }
    } finally {
      closeSync(fd);
    }

    summary = await streamAwards(file, 10);
    if (process.env['BURSAR_TEST_VERBOSE']) console.log(summary);
  }, 120_000);

  test('every line is read once, and the bad ones are reported on their own line and field', () => {
    expect(summary.rows).toBe(ROWS);
    expect(summary.records).toBe(ROWS - 2);
    expect(summary.readErrors.map((e) => [e.line, e.field ?? 'record'])).toEqual([[GBK_LINE, 'recipient_name'], [RAGGED_LINE, 'record']]);
    expect(summary.validated).toBe(ROWS / 10);
    expect(summary.invalid).toEqual([{ line: BAD_AMOUNT_LINE, fields: ['amount_yuan'] }]);
  });

  test('memory stays bounded: peak RSS under 300 MB, and flat after the first 100,000 rows', () => {
    // The file is ~110 MB; as parsed rows it would be several times that.
    expect(summary.peakRssMb).toBeLessThan(300);
    expect(summary.peakRssMb - summary.rssAt100kMb).toBeLessThan(64);
    expect(summary.heapUsedMb).toBeLessThan(100);
  });
});
