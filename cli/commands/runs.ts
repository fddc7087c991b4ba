import os from 'node:os';
import type { Command } from 'commander';
import { NotFoundError } from '../../shared/domain/errors.ts';
import { formatYuanGrouped } from '../../shared/domain/money.ts';
import { MAX_BATCH_SIZE, checkRunId } from '../../shared/domain/run-batching.ts';
import { withRuntime } from '../context.ts';
import { intOption } from '../parse-options.ts';
import { runText, runView, runsTable } from './run-views.ts';

/**
 * `bursar run …`: monthly disbursement runs. prepare and export go through the run-request handler
 * (as SQS would drive it in AWS); approve, show, list and settle work on the store directly.
 */
export function registerRuns(program: Command): void {
  const run = program.command('run').description('monthly disbursement runs: prepare, approve (four eyes), export, settle');

  run
    .command('prepare')
    .description('put every RESERVED award approved on or before the end of the period, and in no run, into the period\'s run')
    .requiredOption('--period <YYYY-MM>', 'the accounting period, e.g. 2025-04')
    .requiredOption('--by <name>', 'who prepares the run (may not approve it)')
    .option('--batch-size <n>', `most payments per batch (default 500)`, intOption('--batch-size', 1, MAX_BATCH_SIZE))
    .action(async (opts: { period: string; by: string; batchSize?: number }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const { requestRun } = await import('../run-requests.ts');
        const outcome = await requestRun(runtime, { action: 'prepare', period: opts.period, by: opts.by }, {
          prepare: { ...(opts.batchSize ? { batchSize: opts.batchSize } : {}) },
        });
        out.result(runView(outcome.run), () => runText(outcome.run));
      });
    });

  run
    .command('approve <runId>')
    .description('approve a prepared run\'s digest (or its pending re-issue); refused (SAME_PERSON) for whoever prepared, sealed or re-issued it')
    .requiredOption('--by <name>', 'who approves')
    .option('--digest <sha256:…>', 'the digest you checked (`run show`); refused with DIGEST_MISMATCH when the run no longer has it')
    .action(async (runId: string, opts: { by: string; digest?: string }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        // Never through the run-request queue (issue 13, finding 5): approved here, as the API does.
        const [{ approveRun }, { runStoreOf }] = await Promise.all([import('../../shared/services/approve-run.ts'), import('../run-requests.ts')]);
        const { run: approved } = await approveRun({ runs: runStoreOf(runtime), clock: runtime.clock }, {
          run_id: runId, by: opts.by, ...(opts.digest !== undefined ? { digest: opts.digest } : {}),
        });
        out.result(runView(approved), () => runText(approved));
      });
    });

  run
    .command('export <runId>')
    .description('write the payment files of an approved run (once), or of its approved re-issue: CSV for the bank, XLSX, and a signed manifest with SHA-256s')
    .requiredOption('--out <dir>', 'directory for the files (created mode 0600; existing files are refused unless --force)')
    .option('--force', 'replace files of the same names already in the directory')
    .action(async (runId: string, opts: { out: string; force?: boolean }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const { requestRun } = await import('../run-requests.ts');
        const outcome = await requestRun(runtime, { action: 'export', run_id: runId }, { outDir: opts.out, overwrite: opts.force === true });
        const files = outcome.export!;
        out.result({ files: files.files, manifest: files.manifest, ...(files.signature ? { signature: files.signature } : {}), ...(files.reissue ? { reissue: files.reissue } : {}) }, () => [
          `Exported ${outcome.run.run_id}: ${outcome.run.award_count} payment(s), ${formatYuanGrouped(outcome.run.total_fen)} yuan.`,
          ...files.files.map((f) => `  ${f}`),
          `  ${files.manifest}`,
        ].join('\n'));
      });
    });

  run
    .command('settle <runId>')
    .description('import the bank results (CSV: award_id,status,reference,reason; status PAID or FAILED)')
    .requiredOption('--results <file>', 'the results CSV')
    .option('--by <name>', 'who imports (recorded; may not release the failed payments). Default: the operating-system user')
    .action(async (runId: string, opts: { results: string; by?: string }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const { runStoreOf } = await import('../run-requests.ts');
        const { resultRowsFromFile, settleRun } = await import('../../shared/services/settle-run.ts');
        const result = await settleRun({ runs: runStoreOf(runtime), clock: runtime.clock }, {
          run_id: runId, rows: resultRowsFromFile(opts.results), by: opts.by ?? os.userInfo().username,
        });
        out.result(result, () => [
          `${result.run_id}: ${result.paid} paid (${formatYuanGrouped(result.paid_fen)} yuan), ${result.failed} failed (${formatYuanGrouped(result.failed_fen)} yuan)` +
            `${result.unchanged ? `, ${result.unchanged} already settled` : ''}.`,
          result.outstanding > 0 ? `${result.outstanding} payment(s) still wait for a result; run is ${result.run_status}.` : `Run is ${result.run_status}.`,
          ...(result.failed > 0 ? ['Failed payments are RETURNED: a reviewer who did not import this file releases them (`run release-failed`) or cancels them.'] : []),
          ...(result.warnings ?? []).map((w) => `warning: ${w}`),
        ].join('\n'));
      });
    });

  run
    .command('show <runId>')
    .description('a run with its batches and control totals')
    .action(async (runId: string, _opts: unknown, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const { runStoreOf } = await import('../run-requests.ts');
        const found = await runStoreOf(runtime).getRun(checkRunId(runId));
        if (!found) throw new NotFoundError('run', runId);
        out.result(runView(found), () => runText(found));
      });
    });

  run
    .command('list')
    .description('all runs')
    .action(async (_opts: unknown, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const { runStoreOf } = await import('../run-requests.ts');
        const runs = await runStoreOf(runtime).listRuns();
        out.result({ runs: runs.map(runView) }, () => runsTable(runs));
      });
    });
}
