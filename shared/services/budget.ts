import { findMeasure } from '../domain/catalog.ts';
import { committedFen, DEFAULT_ALERT_THRESHOLDS, envelopeLabel, type Envelope, type EnvelopeKey } from '../domain/envelope.ts';
import { formatYuan } from '../domain/money.ts';
import { fiscalYearClosed } from '../domain/year-close.ts';
import { BursarError, TransientError, ValidationError } from '../domain/errors.ts';
import type { Ledger } from '../ports/ledger.ts';
import { noEnvelopeEvents, type EnvelopeEvents } from '../ports/envelope-events.ts';
import { backoff } from '../retry/backoff.ts';
import type { Clock } from './clock.ts';
import { drainWaitlist } from './drain-waitlist.ts';

export interface SetBudgetCommand extends EnvelopeKey {
  amount_fen: number;
  by: string;
  alert_at?: number[];
  /** Issue 14: the per-enterprise cap of this measure and fiscal year (kept when not given). */
  enterprise_cap_fen?: number;
}

export interface SetBudgetResult {
  envelope: Envelope;
  changed: boolean;
  drained: string[];
}

const MAX_ATTEMPTS = 30;

export function checkEnvelopeKey(key: EnvelopeKey): void {
  if (findMeasure(key.measure) === undefined) {
    throw new ValidationError('UNKNOWN_MEASURE', `measure ${key.measure} is not one of the policy's 27 measures`, { field: 'measure' });
  }
  if (!Number.isInteger(key.fiscal_year) || key.fiscal_year < 2000 || key.fiscal_year > 2100) {
    throw new ValidationError('BAD_FISCAL_YEAR', `fiscal year ${key.fiscal_year} is not a year such as 2025`, { field: 'fiscal_year' });
  }
}

/** Thresholds are whole percentages of the budget, 1-100, given in any order; stored ascending, unique. */
export function normaliseThresholds(values: readonly number[]): number[] {
  for (const v of values) {
    if (!Number.isInteger(v) || v < 1 || v > 100) {
      throw new ValidationError('BAD_ALERT_THRESHOLD', `alert threshold ${v} must be a whole percentage from 1 to 100`, { field: 'alert_at' });
    }
  }
  if (values.length === 0) throw new ValidationError('BAD_ALERT_THRESHOLD', 'at least one alert threshold is needed', { field: 'alert_at' });
  return [...new Set(values)].sort((a, b) => a - b);
}

/**
 * Create an envelope or change its total. A total below what is already committed (reserved +
 * batched + paid) is refused. Every change is audited; money that appears serves the waitlist.
 */
export async function setBudget(
  ledger: Ledger, clock: Clock, cmd: SetBudgetCommand, events: EnvelopeEvents = noEnvelopeEvents,
): Promise<SetBudgetResult> {
  const key = { measure: cmd.measure, fiscal_year: cmd.fiscal_year };
  checkEnvelopeKey(key);
  if (!Number.isSafeInteger(cmd.amount_fen) || cmd.amount_fen < 0) {
    throw new ValidationError('BAD_AMOUNT', 'budget must be zero or a positive amount of yuan', { field: 'amount_yuan' });
  }
  const by = cmd.by.trim();
  if (by === '') throw new ValidationError('MISSING_ACTOR', 'who makes the change is required (--by NAME)', { field: 'by' });

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (attempt > 0) await backoff(attempt);
    const current = await ledger.getEnvelope(key);
    if (current?.status === 'CLOSED') throw fiscalYearClosed(key);
    const committed = current ? committedFen(current) : 0;
    if (cmd.amount_fen < committed) {
      throw new BursarError(
        'BUDGET_BELOW_COMMITTED',
        `${envelopeLabel(key)}: a budget of ${formatYuan(cmd.amount_fen)} yuan is below the ${formatYuan(committed)} yuan already committed`,
        { ...key, committed_fen: committed, requested_fen: cmd.amount_fen },
      );
    }
    const alertAt = normaliseThresholds(cmd.alert_at ?? current?.alert_at ?? [...DEFAULT_ALERT_THRESHOLDS]);
    if (cmd.enterprise_cap_fen !== undefined && (!Number.isSafeInteger(cmd.enterprise_cap_fen) || cmd.enterprise_cap_fen <= 0)) {
      throw new ValidationError('BAD_AMOUNT', 'the enterprise cap must be a positive amount of yuan', { field: 'enterprise_cap_yuan' });
    }
    const unchanged = current?.budget_set === true && current.budget_fen === cmd.amount_fen
      && JSON.stringify(current.alert_at) === JSON.stringify(alertAt)
      && (cmd.enterprise_cap_fen === undefined || cmd.enterprise_cap_fen === current.enterprise_cap_fen);
    if (unchanged) {
      // Re-running the same command changes nothing and writes no audit entry.
      const drained = await drainWaitlist(ledger, clock, key);
      return { envelope: (await ledger.getEnvelope(key)) ?? current, changed: false, drained };
    }
    const at = clock.now();
    const result = await ledger.writeBudget(
      key,
      current?.version,
      {
        budget_fen: cmd.amount_fen, available_fen: cmd.amount_fen - committed, alert_at: alertAt,
        ...(cmd.enterprise_cap_fen !== undefined ? { enterprise_cap_fen: cmd.enterprise_cap_fen } : {}),
      },
      {
        at, by, old_budget_fen: current?.budget_set ? current.budget_fen : null, new_budget_fen: cmd.amount_fen, alert_at: alertAt,
        ...(cmd.enterprise_cap_fen !== undefined ? { enterprise_cap_fen: cmd.enterprise_cap_fen } : {}),
      },
    );
    if (!result.ok) continue; // the envelope moved under us: read it again and re-check the cut
    const drained = await drainWaitlist(ledger, clock, key);
    await events.envelopeChanged(key, {});
    const envelope = await ledger.getEnvelope(key);
    if (!envelope) throw new Error(`${envelopeLabel(key)} vanished after it was written`);
    return { envelope, changed: true, drained };
  }
  throw new TransientError(`${envelopeLabel(key)}: the envelope kept changing; try again`);
}
