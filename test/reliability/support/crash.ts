/**
 * Helpers for crash.test.ts (issue 7, part 3): award files, copying a prepared store into a fresh
 * table, killing a real `bursar` process with SIGKILL after a delay, and the store's end state in a
 * form two stores can be compared by.
 */
import { writeFileSync } from 'node:fs';
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AWARD_COLUMNS } from '../../../shared/domain/award.ts';
import type { CliRun } from '../../cli/run-cli.ts';
import type { TestTable } from '../../support/dynamo.ts';
import type { Item } from '../../../shared/adapters/dynamo/operations.ts';
import { scanAll } from './money-model.ts';
import { spawnCli } from './spawn-cli.ts';
import { seededRandom } from '../../../cli/demo/sample-data.ts';

/** The crash points are reproducible from one number: the demo data's seeded PRNG. */
export const prng = seededRandom;

export function writeAwardFile(file: string, records: readonly Record<string, string>[]): void {
  const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const lines = records.map((r) => AWARD_COLUMNS.map((c) => quote(r[c] ?? '')).join(','));
  writeFileSync(file, `${AWARD_COLUMNS.join(',')}\n${lines.join('\n')}\n`);
}

/** Put `items` into `table` (BatchWriteItem, 25 at a time, unprocessed items retried). */
export async function copyInto(table: TestTable, items: readonly Item[]): Promise<void> {
  await putAll(table.doc, table.tableName, items);
}

async function putAll(doc: DynamoDBDocumentClient, tableName: string, items: readonly Item[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 10) throw new Error('BatchWriteItem kept returning unprocessed items');
      if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * attempt));
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  }
}

/**
 * How far a command has got, read from outside through a few items of its table: the sum of the
 * watched envelopes' versions (every money transaction bumps its envelope's version) plus the run
 * header's progress (sealing 1, sealed 2). It only grows while the command works.
 */
export async function progressOf(table: TestTable, keys: readonly { pk: string; sk: string }[]): Promise<number> {
  const out = await table.doc.send(new BatchGetCommand({ RequestItems: { [table.tableName]: { Keys: [...keys], ConsistentRead: true } } }));
  let progress = 0;
  for (const it of out.Responses?.[table.tableName] ?? []) {
    if (it.sk === 'RUN') progress += it.status === 'PREPARING' ? (it.sealing === true ? 1 : 0) : 2;
    else progress += Number(it.version ?? 0);
  }
  return progress;
}

export interface Killed {
  /** The process was still running when it was killed (the crash happened mid-command). */
  killed: boolean;
  /** When it was killed, from its start. */
  atMs: number;
  run: CliRun;
}

/**
 * Start `bursar --json ARGS` and SIGKILL it (by its own pid) as soon as its progress, watched from
 * outside every 20 ms, reaches `target` — a seeded point in the work, whatever the machine's speed.
 */
