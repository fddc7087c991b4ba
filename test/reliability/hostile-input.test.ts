/**
 * Issue 7, part 4 — hostile input, from the corpus in test/corpus (manifest.json says, for each file,
 * what the CLI must make of it).
 *
 * Every case runs through the real CLI on a table of its own: the kind's setup, the command, then a
 * read-out of the store (`awards list` + `budget show`, `budget show`, `scheme list` or `credit list`). The checks:
 * - a refused file gets exactly the expected error code (and message), and nothing is written;
 * - otherwise exactly the expected lines get an outcome, each bad one naming its line and field with
 *   a specific message, and the good lines go through;
 * - nothing is half-written: the stored awards are exactly the RESERVED/WAITLISTED/REJECTED results
 *   (none for an INVALID, DUPLICATE or CONFLICT line), the envelope's figures equal the sums over
 *   them, and only the envelopes and schemes of accepted lines exist.
 *
 * To keep this fast the commands run in two CLI processes side by side (cli-session.ts runs many
 * commands through the CLI's real entry point in one process), not one process per command.
 * Settlement files are issue 3's (`bursar run settle`): their cases skip themselves while its
 * command (cli/commands/run.ts or runs.ts) is not in the tree. The generated giants (a 10 MB
 * field, 1,000,000 rows) are in large-input.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoClients } from '../../shared/adapters/dynamo/client.ts';
import { ID_PATTERN } from '../../shared/domain/award-record.ts';
import { testEndpoint } from '../support/dynamo.ts';
import { CORPUS_DIR, corpusFiles, fill, kindOf, loadManifest, type CorpusCase, type Kind, type LineExpectation } from './support/corpus.ts';
import { runSession, type SessionStep, type StepResult } from './support/session.ts';

const root = path.resolve(import.meta.dirname, '../..');
const manifest = loadManifest();
const runId = `${process.pid}-${Date.now().toString(36)}`;
const tables: string[] = [];
const outDir = mkdtempSync(path.join(tmpdir(), 'bursar-corpus-'));
const env = () => ({ BURSAR_DYNAMODB_ENDPOINT: testEndpoint() });

interface CaseRun {
  setup: StepResult[];
  command: StepResult;
  /** The read-outs after the command, by what they show. */
  after: Record<string, StepResult>;
}

const READ_OUTS: Record<Kind, [string, string[]][]> = {
  awards: [['awards', ['awards', 'list']], ['envelopes', ['budget', 'show']]],
  budgets: [['envelopes', ['budget', 'show']]],
  schemes: [['schemes', ['scheme', 'list']]],
  settlements: [['awards', ['awards', 'list']]],
  credits: [['restrictions', ['credit', 'list']]],
};

/**
 * The steps of one case; `parse` turns the session's results back into a CaseRun. Each case has a
 * table of its own, except that cases of a kind with a costly setup (settlements: a whole run
 * prepared, approved and exported) which must change nothing (a refused file) share one table and
 * one setup. Each is still checked right after it runs, so one that wrongly writes is caught (and
 * is the first of them to fail).
 */
function stepsFor(c: CorpusCase, index: number, shared?: { table: string; setUp: boolean }): { steps: SessionStep[]; parse: (r: StepResult[]) => CaseRun } {
  const kind = kindOf(c);
  const spec = manifest.kinds[kind];
  const table = shared?.table ?? `corpus-${runId}-${index}`;
  if (!tables.includes(table)) tables.push(table);
  const setup = shared && shared.setUp ? [] : spec.setup;
  if (shared) shared.setUp = true;
  const stepEnv = { BURSAR_TABLE_NAME: table };
  const values = { file: path.join(CORPUS_DIR, c.file), out: path.join(outDir, table) };
  const steps: SessionStep[] = [
    ...setup.map((argv) => ({ argv: fill(argv, values), env: stepEnv })),
    { argv: fill(spec.command, values), env: stepEnv },
    ...READ_OUTS[kind].map(([, argv]) => ({ argv, env: stepEnv })),
  ];
  return {
    steps,
    parse: (r) => ({
      setup: r.slice(0, setup.length),
      command: r[setup.length]!,
      after: Object.fromEntries(READ_OUTS[kind].map(([name], i) => [name, r[setup.length + 1 + i]!])),
    }),
  };
}

