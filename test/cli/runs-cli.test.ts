import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { runCli } from './run-cli.ts';
import { awardFields } from '../support/records.ts';
import { AWARD_COLUMNS } from '../../shared/domain/award.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'bursar-cli-runs-'));
const env = {
  BURSAR_DYNAMODB_ENDPOINT: process.env['BURSAR_TEST_DYNAMODB_ENDPOINT']!,
  BURSAR_TABLE_NAME: `cli-runs-${process.pid}-${Date.now()}`,
};
const cli = (...args: string[]) => runCli(args, env);

afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

describe('bursar run and summary (real process, DynamoDB Local)', () => {
  beforeAll(() => {
    expect(cli('budget', 'set', '--measure', '7', '--fiscal-year', '2025', '--amount-yuan', '100000', '--by', 'finance-a').code).toBe(0);
    const file = path.join(dir, 'awards.csv');
    const rows = Array.from({ length: 6 }, (_, i) => awardFields(i + 1, { approved_date: i < 5 ? `2025-04-0${i + 1}` : '2025-05-01', amount_yuan: `${i + 1}000.50` }));
    writeFileSync(file, `${AWARD_COLUMNS.join(',')}\n${rows.map((r) => AWARD_COLUMNS.map((c) => r[c] ?? '').join(',')).join('\n')}\n`);
    expect(cli('awards', 'submit', file).json).toMatchObject({ reserved: 6 });
  });

  test('prepare → four eyes → approve → export → settle, with the documented JSON shapes; reconcile stays clean', () => {
    const prepared = cli('run', 'prepare', '--period', '2025-04', '--by', 'Wang Fang', '--batch-size', '3');
    expect(prepared.code).toBe(0);
    expect(prepared.json).toMatchObject({
      run_id: 'RUN-2025-04', period: '2025-04', status: 'PREPARED', prepared_by: 'Wang Fang', award_count: 5, total_fen: 1_500_250,
      batches: [
        { batch_id: 'RUN-2025-04-M07-EITB-001', measure: 7, unit: 'EITB', count: 3, total_fen: 600_150 },
        { batch_id: 'RUN-2025-04-M07-EITB-002', measure: 7, unit: 'EITB', count: 2, total_fen: 900_100 },
      ],
    });
    expect(cli('run', 'prepare', '--period', '2025-04', '--by', 'someone').json).toMatchObject({ run_id: 'RUN-2025-04', award_count: 5, prepared_by: 'Wang Fang' });

    const early = cli('run', 'export', 'RUN-2025-04', '--out', path.join(dir, 'out'));
    expect([early.code, early.json.error.code]).toEqual([1, 'NOT_APPROVED']);
    const same = cli('run', 'approve', 'RUN-2025-04', '--by', 'wang fang');
    expect([same.code, same.json.error.code]).toEqual([1, 'SAME_PERSON']);
    expect(cli('run', 'approve', 'RUN-2025-04', '--by', 'Zhao Lei').json).toMatchObject({ status: 'APPROVED', approved_by: 'Zhao Lei' });

    // Issue 13, finding 11: a symlink planted at one of the names refuses the export as a whole:
    // nothing is written (not through the link, not beside it) and the run stays APPROVED.
    const outDir = path.join(dir, 'out');
    mkdirSync(outDir);
    const victim = path.join(dir, 'victim.txt');
    writeFileSync(victim, 'do not touch');
    symlinkSync(victim, path.join(outDir, 'RUN-2025-04-payments.xlsx'));
    const planted = cli('run', 'export', 'RUN-2025-04', '--out', outDir);
    expect([planted.code, planted.json.error.code]).toEqual([1, 'FILE_EXISTS']);
    expect(readFileSync(victim, 'utf8')).toBe('do not touch');
    expect(readdirSync(outDir)).toEqual(['RUN-2025-04-payments.xlsx']);
    expect(cli('run', 'show', 'RUN-2025-04').json.status).toBe('APPROVED');
    unlinkSync(path.join(outDir, 'RUN-2025-04-payments.xlsx'));

    const exported = cli('run', 'export', 'RUN-2025-04', '--out', path.join(dir, 'out'));
    expect(exported.json).toEqual({
      files: [path.join(dir, 'out', 'RUN-2025-04-payments.csv'), path.join(dir, 'out', 'RUN-2025-04-payments.xlsx')],
      manifest: path.join(dir, 'out', 'RUN-2025-04-manifest.json'),
      signature: path.join(dir, 'out', 'RUN-2025-04-manifest.json.sig'),
    });
    expect(exported.json.files.every((f: string) => existsSync(f))).toBe(true);
    // Private to their owner: they hold full account numbers.
    for (const f of [...exported.json.files, exported.json.manifest, exported.json.signature]) expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(readdirSync(outDir).sort()).toEqual(['RUN-2025-04-manifest.json', 'RUN-2025-04-manifest.json.sig', 'RUN-2025-04-payments.csv', 'RUN-2025-04-payments.xlsx']);
    // Exported once (issue 13): a second export is refused and writes nothing.
    const twice = cli('run', 'export', 'RUN-2025-04', '--out', path.join(dir, 'again'));
    expect([twice.code, twice.json.error.code, existsSync(path.join(dir, 'again', 'RUN-2025-04-payments.csv'))]).toEqual([1, 'ALREADY_EXPORTED', false]);
    // The signed manifest verifies (exit 0); a swapped payment file is named (exit 2).
    expect(cli('run', 'verify', 'RUN-2025-04', '--dir', path.join(dir, 'out'))).toMatchObject({ code: 0, json: { ok: true } });
    const csvPath = path.join(dir, 'out', 'RUN-2025-04-payments.csv');
    const original = readFileSync(csvPath);
    writeFileSync(csvPath, original.toString('utf8').replace('6217000000000003', '6217000000000099'));
    const swapped = cli('run', 'verify', 'RUN-2025-04', '--dir', path.join(dir, 'out'));
    expect(swapped).toMatchObject({ code: 2, json: { ok: false, differences: [{ file: 'RUN-2025-04-payments.csv', problem: 'SHA256_DIFFERS' }] } });
    writeFileSync(csvPath, original);

    const results = path.join(dir, 'results.csv');
    writeFileSync(results, 'award_id,status,reference,reason\nA-00001,PAID,R-1,\nA-00002,FAILED,,account closed\nA-00003,PAID,R-3,\nA-00004,PAID,R-4,\nA-00005,PAID,R-5,\n');
    const settled = cli('run', 'settle', 'RUN-2025-04', '--results', results, '--by', 'Clerk Sun');
    expect(settled.json).toMatchObject({ paid: 4, failed: 1, run_status: 'SETTLED', outstanding: 0, warnings: [expect.stringContaining('amount_yuan')] });
    expect(cli('run', 'settle', 'RUN-2025-04', '--results', results).json).toMatchObject({ paid: 0, failed: 0, unchanged: 5 });
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'award_id,status,reference,reason\nA-00006,PAID,R-6,\n');
    expect(cli('run', 'settle', 'RUN-2025-04', '--results', bad).json.error.code).toBe('NOT_IN_RUN');

    expect(cli('run', 'show', 'RUN-2025-04').json).toMatchObject({ status: 'SETTLED', paid_count: 4, failed_count: 1, failed_fen: 200_050 });
    expect(cli('run', 'list').json.runs.map((r: { run_id: string }) => r.run_id)).toEqual(['RUN-2025-04']);
    // The failed award is RETURNED until a second person releases it; then it waits for the next run.
    expect(cli('run', 'release-failed', 'RUN-2025-04', '--by', 'clerk sun').json.error.code).toBe('SAME_PERSON');
    expect(cli('run', 'release-failed', 'RUN-2025-04', '--by', 'Zhao Lei').json).toMatchObject({ released: 1, released_fen: 200_050, award_ids: ['A-00002'] });
    expect(cli('run', 'prepare', '--period', '2025-05', '--by', 'Wang Fang').json).toMatchObject({ award_count: 2, total_fen: 200_050 + 600_050 });

    // Awards, envelopes and runs agree (the reconciliation engineer's check, through the RunReader).
    expect(cli('reconcile', '--fiscal-year', '2025')).toMatchObject({ code: 0, json: { clean: true } });

    // A recovery (追回) on a paid award shows on the award (issue 15).
    const recovery = cli('recover', 'open', 'A-00001', '--amount-yuan', '100', '--reason', '重复申报', '--by', 'fin-li').json;
    expect(recovery).toMatchObject({ recovery_id: 'REC-A-00001-1', status: 'DUE', amount_fen: 10_000 });
    expect(cli('awards', 'show', 'A-00001').json).toMatchObject({ recovery_claimed_fen: 10_000, recoveries: [{ recovery_id: 'REC-A-00001-1', status: 'DUE', reason: '重复申报' }] });

    const shown = cli('awards', 'show', 'A-00002');
    expect(shown.json.payee_account).toBe('********0002');
    expect(shown.json.recoveries).toEqual([]);
    expect(shown.stdout).not.toContain('6217000000000002');
    expect(readFileSync(path.join(dir, 'out', 'RUN-2025-04-payments.csv'), 'utf8')).toContain('6217000000000002');
  }, 180_000); // many CLI processes, each starting tsx, on a shared machine

  test('summary: JSON by default with --json; CSV with bilingual headers; XLSX to a file', async () => {
    const json = cli('summary', '--fiscal-year', '2025');
    expect(json.json.measures).toHaveLength(27);
    expect(json.json.measures[6]).toMatchObject({ measure: 7, budget_fen: 10_000_000 });
    expect(Object.keys(json.json)).toEqual(['fiscal_year', 'policy', 'measures', 'sections', 'units', 'total', 'monthly_paid']);

    const csvFile = path.join(dir, 'summary.csv');
    expect(cli('summary', '--fiscal-year', '2025', '--format', 'csv', '--out', csvFile).json).toMatchObject({ format: 'csv', file: csvFile });
    const csv = readFileSync(csvFile, 'utf8');
    expect(csv.startsWith('\ufeff类别 / Row type,篇 / Section,条 / Measure')).toBe(true);
    expect(csv).toContain('合计 / Total');
    expect(csv.endsWith('\r\n') && !csv.replaceAll('\r\n', '').includes('\n')).toBe(true);
    // Issue 13, finding 11: 0600, no silent overwrite, --force replaces (a symlink itself, never its target).
    expect(statSync(csvFile).mode & 0o777).toBe(0o600);
    const again = cli('summary', '--fiscal-year', '2025', '--format', 'json', '--out', csvFile);
    expect([again.code, again.json.error.code]).toEqual([1, 'FILE_EXISTS']);
    expect(readFileSync(csvFile, 'utf8')).toBe(csv);
    const linked = path.join(dir, 'summary-link.json');
    const victim = path.join(dir, 'summary-victim.txt');
    writeFileSync(victim, 'do not touch');
    symlinkSync(victim, linked);
    expect(cli('summary', '--fiscal-year', '2025', '--format', 'json', '--out', linked).json.error.code).toBe('FILE_EXISTS');
    expect(cli('summary', '--fiscal-year', '2025', '--format', 'json', '--out', linked, '--force').code).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('do not touch');
    expect(lstatSync(linked).isSymbolicLink()).toBe(false);
    expect(JSON.parse(readFileSync(linked, 'utf8')).fiscal_year).toBe(2025);
    expect(statSync(linked).mode & 0o777).toBe(0o600);

    const xlsxFile = path.join(dir, 'summary.xlsx');
    expect(cli('summary', '--fiscal-year', '2025', '--format', 'xlsx', '--out', xlsxFile).code).toBe(0);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(xlsxFile);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getCell('A2').value).toBe('类别 / Row type');
    expect(sheet.getCell('C9').value).toBe('7'); // measure 7 is the 7th data row
    expect(sheet.getCell('H9').value).toBe(100_000);
    expect(sheet.getCell('A1').value).toBe('奉政办发〔2025〕2号 2025年度预算执行情况 / Budget execution, FY2025');
    expect(sheet.name).toBe('2025 预算执行 Budget execution');
    expect(sheet.getCell('N2').font?.bold).toBe(true);
    // Issues 13-15 append columns after the rate: returned … net paid, the burn rate and the forecast date.
    expect(sheet.getCell('O2').value).toBe('退回待处理(元) / Returned (yuan)');
    expect(sheet.getCell('X2').value).toBe('预计用尽日期 / Forecast exhaustion date');
    expect(json.json.measures[6]).toHaveProperty('net_paid_fen');
    expect(sheet.getCell('H9').numFmt).toBe('#,##0.00');
    expect([sheet.getCell('N9').value, sheet.getCell('N9').numFmt]).toEqual([json.json.measures[6].execution_rate, '0.00%']);
    // One row per CSV record, after the title: the same table.
    const csvRows = csv.slice(1).split('\r\n').filter((l) => l !== '');
    expect(sheet.rowCount).toBe(csvRows.length + 1);
    sheet.eachRow((row) => row.eachCell((cell) => expect(cell.type).not.toBe(ExcelJS.ValueType.Formula)));
    expect(cli('summary', '--fiscal-year', '2025', '--format', 'xlsx').json.error.code).toBe('BAD_OPTION');
  }, 180_000); // many CLI processes, each starting tsx, on a shared machine
});
