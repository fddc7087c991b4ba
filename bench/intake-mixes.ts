import { writeFileSync } from 'node:fs';
import { sampleAwardLines, seededRandom } from '../cli/demo/sample-data.ts';
import { MEASURES } from '../shared/domain/catalog.ts';
import { formatYuan } from '../shared/domain/money.ts';

/** An award file and the FY2025 budget (fen) per measure that goes with it. */
export interface IntakeMix {
  name: 'today' | 'realistic';
  lines: string[];
  budgets: Map<number, number>;
}

/** Demand (fen) per measure of award lines (sample data: no quoted cells). */
function demandOf(lines: string[]): Map<number, number> {
  const demand = new Map<number, number>();
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    const measure = Number(cells[1]);
    demand.set(measure, (demand.get(measure) ?? 0) + Math.round(Number(cells[4]) * 100));
  }
  return demand;
}

/**
 * Today's mix: half the awards on measure 1, whose budget covers ~60% of its demand (it runs out
 * part-way), interleaved with awards across the other 26 measures, whose budgets are ample.
 */
export function todayMix(count: number): IntakeMix {
  const half = Math.floor(count / 2);
  const hot = [...sampleAwardLines({ count: half, seed: 1, flawed: false, measures: [1], idPrefix: 'HOT' })];
  const rest = [...sampleAwardLines({ count: count - half, seed: 2, flawed: false, measures: Array.from({ length: 26 }, (_, i) => i + 2), idPrefix: 'ALL' })];
  const lines = [hot[0]!];
  for (let i = 1; i < Math.max(hot.length, rest.length); i++) {
    if (hot[i]) lines.push(hot[i]!);
    if (rest[i]) lines.push(rest[i]!);
  }
  const budgets = new Map([...demandOf(lines)].map(([m, fen]) => [m, m === 1 ? Math.floor(fen * 0.6) : fen * 10]));
  return { name: 'today', lines, budgets };
}

/**
 * The realistic mix: awards across all 27 measures in random order of approved_date (files arrive
 * out of order), and every envelope budgeted at about half its demand, so each envelope's strict
 * queue forms part-way through the file and later awards join it.
 */
export function realisticMix(count: number, seed = 20250122): IntakeMix {
  const [header, ...rows] = [...sampleAwardLines({ count, seed, flawed: false, measures: MEASURES.map((m) => m.number), idPrefix: 'MIX' })];
  const rand = seededRandom(seed + 1);
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  const lines = [header!, ...rows];
  const budgets = new Map([...demandOf(lines)].map(([m, fen]) => [m, Math.floor(fen / 2)]));
  return { name: 'realistic', lines, budgets };
}

/** Writes the award file and the budget file (`measure,fiscal_year,amount_yuan`) of a mix. */
export function writeMix(mix: IntakeMix, awardsFile: string, budgetsFile?: string): void {
  writeFileSync(awardsFile, `${mix.lines.join('\n')}\n`);
  if (budgetsFile) {
    const rows = [...mix.budgets].sort(([a], [b]) => a - b).map(([m, fen]) => `${m},2025,${formatYuan(fen)}`);
    writeFileSync(budgetsFile, `${['measure,fiscal_year,amount_yuan', ...rows].join('\n')}\n`);
  }
}