/** Run cases in `sessions` CLI processes side by side (cases sharing a table stay in one, in order). */
async function runCases(cases: CorpusCase[], sessions: number): Promise<Map<string, CaseRun>> {
  const sharedRefusals = { table: `corpus-${runId}-settlements-refused`, setUp: false };
  const planned = cases.map((c, i) => {
    const share = kindOf(c) === 'settlements' && c.expect.error !== undefined ? sharedRefusals : undefined;
    return { c, shared: share !== undefined, session: share ? 0 : i % sessions, ...stepsFor(c, i, share) };
  });
  const runs = new Map<string, CaseRun>();
  await Promise.all(Array.from({ length: sessions }, async (_, s) => {
    const share = planned.filter((p) => p.session === s);
    const results = await runSession(share.flatMap((p) => p.steps), env());
    let at = 0;
    let sharedSetup: StepResult[] = [];
    for (const p of share) {
      const run = p.parse(results.slice(at, at + p.steps.length));
      at += p.steps.length;
      if (p.shared && run.setup.length > 0) sharedSetup = run.setup;
      runs.set(p.c.file, p.shared ? { ...run, setup: sharedSetup } : run);
    }
  }));
  return runs;
}

// Settlement results are imported by issue 3's `bursar run settle RUN_ID --results FILE.csv`. Its
// cases skip themselves while the run command is not in the tree; the setup (prepare, approve,
// export a run) is in manifest.json so it can follow issue 3's CLI.
const settleSpec = manifest.kinds.settlements;
const settleNeeds = settleSpec.needs ?? ['cli/commands/run.ts'];
const settleReady = settleNeeds.some((f) => existsSync(path.join(root, f)));

// Every case of every kind that can run, in two CLI processes side by side (one start-up each).
let runs: Map<string, CaseRun>;
beforeAll(async () => {
  runs = await runCases(manifest.cases.filter((c) => kindOf(c) !== 'settlements' || settleReady), 2);
}, 120_000);

afterAll(async () => {
  rmSync(outDir, { recursive: true, force: true });
  const { client } = createDynamoClients({ endpoint: testEndpoint() });
  try {
    await Promise.all(tables.map((TableName) => client.send(new DeleteTableCommand({ TableName })).catch(() => undefined)));
  } finally {
    client.destroy();
  }
});

const casesOf = (kind: Kind) => manifest.cases.filter((c) => kindOf(c) === kind);
const title = (c: CorpusCase) => `${c.file} — ${c.about}`;

describe('the corpus', () => {
  test('holds at least 60 bad inputs across award, budget, scheme, settlement and credit files', () => {
    const counts = Object.fromEntries((['awards', 'budgets', 'schemes', 'settlements', 'credits'] as Kind[]).map((k) => [k, casesOf(k).length]));
    for (const n of Object.values(counts)) expect(n).toBeGreaterThanOrEqual(10);
    const bad = manifest.cases.filter((c) => !c.about.startsWith('control:'));
    expect(bad.length).toBeGreaterThanOrEqual(60);
  });

  test('every corpus file has a manifest entry and every entry a file', () => {
    expect(manifest.cases.map((c) => c.file).sort()).toEqual(corpusFiles().sort());
    expect(new Set(manifest.cases.map((c) => c.file)).size).toBe(manifest.cases.length);
  });
});

