import type { Command } from 'commander';
import { HOLD_REASONS, type HoldReason } from '../../shared/domain/award.ts';
import { ValidationError } from '../../shared/domain/errors.ts';
import { formatYuanGrouped } from '../../shared/domain/money.ts';
import { resolveUnit, type UnitCode } from '../../shared/domain/units.ts';
import type { HoldDecision } from '../../shared/services/holds.ts';
import { withRuntime } from '../context.ts';
import { table } from '../output.ts';
import { intOption } from '../parse-options.ts';
import type { EventsFactory } from './budget.ts';
import { awardView } from './views.ts';

/** `bursar holds`: awards HELD for a person's decision (issue 14). */
export function registerHolds(program: Command, events: EventsFactory = () => undefined): void {
  const holds = program.command('holds').description('held awards: list, release, reject');

  holds
    .command('list')
    .description('awards waiting for a decision')
    .option('--reason <reason>', `one of ${HOLD_REASONS.join(', ')}`, (v: string) => {
      if (!HOLD_REASONS.includes(v as HoldReason)) throw new ValidationError('BAD_OPTION', `--reason must be one of ${HOLD_REASONS.join(', ')}`, { field: '--reason' });
      return v as HoldReason;
    })
    .option('--unit <code>', 'approving unit (code or Chinese name)', (v: string) => {
      const unit = resolveUnit(v);
      if (!unit) throw new ValidationError('BAD_OPTION', '--unit must be a unit code such as EITB', { field: '--unit' });
      return unit;
    })
    .option('--fiscal-year <year>', 'fiscal year', intOption('--fiscal-year', 2000, 2100))
    .action(async (opts: { reason?: HoldReason; unit?: UnitCode; fiscalYear?: number }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const { listHolds } = await import('../../shared/services/holds.ts');
        const found = await listHolds(runtime.ledger, {
          ...(opts.reason ? { reason: opts.reason } : {}), ...(opts.unit ? { unit: opts.unit } : {}),
          ...(opts.fiscalYear ? { fiscal_year: opts.fiscalYear } : {}),
        });
        out.result({ holds: found.map((a) => awardView(a)) }, () => found.length === 0 ? 'No held awards.'
          : table(['award', 'reason', 'since', 'keeps money', 'unit', 'measure', 'FY', 'amount', 'recipient'],
            found.map((a) => [a.award_id, a.hold?.reason ?? '', a.hold?.at ?? '', a.hold?.keeps_reservation ? 'yes' : 'no', a.approving_unit, a.measure, a.fiscal_year, formatYuanGrouped(a.amount_fen), a.recipient_uscc])));
      });
    });

  holds
    .command('release <id>')
    .description('release a held award: planned like a new arrival (or RESERVED again if it kept its money)')
    .requiredOption('--note <text>', 'why (recorded in the award history)')
    .requiredOption('--by <name>', 'who decides (recorded)')
    .action(async (id: string, opts: { note: string; by: string }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const { releaseHold } = await import('../../shared/services/holds.ts');
        const result = await releaseHold({ ledger: runtime.ledger, clock: runtime.clock, ...await eventsOf(events, runtime) }, { award_id: id, note: opts.note, by: opts.by });
        out.result(decisionView(result), () => describe(id, 'released', result));
      });
    });

  holds
    .command('reject <id>')
    .description('reject a held award (REJECTED): money it kept returns and the queue is served')
    .requiredOption('--reason <text>', 'why (recorded in the award history)')
    .requiredOption('--by <name>', 'who decides (recorded)')
    .action(async (id: string, opts: { reason: string; by: string }, command: Command) => {
      await withRuntime(command, async (runtime, out) => {
        const { rejectHold } = await import('../../shared/services/holds.ts');
        const result = await rejectHold({ ledger: runtime.ledger, clock: runtime.clock, ...await eventsOf(events, runtime) }, { award_id: id, reason: opts.reason, by: opts.by });
        out.result(decisionView(result), () => describe(id, 'rejected', result));
      });
    });
}

async function eventsOf(events: EventsFactory, runtime: Parameters<EventsFactory>[0]) {
  const e = await events(runtime);
  return e ? { events: e } : {};
}

export function decisionView(r: HoldDecision) {
  return { award: awardView(r.award), changed: r.changed, drained: r.drained };
}

function describe(id: string, verb: string, r: HoldDecision): string {
  return [
    r.changed ? `${id} ${verb}: now ${r.award.status}${r.award.reason ? ` (${r.award.reason})` : ''}.` : `${id} was already ${verb}; nothing changed.`,
    ...(r.drained.length > 0 ? [`Reserved from the waitlist: ${r.drained.join(', ')}`] : []),
  ].join('\n');
}
