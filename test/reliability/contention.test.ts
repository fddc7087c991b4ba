/**
 * Issue 7, part 2 — contention across processes.
 *
 * Four real `bursar awards submit` processes work on one table of the shared DynamoDB Local at the
 * same moment, with overlapping award files (shared award ids, identical content), against one
 * envelope whose budget covers exactly K of the awards. Afterwards: exactly K are RESERVED, nothing
 * is overspent, every award is stored once, every repeat of an award in another file is reported as
 * a DUPLICATE by all processes but one, and the envelope's figures equal the sums over the stored
 * awards (and `bursar reconcile`, where present, says clean).
 *
 * A true start barrier: each process reads its award file from a named pipe (FIFO). Opening a FIFO
 * for reading blocks until a writer opens it, so every process has started, opened its store and
 * begun reading before any of them sees a record; the test then writes all four files at once.
 * Small batches (--batch-size 5, --concurrency 3) make the processes' transactions interleave.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AWARD_COLUMNS } from '../../shared/domain/award.ts';
import { setBudget } from '../../shared/services/budget.ts';
import { freshTable, type TestTable } from '../support/dynamo.ts';
import { awardFields, ledgerOn, tickingClock } from '../support/records.ts';
import type { CliRun } from '../cli/run-cli.ts';
import { runSession, type StepResult } from './support/session.ts';
import { spawnCli } from './support/spawn-cli.ts';

const root = path.resolve(import.meta.dirname, '../..');
const PROCESSES = 4;
const DISTINCT = 80; // award ids A-00001 … A-00080
const PER_FILE = 40; // file p holds ids p*14+1 … p*14+40 (mod 80): every id is in 1, 2 or 3 files
const STRIDE = 14;
const AFFORDABLE = 30; // the budget covers exactly this many awards of 1,000 yuan
const AMOUNT_FEN = 100_000;

interface Line { award_id?: string; line: number; outcome: string; reason?: string }
interface StoredAward { award_id: string; status: string; amount_fen: number; submission_id: string; created_at: string; line: number }

const dir = mkdtempSync(path.join(tmpdir(), 'bursar-contention-'));
let table: TestTable;
let env: Record<string, string>;
const runs: CliRun[] = [];
const fileIds: number[][] = [];
let stored: StoredAward[] = [];
let envelope: Record<string, number>;
let reconciled: StepResult | undefined;
// `bursar reconcile` belongs to issue 4; when its command is in the tree, it must agree.
const reconcileExists = existsSync(path.join(root, 'cli/commands/reconcile.ts'));

/** Ids of file p, in a per-file shuffled order so the processes meet each award at different times. */
function idsOf(p: number): number[] {
  const ids = Array.from({ length: PER_FILE }, (_, i) => ((p * STRIDE + i) % DISTINCT) + 1);
  let seed = 7919 * (p + 1);
  for (let i = ids.length - 1; i > 0; i--) {
    seed = (seed * 48271) % 2147483647;
    const j = seed % (i + 1);
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  return ids;
}

function csvOf(ids: number[]): string {
  const rows = ids.map((n) => AWARD_COLUMNS.map((c) => awardFields(n)[c] ?? '').join(','));
  return `${AWARD_COLUMNS.join(',')}\n${rows.join('\n')}\n`;
}

beforeAll(async () => {
  table = await freshTable();
  env = { BURSAR_DYNAMODB_ENDPOINT: process.env['BURSAR_TEST_DYNAMODB_ENDPOINT']!, BURSAR_TABLE_NAME: table.tableName };
  // The envelope is set up directly (the CLI's `budget set` is exercised elsewhere): one process less.
  await setBudget(ledgerOn(table), tickingClock(), { measure: 7, fiscal_year: 2025, amount_fen: AFFORDABLE * AMOUNT_FEN, by: 'finance-a' });

  const fifos = Array.from({ length: PROCESSES }, (_, p) => {
    const fifo = path.join(dir, `awards-${p}.csv`);
    execFileSync('mkfifo', [fifo]);
    fileIds.push(idsOf(p));
    return fifo;
  });
  const started = Date.now();
  const children = fifos.map((fifo) => spawnCli(['awards', 'submit', fifo, '--batch-size', '5', '--concurrency', '3'], env));
  // Each open resolves once its process has opened the pipe for reading: all four are then ready.
  const writers = await Promise.all(fifos.map((fifo) => open(fifo, 'w')));
  const ready = Date.now();
  await Promise.all(writers.map(async (w, p) => {
    await w.writeFile(csvOf(fileIds[p]!));
    await w.close();
  }));
  runs.push(...(await Promise.all(children.map((c) => c.done))));
  if (process.env['BURSAR_TEST_VERBOSE']) console.log(`4 submits: ready after ${ready - started} ms, done ${Date.now() - ready} ms later`);

  // What the store holds afterwards, read through the CLI (one process for all the read-outs).
  const [listed, shown, reconcile] = await runSession([
    { argv: ['awards', 'list'] },
    { argv: ['budget', 'show', '--fiscal-year', '2025'] },
    ...(reconcileExists ? [{ argv: ['reconcile', '--fiscal-year', '2025'] }] : []),
  ], env);
  expect(listed!.code).toBe(0);
  stored = listed!.json.awards;
  expect(shown!.code).toBe(0);
  envelope = shown!.json.envelopes.find((e: { measure: number }) => e.measure === 7);
  reconciled = reconcile;
}, 110_000);

afterAll(async () => {
  await table?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('four processes submitting overlapping award files to one envelope at once', () => {
  test('every process finishes cleanly and reports every line of its file', () => {
    for (const [p, run] of runs.entries()) {
      expect({ process: p, code: run.code, stderr: run.stderr.slice(-500) }).toEqual({ process: p, code: 0, stderr: expect.any(String) });
      expect(run.json).toMatchObject({ submitted: PER_FILE, rejected: 0, conflicts: 0, invalid: 0, dead_lettered: 0 });
      expect(run.json.results.map((r: Line) => r.line)).toEqual(Array.from({ length: PER_FILE }, (_, i) => i + 2));
    }
  });

  test('the processes really overlapped in time (the barrier worked)', () => {
    const spans = new Map<string, [string, string]>();
    for (const a of stored) {
      const span = spans.get(a.submission_id);
      spans.set(a.submission_id, span ? [a.created_at < span[0] ? a.created_at : span[0], a.created_at > span[1] ? a.created_at : span[1]] : [a.created_at, a.created_at]);
    }
    const list = [...spans.values()];
    expect(list.length).toBeGreaterThanOrEqual(2); // awards were created by at least two of the processes
    const overlapping = list.some((a, i) => list.some((b, j) => i !== j && a[0] <= b[1] && b[0] <= a[1]));
    expect(overlapping).toBe(true);
  });

  test('exactly the affordable number is reserved, the rest wait, and nothing is overspent', () => {
    const byStatus = (s: string) => stored.filter((a) => a.status === s);
    expect(byStatus('RESERVED')).toHaveLength(AFFORDABLE);
    expect(byStatus('WAITLISTED')).toHaveLength(DISTINCT - AFFORDABLE);
    expect(envelope['reserved_fen']! + envelope['batched_fen']! + envelope['paid_fen']!).toBeLessThanOrEqual(envelope['budget_fen']!);
    expect(envelope).toMatchObject({ budget_fen: AFFORDABLE * AMOUNT_FEN, available_fen: 0 });
  });

  test('every award id is stored exactly once', () => {
    const ids = stored.map((a) => a.award_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(Array.from({ length: DISTINCT }, (_, i) => `A-${String(i + 1).padStart(5, '0')}`));
  });

  test('each award is decided by exactly one process; every other process reports it as a DUPLICATE', () => {
    const reports = new Map<string, Line[]>();
    for (const run of runs) {
      for (const r of run.json.results as Line[]) reports.set(r.award_id!, [...(reports.get(r.award_id!) ?? []), r]);
    }
    const occurrences = new Map<string, number>();
    for (const ids of fileIds) for (const n of ids) occurrences.set(`A-${String(n).padStart(5, '0')}`, (occurrences.get(`A-${String(n).padStart(5, '0')}`) ?? 0) + 1);
    expect([...new Set(occurrences.values())].sort()).toEqual([1, 2, 3]); // the files really overlap
    for (const [id, lines] of reports) {
      const deciding = lines.filter((l) => l.outcome !== 'DUPLICATE');
      expect({ id, deciding: deciding.map((l) => l.outcome) }).toEqual({ id, deciding: [expect.stringMatching(/^(RESERVED|WAITLISTED)$/)] });
      expect({ id, duplicates: lines.length - 1 }).toEqual({ id, duplicates: occurrences.get(id)! - 1 });
    }
    const totalDuplicates = runs.reduce((n, r) => n + r.json.duplicates, 0);
    expect(totalDuplicates).toBe(PROCESSES * PER_FILE - DISTINCT);
  });

  test('an award reported RESERVED is RESERVED in the store (a WAITLISTED report may since have been served)', () => {
    const status = new Map(stored.map((a) => [a.award_id, a.status]));
    for (const run of runs) {
      for (const r of run.json.results as Line[]) if (r.outcome === 'RESERVED') expect({ id: r.award_id, status: status.get(r.award_id!) }).toEqual({ id: r.award_id, status: 'RESERVED' });
    }
  });

  test('the envelope figures equal the sums over the award records', () => {
    const sum = (s: string) => stored.filter((a) => a.status === s).reduce((n, a) => n + a.amount_fen, 0);
    expect(envelope).toMatchObject({
      reserved_fen: sum('RESERVED'),
      batched_fen: sum('BATCHED'),
      paid_fen: sum('PAID'),
      waitlisted_fen: sum('WAITLISTED'),
      waitlisted_count: stored.filter((a) => a.status === 'WAITLISTED').length,
    });
    expect(envelope['available_fen']).toBe(envelope['budget_fen']! - envelope['reserved_fen']! - envelope['batched_fen']! - envelope['paid_fen']!);
  });

  test('bursar reconcile reports clean', () => {
    const run = reconciled!;
    expect({ code: run.code, clean: run.json?.clean, mismatches: run.json?.mismatches, stuck: run.json?.stuck })
      .toEqual({ code: 0, clean: true, mismatches: [], stuck: [] });
    expect(run.json.checked_awards).toBe(DISTINCT);
  });
});