/** A file-level refusal: exit 1, the expected code, a bounded message. */
function expectRefused(c: CorpusCase, run: StepResult): void {
  expect({ code: run.code, error: run.json?.error?.code }).toEqual({ code: 1, error: c.expect.error });
  if (c.expect.message) expect(run.json.error.message).toContain(c.expect.message);
  expect(run.json.error.message.length).toBeLessThan(600);
}

/** A line expectation met by one reported line with errors [{field, message}]. */
function expectLine(want: LineExpectation, got: { outcome: string; reason?: string; errors?: { field: string; message: string }[] } | undefined): void {
  expect({ line: want.line, outcome: got?.outcome }).toEqual({ line: want.line, outcome: want.outcome });
  if (want.reason) expect({ line: want.line, reason: got!.reason }).toEqual({ line: want.line, reason: want.reason });
  if (want.field || want.message) {
    const errors = (got!.errors ?? []).filter((e) => want.field === undefined || e.field === want.field);
    expect({ line: want.line, fields: (got!.errors ?? []).map((e) => e.field) }).toEqual({ line: want.line, fields: expect.arrayContaining(want.field ? [want.field] : []) });
    if (want.message) expect({ line: want.line, messages: errors.map((e) => e.message) }).toEqual({ line: want.line, messages: expect.arrayContaining([expect.stringContaining(want.message)]) });
  }
}

describe('award files (bursar awards submit)', () => {
  test.each(casesOf('awards').map((c) => [title(c), c] as const))('%s', (_title, c) => {
    const run = runs.get(c.file)!;
    for (const s of run.setup) expect(s.code).toBe(0);
    const stored = run.after['awards']!.json.awards as { award_id: string; status: string; amount_fen: number; [k: string]: unknown }[];
    const envelope = (run.after['envelopes']!.json.envelopes as Record<string, number>[]).find((e) => e['measure'] === 7 && e['fiscal_year'] === 2025)!;
    expect(envelope['budget_fen']).toBe(100_000_000); // the setup's, untouched

    if (c.expect.error) {
      expectRefused(c, run.command);
      expect(stored).toEqual([]);
      expect(envelope).toMatchObject({ reserved_fen: 0, waitlisted_fen: 0, waitlisted_count: 0 });
      return;
    }

    const report = run.command.json;
    expect({ code: run.command.code, error: report?.error }).toEqual({ code: 0, error: undefined });
    type Result = { award_id?: string; line: number; outcome: string; reason?: string; errors?: { field: string; message: string }[] };
    const results = report.results as Result[];
    // Exactly the expected lines, one result each.
    expect(results.map((r) => r.line)).toEqual(c.expect.lines!.map((l) => l.line).sort((a, b) => a - b));
    for (const want of c.expect.lines!) expectLine(want, results.find((r) => r.line === want.line));
    // The summary agrees with the lines, and problems always say which field and why.
    const count = (o: string) => results.filter((r) => r.outcome === o).length;
    expect(report).toMatchObject({
      submitted: results.length, reserved: count('RESERVED'), waitlisted: count('WAITLISTED'), rejected: count('REJECTED'), held: count('HELD'),
      duplicates: count('DUPLICATE'), conflicts: count('CONFLICT'), invalid: count('INVALID'), dead_lettered: 0,
    });
    for (const r of results) {
      if (r.award_id !== undefined) expect(r.award_id).toMatch(ID_PATTERN); // a malformed id is never echoed back
      if (r.outcome === 'INVALID' || r.outcome === 'CONFLICT') {
        expect(r.errors!.length).toBeGreaterThan(0);
        for (const e of r.errors!) {
          expect(e.field).toMatch(/^[a-z_]+$/);
          expect(e.message.length).toBeGreaterThan(10);
          expect(e.message.length).toBeLessThan(300);
        }
      }
    }

    // Nothing half-written: exactly the decided awards are stored, with the status they were given.
    const decided = results.filter((r) => ['RESERVED', 'WAITLISTED', 'REJECTED', 'HELD'].includes(r.outcome));
    expect(stored.map((a) => [a.award_id, a.status]).sort()).toEqual(decided.map((r) => [r.award_id, r.outcome]).sort());
    expect(stored).toHaveLength(report.reserved + report.waitlisted + report.rejected + report.held);
    const sum = (status: string) => stored.filter((a) => a.status === status).reduce((n, a) => n + a.amount_fen, 0);
    expect(envelope).toMatchObject({
      reserved_fen: sum('RESERVED'), waitlisted_fen: sum('WAITLISTED'), waitlisted_count: count('WAITLISTED'),
      available_fen: 100_000_000 - sum('RESERVED'), held_count: count('HELD'), held_fen: 0,
    });
    for (const [id, fields] of Object.entries(c.expect.stored ?? {})) {
      expect(stored.find((a) => a.award_id === id)).toMatchObject(fields);
    }
  });
});

