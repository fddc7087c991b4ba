import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { submitAwardFile } from '../cli/submit-awards.ts';
import { setBudget } from '../shared/services/budget.ts';
import { committedFen } from '../shared/domain/envelope.ts';
import type { Runtime } from '../cli/runtime.ts';
import type { CapacityMeter } from './capacity-meter.ts';
import { todayMix, writeMix } from './intake-mixes.ts';

export interface IntakeFigures {
  awards: number;
  seconds: number;
  awards_per_second: number;
  reserved: number;
  waitlisted: number;
  write_units: number;
  write_units_per_reserved: number;
  overspent_envelopes: number;
  figures_match_awards: boolean;
}

/**
 * Today's intake mix (bench/intake-mixes.ts), 20,000 awards by default, submitted in-process through
 * the real intake handler and the local queue runtime, with every write's capacity metered.
 */
export async function benchIntake(runtime: Runtime, meter: CapacityMeter, opts: { count: number; concurrency: number; batchSize: number }): Promise<IntakeFigures> {
  const mix = todayMix(opts.count);
  const dir = mkdtempSync(path.join(tmpdir(), 'bursar-bench-'));
  const file = path.join(dir, 'awards.csv');
  writeMix(mix, file);
  for (const [measure, budget] of mix.budgets) {
    await setBudget(runtime.ledger, runtime.clock, { measure, fiscal_year: 2025, amount_fen: budget, by: 'bench' });
  }

  meter.reset();
  const started = process.hrtime.bigint();
  const report = await submitAwardFile(runtime, file, { concurrency: opts.concurrency, batchSize: opts.batchSize });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const writeUnits = meter.writeUnits;

  // Correctness: nothing overspent, and the envelope figures equal the sums over award records.
  const sums = new Map<number, number>();
  for await (const award of runtime.ledger.listAwards({ status: 'RESERVED' })) sums.set(award.measure, (sums.get(award.measure) ?? 0) + award.amount_fen);
  const envelopes = await runtime.ledger.listEnvelopes(2025);
  const overspent = envelopes.filter((e) => committedFen(e) > e.budget_fen || e.available_fen < 0).length;
  const match = envelopes.every((e) => (sums.get(e.measure) ?? 0) === e.reserved_fen);
  return {
    awards: report.submitted,
    seconds,
    awards_per_second: report.submitted / seconds,
    reserved: report.reserved,
    waitlisted: report.waitlisted,
    write_units: writeUnits,
    write_units_per_reserved: report.reserved > 0 ? writeUnits / report.reserved : 0,
    overspent_envelopes: overspent,
    figures_match_awards: match,
  };
}
