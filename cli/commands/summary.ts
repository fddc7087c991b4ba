import path from 'node:path';
import type { Command } from 'commander';
import { createLocalFile } from '../../shared/adapters/files/local-dir-sink.ts';
import { ValidationError } from '../../shared/domain/errors.ts';
import { fiscalSummary } from '../../shared/services/fiscal-summary.ts';
import { withRuntime } from '../context.ts';
import { intOption } from '../parse-options.ts';
import { summaryText } from './run-views.ts';

const FORMATS = ['table', 'json', 'csv', 'xlsx'] as const;
type Format = (typeof FORMATS)[number];

/**
 * `bursar summary --fiscal-year Y [--format table|json|csv|xlsx] [--out FILE]`: the budget-execution
 * summary. Without --out it goes to stdout (xlsx needs --out); with --out the file is written and
 * the command reports where. --json alone means --format json.
 */
export function registerSummary(program: Command): void {
  program
    .command('summary')
    .description('budget-execution summary (预算执行情况) of a fiscal year: per measure, section, unit, total and month')
    .requiredOption('--fiscal-year <year>', 'fiscal year, e.g. 2025', intOption('--fiscal-year', 2000, 2100))
    .option('--format <format>', `one of ${FORMATS.join(', ')}`, (v: string) => {
      if (!FORMATS.includes(v as Format)) throw new ValidationError('BAD_OPTION', `--format must be one of ${FORMATS.join(', ')}`, { field: '--format' });
      return v as Format;
    })
    .option('--out <file>', 'write the summary to this file (mode 0600; an existing file is refused unless --force)')
    .option('--force', 'replace the --out file if it exists')
    .action(async (opts: { fiscalYear: number; format?: Format; out?: string; force?: boolean }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const [{ runStoreOf }, { summaryCsv, writeSummaryWorkbook }, { writeText }] = await Promise.all([
          import('../run-requests.ts'), import('../../shared/files/summary-files.ts'), import('../../shared/files/write-text.ts'),
        ]);
        const format: Format = opts.format ?? (out.json ? 'json' : 'table');
        if (!opts.out && (format === 'xlsx' || (out.json && format === 'csv'))) {
          throw new ValidationError('BAD_OPTION', `--format ${format} needs --out FILE${format === 'csv' ? ' together with --json' : ''}`, { field: '--out' });
        }
        const summary = await fiscalSummary({ ledger: runtime.ledger, runs: runStoreOf(runtime), clock: runtime.clock }, opts.fiscalYear);
        if (!opts.out) {
          if (format === 'csv') process.stdout.write(summaryCsv(summary));
          else out.result(summary, () => (format === 'json' ? JSON.stringify(summary, null, 2) : summaryText(summary)));
          return;
        }
        const file = path.resolve(opts.out);
        // Same rules as the payment files: private, exclusive, never through a symlink, atomic.
        const writer = createLocalFile(file, { overwrite: opts.force === true });
        try {
          if (format === 'xlsx') {
            await writeSummaryWorkbook(summary, writer.stream);
          } else {
            const text = format === 'csv' ? summaryCsv(summary) : format === 'json' ? `${JSON.stringify(summary, null, 2)}\n` : `${summaryText(summary)}\n`;
            await writeText(writer.stream, text);
          }
          await writer.commit();
        } catch (error) {
          await writer.abort();
          throw error;
        }
        out.result({ fiscal_year: summary.fiscal_year, format, file }, () => `Wrote the FY${summary.fiscal_year} summary (${format}) to ${file}.`);
      });
    });
}