/**
 * budgets, schemes and credits: `{line}` results for accepted lines, `{line, field, message}` errors.
 * The exit code is 0, except for `credit load` when every line was refused (1, with the same report).
 */
function expectLoad(c: CorpusCase, run: CaseRun, accepted: string, okOutcome: string): void {
  const report = run.command.json;
  const allRefused = kindOf(c) === 'credits' && report?.[accepted]?.length === 0 && report?.errors?.length > 0;
  expect({ code: run.command.code, error: report?.error }).toEqual({ code: allRefused ? 1 : 0, error: undefined });
  const got: { line: number; outcome: string; field?: string; message?: string }[] = [
    ...(report[accepted] as { line: number }[]).map((r) => ({ line: r.line, outcome: okOutcome })),
    ...(report.errors as { line: number; field: string; message: string }[]).map((e) => ({ line: e.line, outcome: 'ERROR', field: e.field, message: e.message })),
  ].sort((a, b) => a.line - b.line);
  expect(got.map((g) => [g.line, g.outcome])).toEqual(c.expect.lines!.map((l) => [l.line, l.outcome]).sort((a, b) => (a[0] as number) - (b[0] as number)));
  for (const want of c.expect.lines!) {
    if (want.outcome !== 'ERROR') continue;
    const errors = got.filter((g) => g.line === want.line).map((g) => ({ field: g.field!, message: g.message! }));
    expectLine(want, { outcome: 'ERROR', errors });
    for (const e of errors) expect(e.message.length).toBeLessThan(300);
  }
}

describe('budget files (bursar budget load)', () => {
  test.each(casesOf('budgets').map((c) => [title(c), c] as const))('%s', (_title, c) => {
    const run = runs.get(c.file)!;
    const envelopes = run.after['envelopes']!.json.envelopes as { measure: number; fiscal_year: number; budget_fen: number }[];
    if (c.expect.error) {
      expectRefused(c, run.command);
      expect(envelopes).toEqual([]);
      return;
    }
    expectLoad(c, run, 'results', 'SET');
    // Exactly the envelopes of the accepted lines exist, with their figures.
    const set = (run.command.json.results as { envelope: { measure: number; fiscal_year: number; budget_fen: number } }[]).map((r) => r.envelope);
    const key = (e: { measure: number; fiscal_year: number; budget_fen: number }) => `${e.fiscal_year}/${e.measure}=${e.budget_fen}`;
    expect(envelopes.map(key).sort()).toEqual(set.map(key).sort());
  });
});

describe('scheme files (bursar scheme load)', () => {
  test.each(casesOf('schemes').map((c) => [title(c), c] as const))('%s', (_title, c) => {
    const run = runs.get(c.file)!;
    const schemes = run.after['schemes']!.json.schemes as { scheme_id: string; name: string }[];
    if (c.expect.error) {
      expectRefused(c, run.command);
      expect(schemes).toEqual([]);
      return;
    }
    expectLoad(c, run, 'loaded', 'LOADED');
    expect(schemes.map((s) => s.scheme_id).sort()).toEqual((run.command.json.loaded as { scheme_id: string }[]).map((l) => l.scheme_id).sort());
    // eslint-disable-next-line no-control-regex
    for (const s of schemes) expect(s.name).not.toMatch(/[\u0000-\u001f\u007f]/);
  });
});

