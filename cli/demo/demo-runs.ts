import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { BursarError } from '../../shared/domain/errors.ts';
import { csvRecord } from '../../shared/domain/csv-format.ts';
import { formatYuanGrouped } from '../../shared/domain/money.ts';
import { SETTLEMENT_COLUMNS } from '../../shared/domain/settlement.ts';
import { approveRun } from '../../shared/services/approve-run.ts';
import { fiscalSummary } from '../../shared/services/fiscal-summary.ts';
import { resultRowsFromFile, settleRun } from '../../shared/services/settle-run.ts';
import { table, type Output } from '../output.ts';
import { requestRun, runStoreOf } from '../run-requests.ts';
import type { Runtime } from '../runtime.ts';
import { runText } from '../commands/run-views.ts';

const MAKER = 'finance-wang';
const CHECKER = 'finance-zhao';
const FAILURE_REASONS = ['账户已销户 account closed', '户名不符 payee name does not match', '开户行行号错误 wrong bank code'];

/**
 * The disbursement part of `npm start`: prepare the period's run, show four eyes refusing the
 * preparer, approve as a second person, export the payment files, fabricate the bank's results with
 * a few failed payments, settle them (and re-import to show nothing changes twice), then print the
 * fiscal summary. prepare/approve/export go through the run-request handler, as the CLI does.
 */
export async function demoRuns(runtime: Runtime, out: Output, opts: { period: string; outDir: string }): Promise<void> {
  mkdirSync(opts.outDir, { recursive: true });
  const runs = runStoreOf(runtime);

  let started = Date.now();
  const prepared = await requestRun(runtime, { action: 'prepare', period: opts.period, by: MAKER });
  out.info(`Prepared ${prepared.run.run_id} as ${MAKER} in ${((Date.now() - started) / 1000).toFixed(1)} s:`);
  out.info(indent(runText(prepared.run)));

  try {
    await approveRun({ runs, clock: runtime.clock }, { run_id: prepared.run.run_id, by: MAKER });
    throw new Error('four eyes did not refuse the preparer');
  } catch (error) {
    if (!(error instanceof BursarError) || error.code !== 'SAME_PERSON') throw error;
    out.info(`Four eyes: ${MAKER} may not approve the run they prepared (${error.code}).`);
  }
  const approved = await approveRun({ runs, clock: runtime.clock }, { run_id: prepared.run.run_id, by: CHECKER });
  out.info(`Approved by ${CHECKER}: ${approved.run.status}.`);

  const exported = await requestRun(runtime, { action: 'export', run_id: prepared.run.run_id }, { outDir: opts.outDir });
  out.info('Payment files (the full account numbers are only in these):');
  for (const file of [...exported.export!.files, exported.export!.manifest]) out.info(`  ${file}`);

  // The bank's answer: every payment PAID except a few.
  const resultsFile = path.join(opts.outDir, `${prepared.run.run_id}-bank-results.csv`);
  const failed = await writeBankResults(runs, prepared.run.run_id, prepared.run.award_count, resultsFile);
  started = Date.now();
  const settled = await settleRun({ runs, clock: runtime.clock }, { run_id: prepared.run.run_id, rows: resultRowsFromFile(resultsFile), by: CHECKER });
  out.info(`Settled ${resultsFile} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${settled.paid} paid (${formatYuanGrouped(settled.paid_fen)} yuan), ` +
    `${settled.failed} failed (${formatYuanGrouped(settled.failed_fen)} yuan); run is ${settled.run_status}.`);
  for (const f of failed) out.info(`  ${f.award_id} failed: ${f.reason} - back to RESERVED, it waits for the next period's run`);
  const again = await settleRun({ runs, clock: runtime.clock }, { run_id: prepared.run.run_id, rows: resultRowsFromFile(resultsFile), by: CHECKER });
  out.info(`Importing the same file again changes nothing: ${again.paid} paid, ${again.failed} failed, ${again.unchanged} already settled.`);

  const fy = Number(opts.period.slice(0, 4));
  const summary = await fiscalSummary({ ledger: runtime.ledger, runs }, fy);
  const y = formatYuanGrouped;
  const rate = (r: number | null) => (r === null ? '-' : `${(r * 100).toFixed(2)}%`);
  out.info(`\n预算执行情况 Budget execution, FY${fy} (yuan; measures with a budget):`);
  out.info(table(
    ['#', 'measure', 'budget', 'reserved', 'batched', 'paid', 'available', 'waitlisted', 'rate'],
    [
      ...summary.measures.filter((m) => m.has_envelope).map((m) => [
        m.measure, m.title_zh, y(m.budget_fen), y(m.reserved_fen), y(m.batched_fen), y(m.paid_fen), y(m.available_fen), y(m.waitlisted_fen), rate(m.execution_rate),
      ]),
      ['', '合计 total', y(summary.total.budget_fen), y(summary.total.reserved_fen), y(summary.total.batched_fen), y(summary.total.paid_fen),
        y(summary.total.available_fen), y(summary.total.waitlisted_fen), rate(summary.total.execution_rate)],
    ],
  ));
  const paidMonths = summary.monthly_paid.filter((m) => m.paid_fen > 0);
  out.info(`Paid per month: ${paidMonths.map((m) => `${m.month} ${y(m.paid_fen)}`).join(', ') || 'none yet'}`);
  out.info(`(bursar summary --fiscal-year ${fy} --format xlsx --out FILE writes the full summary with sections, units and months)`);
}

/** Writes a results file for every payment of the run: PAID, but for a few FAILED ones. */
async function writeBankResults(runs: ReturnType<typeof runStoreOf>, runId: string, count: number, file: string) {
  const failEvery = Math.max(2, Math.floor(count / 3));
  const failed: { award_id: string; reason: string }[] = [];
  const stream = createWriteStream(file);
  const write = async (text: string) => { if (!stream.write(text)) await once(stream, 'drain'); };
  await write(csvRecord(SETTLEMENT_COLUMNS));
  let i = 0;
  for await (const item of runs.listRunItems(runId)) {
    if (i % failEvery === 1 && failed.length < 3) {
      const reason = FAILURE_REASONS[failed.length % FAILURE_REASONS.length]!;
      failed.push({ award_id: item.award_id, reason });
      await write(csvRecord([item.award_id, 'FAILED', '', reason]));
    } else {
      await write(csvRecord([item.award_id, 'PAID', `BOC${runId.slice(4).replace('-', '')}${String(i + 1).padStart(6, '0')}`, '']));
    }
    i++;
  }
  stream.end();
  await once(stream, 'finish');
  return failed;
}

const indent = (text: string) => text.split('\n').map((l) => `  ${l}`).join('\n');
