import { envelopeLabel, type EnvelopeKey } from '../domain/envelope.ts';
import { BursarError, NotFoundError, TransientError } from '../domain/errors.ts';
import { ID_PATTERN } from '../domain/award-record.ts';
import { checkRunId } from '../domain/run-batching.ts';
import { checkActor, samePerson } from '../domain/run-lifecycle.ts';
import type { RunStore, StoredRunItem } from '../ports/run-store.ts';
import { backoff } from '../retry/backoff.ts';
import type { Clock } from './clock.ts';

export interface ReleaseResult {
  run_id: string;
  released: number;
  released_fen: number;
  award_ids: string[];
}

const MAX_ATTEMPTS = 30;

/**
 * `run release-failed`: a FAILED payment's award is RETURNED (its money still committed) until a
 * second person releases it to RESERVED, for the next period's run. The releaser may not be whoever
 * imported the failure (SAME_PERSON). Without `award_id` every RETURNED award of the run is released.
 * Releasing again finds nothing to release (NOTHING_TO_RELEASE).
 */
export async function releaseFailed(deps: { runs: RunStore; clock: Clock }, cmd: { run_id: string; by: string; award_id?: string }): Promise<ReleaseResult> {
  const runId = checkRunId(cmd.run_id);
  const by = checkActor(cmd.by);
  if (cmd.award_id !== undefined && !ID_PATTERN.test(cmd.award_id)) {
    throw new BursarError('BAD_AWARD_ID', `not an award id: ${JSON.stringify(cmd.award_id.slice(0, 40))}`, { field: 'award' });
  }
  const run = await deps.runs.getRun(runId);
  if (!run) throw new NotFoundError('run', runId);

  const candidates: StoredRunItem[] = [];
  if (cmd.award_id !== undefined) {
    const item = (await deps.runs.getRunItemsByAward(runId, [cmd.award_id])).get(cmd.award_id);
    if (!item) throw new BursarError('NOT_IN_RUN', `award ${cmd.award_id} is not a payment of ${runId}`, { run_id: runId, award_id: cmd.award_id });
    if (item.outcome !== 'FAILED' || item.released_at !== undefined) {
      throw new BursarError('NOTHING_TO_RELEASE', `award ${cmd.award_id}'s payment in ${runId} ${item.outcome === 'FAILED' ? 'was released already' : 'did not fail'}`, { run_id: runId, award_id: cmd.award_id });
    }
    candidates.push(item);
  } else {
    for await (const item of deps.runs.listRunItems(runId)) {
      if (item.outcome === 'FAILED' && item.released_at === undefined) candidates.push(item as StoredRunItem);
    }
    if (candidates.length === 0) throw new BursarError('NOTHING_TO_RELEASE', `${runId} has no failed payment waiting for release`, { run_id: runId });
  }
  for (const item of candidates) {
    if (item.settled_by !== undefined && samePerson(item.settled_by, by)) {
      throw new BursarError('SAME_PERSON', `award ${item.award_id}'s failure was imported by ${item.settled_by}; a second person must release it`, {
        run_id: runId, award_id: item.award_id, settled_by: item.settled_by,
      });
    }
  }

  const byEnvelope = new Map<string, { key: EnvelopeKey; items: StoredRunItem[] }>();
  for (const item of candidates) {
    const key = { measure: item.measure, fiscal_year: item.fiscal_year };
    const group = byEnvelope.get(envelopeLabel(key)) ?? { key, items: [] };
    group.items.push(item);
    byEnvelope.set(envelopeLabel(key), group);
  }
  const perTransaction = Math.floor((deps.runs.maxTransactionItems - 1) / 2);
  const released: StoredRunItem[] = [];
  for (const { key, items } of byEnvelope.values()) {
    let queue = items;
    for (let attempt = 0; queue.length > 0;) {
      const chunk = queue.slice(0, perTransaction);
      const result = await deps.runs.releaseReturned(runId, key, chunk.map((i) => ({ award_id: i.award_id, amount_fen: i.amount_fen })), by, deps.clock.now());
      if (result.ok) { released.push(...chunk); queue = queue.slice(chunk.length); attempt = 0; continue; }
      // Released (or cancelled) meanwhile by someone else: drop those and go on.
      const stale = new Set([...result.staleAwards, ...result.staleItems]);
      if (stale.size > 0) { queue = queue.filter((i) => !stale.has(i.award_id)); continue; }
      if (result.envelopeShort && !result.collided) {
        throw new BursarError('ENVELOPE_INCONSISTENT', `${envelopeLabel(key)}: the envelope holds less returned money than the payments being released; run reconciliation`, { ...key });
      }
      if (++attempt > MAX_ATTEMPTS) throw new TransientError(`${runId}: too much contention while releasing; try again`);
      await backoff(attempt);
    }
  }
  return { run_id: runId, released: released.length, released_fen: released.reduce((s, i) => s + i.amount_fen, 0), award_ids: released.map((i) => i.award_id) };
}