export async function runAndKillAt(
  args: string[], env: Record<string, string>, table: TestTable, keys: readonly { pk: string; sk: string }[], target: number,
): Promise<Killed> {
  const started = Date.now();
  const child = spawnCli(args, env);
  let exited = false;
  let killed = false;
  let atMs = -1;
  const watching = (async () => {
    while (!exited) {
      if (await progressOf(table, keys) >= target) {
        if (exited) return;
        try {
          process.kill(child.pid, 'SIGKILL');
          killed = true;
          atMs = Date.now() - started;
        } catch { /* it has just ended */ }
        return;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const run = await child.done;
  exited = true;
  await watching;
  return { killed: killed && run.code !== 0, atMs, run };
}

/** Run `bursar --json ARGS` to the end; returns the run and how long it took. */
export async function runTimed(args: string[], env: Record<string, string>): Promise<{ run: CliRun; ms: number }> {
  const started = Date.now();
  const run = await spawnCli(args, env).done;
  return { run, ms: Date.now() - started };
}

export interface EndState {
  awards: Record<string, unknown>;
  envelopes: Record<string, unknown>;
  queues: Record<string, string[]>;
  runs: Record<string, unknown>;
  runItems: Record<string, unknown>;
  series: Record<string, unknown>;
  paidMonths: Record<string, unknown>;
  deadLetters: number;
}

/**
 * What a command's outcome is, item by item, without what legitimately differs between two runs of
 * it: times, submission ids (each `awards submit` is a new submission), envelope `version` and
 * `queue_seq` (they count transactions, and a resumed command groups its writes differently), the
 * run-request log (each CLI call is a new request), intake issues (filed per submission; compared
 * separately), budget alerts (`alerts_fired`, ALERT# items: alert ids carry the envelope version
 * they fired at, and are re-evaluated by reconciliation) and an award's `intake_outcome`: what its
 * first delivery reported — RESERVED for one queued and served by the same intake call — which a
 * delivery killed between queueing and serving never reported; the re-run serves it as a DUPLICATE
 * and leaves it WAITLISTED. Its status, history and money are compared like everything else.
 */
export function endState(items: readonly Item[]): EndState {
  const s: EndState = { awards: {}, envelopes: {}, queues: {}, runs: {}, runItems: {}, series: {}, paidMonths: {}, deadLetters: 0 };
  for (const it of [...items].sort((a, b) => (`${String(a.pk)}\u0000${String(a.sk)}` < `${String(b.pk)}\u0000${String(b.sk)}` ? -1 : 1))) {
    const pk = String(it.pk);
    const sk = String(it.sk);
    if (it.type === 'AWARD') {
      s.awards[String(it.award_id)] = {
        status: it.status, amount_fen: it.amount_fen, reason: it.reason ?? null, line: it.line,
        content_hash: it.content_hash, gsi1pk: it.gsi1pk, run_id: it.run_id ?? null, batch_id: it.batch_id ?? null, run_seq: it.run_seq ?? null,
        history: (it.history as { status: string; note?: string }[]).map((h) => `${h.status}${h.note ? `: ${h.note}` : ''}`),
      };
    } else if (pk.startsWith('ENV#') && sk === 'ENV') {
      const { version: _v, queue_seq: _q, updated_at: _u, alerts_fired: _a, ...figures } = it;
      s.envelopes[pk] = figures;
    } else if (pk.startsWith('ENV#') && sk.startsWith('Q#')) {
      (s.queues[pk] ??= []).push(`${sk} ${String(it.amount_fen)}`);
    } else if (pk.startsWith('RUN#') && sk === 'RUN') {
      const { prepared_at: _p, sealed_at: _s, updated_at: _u, ...run } = it;
      s.runs[pk] = run;
    } else if (pk.startsWith('RUN#') && sk.startsWith('ITEM#')) {
      const { created_at: _c, ...item } = it;
      s.runItems[`${pk} ${sk}`] = item;
    } else if (pk.startsWith('RUN#') && sk.startsWith('SERIES#')) {
      s.series[`${pk} ${sk}`] = it.last_seq;
    } else if (pk.startsWith('PAID#')) {
      s.paidMonths[`${pk} ${sk}`] = { paid_fen: it.paid_fen, paid_count: it.paid_count };
    } else if (pk.startsWith('LOCALDLQ#')) {
      s.deadLetters++;
    }
  }
  return s;
}

export async function endStateOf(table: TestTable): Promise<EndState> {
  return endState(await scanAll(table.doc, table.tableName));
}

/** Intake issues of one submission, by line. */
export async function intakeIssues(table: TestTable, submissionId: string): Promise<unknown[]> {
  return (await scanAll(table.doc, table.tableName))
    .filter((it) => it.pk === `INTAKE#${submissionId}`)
    .map((it) => ({ line: it.line, outcome: it.outcome, award_id: it.award_id ?? null, errors: it.errors }))
    .sort((a, b) => Number(a.line) - Number(b.line));
}

export async function countAwards(table: TestTable): Promise<number> {
  return (await scanAll(table.doc, table.tableName)).filter((it) => it.type === 'AWARD').length;
}