describe('credit restriction files (bursar credit load)', () => {
  test.each(casesOf('credits').map((c) => [title(c), c] as const))('%s', (_title, c) => {
    const run = runs.get(c.file)!;
    type Restriction = { recipient_uscc: string; list_name: string; restricted_from: string; [k: string]: unknown };
    const stored = run.after['restrictions']!.json.restrictions as Restriction[];
    if (c.expect.error) {
      expectRefused(c, run.command);
      expect(stored).toEqual([]);
      return;
    }
    expectLoad(c, run, 'loaded', 'LOADED');
    // Nothing half-written: exactly the loaded lines' restrictions exist, once each, recorded with who loaded them.
    const key = (r: { recipient_uscc: string; list_name: string }) => `${r.recipient_uscc}#${r.list_name}`;
    expect(stored.map(key).sort()).toEqual((run.command.json.loaded as Restriction[]).map(key).sort());
    for (const r of stored) expect(r).toMatchObject({ loaded_by: 'corpus' });
    // eslint-disable-next-line no-control-regex
    for (const r of stored) expect(`${r.list_name}${String(r['reference'])}`).not.toMatch(/[\u0000-\u001f\u007f]/);
    for (const [uscc, fields] of Object.entries(c.expect.stored ?? {})) {
      expect(stored.find((r) => r.recipient_uscc === uscc)).toMatchObject(fields);
    }
    expect(run.command.stdout.length).toBeLessThan(5000); // problems are quoted short, never the hostile values
  });
});

/** Objects anywhere in a JSON document. */
function objectsIn(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.flatMap(objectsIn);
  if (value === null || typeof value !== 'object') return [];
  return [value as Record<string, unknown>, ...Object.values(value).flatMap(objectsIn)];
}

describe(
  'settlement files (bursar run settle)',
  () => {
    test.each(casesOf('settlements').map((c) => [title(c), c] as const))('%s', (_title, c) => {
      const run = runs.get(c.file)!;
      run.setup.forEach((s, i) => {
        expect({ setup: settleSpec.setup[i]!.join(' '), code: s.code, error: s.json?.error }).toEqual({ setup: settleSpec.setup[i]!.join(' '), code: 0, error: undefined });
      });
      const statuses = Object.fromEntries((run.after['awards']!.json.awards as { award_id: string; status: string }[]).map((a) => [a.award_id, a.status]));
      const out = run.command.json;
      if (c.expect.error) {
        expectRefused(c, run.command);
        expect(Object.entries(statuses).filter(([, s]) => s === 'PAID')).toEqual([]); // nothing applied
      } else {
        expect({ code: run.command.code, error: out?.error }).toEqual({ code: 0, error: undefined });
      }
      for (const want of c.expect.errors ?? []) {
        // Reported as an object with its line; the field named by a `field` property or in the message.
        const names = (o: Record<string, unknown>) => want.field === undefined || o['field'] === want.field
          || String(o['message'] ?? '').startsWith(`${want.field}:`) || String(o['message'] ?? '').includes(`"${want.field}"`);
        const found = objectsIn(out).filter((o) => o['line'] === want.line && names(o)
          && (want.code === undefined || o['code'] === want.code)
          && (want.message === undefined || String(o['message'] ?? '').includes(want.message)));
        expect({ line: want.line, field: want.field, reported: found.length > 0 }).toEqual({ line: want.line, field: want.field, reported: true });
      }
      expect(run.command.stdout.length).toBeLessThan(5000); // problems are quoted short, never the hostile values
      for (const [id, status] of Object.entries(c.expect.awards ?? {})) expect({ id, status: statuses[id] }).toEqual({ id, status });
    });
  },
);
