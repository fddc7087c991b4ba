import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AWARD_SK, ENVELOPE_SK, awardPk, awardStatusPk, envelopePk } from '../../shared/adapters/dynamo/items.ts';
import type { Award } from '../../shared/domain/award.ts';
import type { Run, RunItem, RunStatus } from '../../shared/domain/run.ts';
import type { RunReader } from '../../shared/ports/run-store.ts';
import type { TestTable } from './dynamo.ts';

/** An in-memory RunReader: runs and their items as the runs work would store them. */
export class FakeRunReader implements RunReader {
  readonly runs = new Map<string, Run>();
  readonly items = new Map<string, RunItem[]>();

  async listRuns(): Promise<Run[]> {
    return [...this.runs.values()].map((r) => structuredClone(r));
  }

  async getRun(runId: string): Promise<Run | undefined> {
    const run = this.runs.get(runId);
    return run ? structuredClone(run) : undefined;
  }

  async *listRunItems(runId: string): AsyncIterable<RunItem> {
    yield* this.items.get(runId) ?? [];
  }

  /** A run of one batch holding `awards`, with control totals that match. */
  addRun(runId: string, status: RunStatus, awards: Award[], outcome?: 'PAID' | 'FAILED'): Run {
    const total = awards.reduce((s, a) => s + a.amount_fen, 0);
    const run: Run = {
      run_id: runId, period: '2025-05', status, prepared_by: 'finance-a', prepared_at: '2025-05-31T00:00:00.000Z',
      award_count: awards.length, total_fen: total,
      batches: [{ batch_id: `${runId}-B1`, measure: 7, unit: 'EITB', count: awards.length, total_fen: total }],
    };
    this.runs.set(runId, run);
    this.items.set(runId, awards.map((a, i) => ({
      run_id: runId, batch_id: `${runId}-B1`, seq: i + 1, award_id: a.award_id, amount_fen: a.amount_fen, ...(outcome ? { outcome } : {}),
    })));
    return run;
  }
}

/**
 * What the runs work does to the store when it moves an award RESERVED → BATCHED (or BATCHED → PAID):
 * the award's status and run, and the envelope's figures, in one transaction-equivalent pair of writes.
 */
export async function moveAward(table: TestTable, award: Award, to: 'BATCHED' | 'PAID', runId: string): Promise<void> {
  const from = to === 'BATCHED' ? 'reserved_fen' : 'batched_fen';
  const into = to === 'BATCHED' ? 'batched_fen' : 'paid_fen';
  await table.doc.send(new UpdateCommand({
    TableName: table.tableName,
    Key: { pk: awardPk(award.award_id), sk: AWARD_SK },
    UpdateExpression: 'SET #status = :to, run_id = :run, gsi1pk = :g',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':to': to, ':run': runId, ':g': awardStatusPk(to, award) },
  }));
  await table.doc.send(new UpdateCommand({
    TableName: table.tableName,
    Key: { pk: envelopePk(award), sk: ENVELOPE_SK },
    UpdateExpression: `SET ${from} = ${from} - :amt, ${into} = ${into} + :amt ADD version :one`,
    ExpressionAttributeValues: { ':amt': award.amount_fen, ':one': 1 },
  }));
}

/** Overwrite stored attributes of an envelope, as a faulty writer (or a person at the console) might. */
export async function tamperEnvelope(table: TestTable, key: { measure: number; fiscal_year: number }, figures: Record<string, number>): Promise<void> {
  const names = Object.keys(figures);
  await table.doc.send(new UpdateCommand({
    TableName: table.tableName,
    Key: { pk: envelopePk(key), sk: ENVELOPE_SK },
    UpdateExpression: `SET ${names.map((n, i) => `#f${i} = :v${i}`).join(', ')}`,
    ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#f${i}`, n])),
    ExpressionAttributeValues: Object.fromEntries(names.map((n, i) => [`:v${i}`, figures[n]])),
  }));
}
