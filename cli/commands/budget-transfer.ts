import type { Command } from 'commander';
import { formatYuanGrouped } from '../../shared/domain/money.ts';
import { transferBudget, type TransferResult } from '../../shared/services/transfer-budget.ts';
import { withRuntime } from '../context.ts';
import { intOption, yuanOption } from '../parse-options.ts';
import type { EventsFactory } from './budget.ts';
import { envelopeView } from './views.ts';

/** `bursar budget transfer`: move budget from one measure's envelope to another's (调剂). */
export function registerBudgetTransfer(budget: Command, events: EventsFactory): void {
  budget
    .command('transfer')
    .description("move budget between two measures' envelopes of one fiscal year (one transaction, audited in both)")
    .requiredOption('--fiscal-year <year>', 'fiscal year, e.g. 2025', intOption('--fiscal-year', 2000, 2100))
    .requiredOption('--from-measure <n>', 'the measure giving money', intOption('--from-measure', 1, 999))
    .requiredOption('--to-measure <n>', 'the measure receiving it', intOption('--to-measure', 1, 999))
    .requiredOption('--amount-yuan <amount>', 'how much, in yuan', yuanOption('--amount-yuan'))
    .requiredOption('--reason <text>', 'why (audited)')
    .requiredOption('--by <name>', 'who makes the transfer (audited)')
    .option('--transfer-id <id>', 'idempotency key (default: derived from the arguments and the Asia/Shanghai day)')
    .action(async (opts: { fiscalYear: number; fromMeasure: number; toMeasure: number; amountYuan: number; reason: string; by: string; transferId?: string }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const result = await transferBudget(runtime.ledger, runtime.clock, {
          fiscal_year: opts.fiscalYear, from_measure: opts.fromMeasure, to_measure: opts.toMeasure, amount_fen: opts.amountYuan,
          reason: opts.reason, by: opts.by, ...(opts.transferId ? { transfer_id: opts.transferId } : {}),
        }, await events(runtime));
        out.result(transferView(result), () => describeTransfer(result));
      });
    });
}

export function transferView(r: TransferResult) {
  return { transfer_id: r.transfer_id, from: envelopeView(r.from), to: envelopeView(r.to), drained: r.drained, changed: r.changed };
}

function describeTransfer(r: TransferResult): string {
  const lines = [
    `${r.changed ? 'Transferred' : 'Already done:'} ${r.transfer_id}: measure ${r.from.measure} -> measure ${r.to.measure} FY${r.from.fiscal_year}.`,
    `measure ${r.from.measure}: budget ${formatYuanGrouped(r.from.budget_fen)}, available ${formatYuanGrouped(r.from.available_fen)}`,
    `measure ${r.to.measure}: budget ${formatYuanGrouped(r.to.budget_fen)}, available ${formatYuanGrouped(r.to.available_fen)}`,
  ];
  if (r.drained.length > 0) lines.push(`Reserved ${r.drained.length} waiting award(s): ${r.drained.join(', ')}`);
  return lines.join('\n');
}
