import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sampleAwardLines } from '../cli/demo/sample-data.ts';
import { submitAwardFile } from '../cli/submit-awards.ts';
import { setBudget } from '../shared/services/budget.ts';
import { committedFen } from '../shared/domain/envelope.ts';
import type { Runtime } from '../cli/runtime.ts';
import type { CapacityMeter } from './capacity-meter.ts';

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
 * 20,000 valid awards (by default) across the 27 envelopes, half on measure 1 whose budget covers
 * only part of its demand, submitted through the real intake handler and the local queue runtime.
 */
export async function benchIntake(runtime: Runtime, meter: CapacityMeter, opts: { count: number; concurrency: number; batchSize: number }): Promise<IntakeFigures> {
  const half = Math.floor(opts.count / 2);
  const hot = [...sampleAwardLines({ count: half, seed: 1, flawed: false, measures: [1], idPrefix: 'HOT' })];
  const rest = [...sampleAwardLines({ count: opts.count - half, seed: 2, flawed: false, measures: Array.from({ length: 26 }, (_, i) => i + 2), idPrefix: 'ALL' })];
  const lines = [hot[0]!];
  for (let i = 1; i < Math.max(hot.length, rest.length); i++) {
    if (hot[i]) lines.push(hot[i]!);
    if (rest[i]) lines.push(rest[i]!);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'bursar-bench-'));
  const file = path.join(dir, 'awards.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);

  // Budgets: measure 1 covers ~60% of its demand (it runs out part-way); the others are ample.
  const demand = new Map<number, number>();
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    const measure = Number(cells[1]);
    demand.set(measure, (demand.get(measure) ?? 0) + Math.round(Number(cells[4]) * 100));
  }
  for (const [measure, fen] of demand) {
    const budget = measure === 1 ? Math.floor(fen * 0.6) : fen * 10;
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
