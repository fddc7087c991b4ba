import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { formatYuanGrouped } from '../../shared/domain/money.ts';
import { withRuntime } from '../context.ts';
import { runText, runView } from './run-views.ts';

/** Exit code of `run verify` when a file or the manifest differs. */
export const VERIFY_DIFFERS_EXIT = 2;

/**
 * `bursar run reissue | release-failed | verify`: the payment-integrity actions (issue 13) beside
 * prepare/approve/export/settle. Added to the `run` command registered by runs.ts.
 */
export function registerPaymentIntegrity(program: Command): void {
  const run = program.commands.find((c) => c.name() === 'run');
  if (!run) throw new Error('register the run command first');

  run
    .command('reissue <runId>')
    .description('ask for a new payment file of an exported run, holding only unsettled payments; a second person approves it (run approve) before it is exported')
    .requiredOption('--reason <text>', 'why the file is re-issued')
    .requiredOption('--by <name>', 'who asks (may not approve the re-issue)')
    .action(async (runId: string, opts: { reason: string; by: string }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        // Services and the store load with the command, not at every start (AWS SDK).
        const [{ reissueRun }, { runStoreOf }] = await Promise.all([import('../../shared/services/reissue-run.ts'), import('../run-requests.ts')]);
        const updated = await reissueRun({ runs: runStoreOf(runtime), clock: runtime.clock }, { run_id: runId, reason: opts.reason, by: opts.by });
        out.result(runView(updated), () => runText(updated));
      });
    });

  run
    .command('release-failed <runId>')
    .description('release RETURNED awards (failed payments) to RESERVED for the next run; refused for whoever imported the failure')
    .option('--award <id>', 'only this award')
    .requiredOption('--by <name>', 'who releases')
    .action(async (runId: string, opts: { award?: string; by: string }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const [{ releaseFailed }, { runStoreOf }] = await Promise.all([import('../../shared/services/release-failed.ts'), import('../run-requests.ts')]);
        const result = await releaseFailed({ runs: runStoreOf(runtime), clock: runtime.clock }, { run_id: runId, by: opts.by, ...(opts.award ? { award_id: opts.award } : {}) });
        out.result(result, () => `${result.run_id}: released ${result.released} award(s), ${formatYuanGrouped(result.released_fen)} yuan, for the next run: ${result.award_ids.join(', ')}`);
      });
    });

  run
    .command('verify <runId>')
    .description('check exported files against the signed manifest and the approved digest (exit 0 all match, 2 something differs)')
    .requiredOption('--dir <dir>', 'the directory holding the exported files')
    .action(async (runId: string, opts: { dir: string }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const [{ verifyExport }, { runStoreOf }, { manifestSignerOf }] = await Promise.all([
          import('../../shared/services/verify-export.ts'), import('../run-requests.ts'), import('../manifest-signer.ts'),
        ]);
        const result = await verifyExport({ runs: runStoreOf(runtime), signer: manifestSignerOf(runtime) }, {
          run_id: runId,
          read: async (name) => {
            if (name !== path.basename(name)) return undefined;
            try { return await readFile(path.join(opts.dir, name)); } catch { return undefined; }
          },
        });
        out.result(result, () => result.ok
          ? `${result.run_id}: ${result.checked.length} file(s) match the signed manifest and the approved digest.`
          : [`${result.run_id}: ${result.differences.length} difference(s):`, ...result.differences.map((d) => `  ${d.file}: ${d.problem} — ${d.detail}`)].join('\n'));
        return result.ok ? 0 : VERIFY_DIFFERS_EXIT;
      });
    });
}
