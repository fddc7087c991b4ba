import type { Award } from '../domain/award.ts';
import { envelopeLabel, type EnvelopeKey } from '../domain/envelope.ts';
import { BursarError, TransientError } from '../domain/errors.ts';
import { checkActor } from '../domain/run-lifecycle.ts';
import {
  DEFAULT_BATCH_SIZE, checkBatchSize, checkPeriod, cutoffDate, runIdFor, seriesCounts, seriesOf, slotOf,
} from '../domain/run-batching.ts';
import type { Ledger } from '../ports/ledger.ts';
import type { RunHeader, RunStore } from '../ports/run-store.ts';
import type { Run } from '../domain/run.ts';
import { backoff } from '../retry/backoff.ts';
import { digestPayments, runPaymentsByBatch } from './run-digests.ts';
import type { EnvelopeEvents } from '../ports/envelope-events.ts';
import { holdRestrictedForRun, restrictedOn } from './holds.ts';
import type { Clock } from './clock.ts';

export interface RunDeps {
  ledger: Ledger;
  runs: RunStore;
  clock: Clock;
  /** Told of awards held at preparation (HOLD alerts); optional. */
  events?: EnvelopeEvents;
}

export interface PrepareOptions {
  /** Most payments per batch (only used when the run is created; a run keeps its own). Default 500. */
  batchSize?: number;
  /** Measures worked on at once. Default 4. */
  concurrency?: number;
  /** RESERVED awards read per query page. Default 100. */
  pageSize?: number;
  onProgress?: (moved: number) => void;
}

export interface PrepareResult {
  run: Run;
  /** False when the run existed already (this call finished it, or found it finished). */
  created: boolean;
  /** Awards this call moved into the run. */
  moved: number;
}

const MAX_ATTEMPTS = 30;

/** Thrown inside the workers when the run stopped taking awards (another prepare sealed it). */
class RunClosed extends Error {}

/**
 * `run prepare`: put every RESERVED award approved on or before the period's last day, and in no
 * run, into the period's run. Crash-safe and idempotent:
 *
 * 1. The run header is created first (conditional put, status PREPARING). Preparing the period again
 *    finds it: a finished run is returned as it is, an unfinished one is continued.
 * 2. Awards are moved envelope by envelope, found through GSI1 (RESERVED, by fiscal year and measure,
 *    approved ≤ cut-off), page by page, so a run of any size never sits in memory. Each transaction
 *    moves a few awards of one (measure, unit) series: awards RESERVED → BATCHED (conditioned on
 *    RESERVED and in no run), their run items, the envelope's reserved → batched, the series counter
 *    (which numbers payments, so batch ids and sequence numbers continue exactly after a crash), and
 *    a check that the run still takes awards. An award thus enters one run once, and its status and
 *    the envelope's figures move together.
 * 3. Sealing: the run stops taking awards (a flag every move checks), then the control totals are
 *    computed from the run items as stored (not from memory), checked against the series counters,
 *    and written with status PREPARED. An award reserved after this waits for the next period.
 *
 * Measures are worked on in parallel (a series belongs to one measure, so workers never share a
 * counter); several prepares of one run at once are safe: the counters and conditions serialise them.
 */
export async function prepareRun(deps: RunDeps, cmd: { period: string; by: string }, options: PrepareOptions = {}): Promise<PrepareResult> {
  const period = checkPeriod(cmd.period);
  const by = checkActor(cmd.by);
  const runId = runIdFor(period);
  const through = cutoffDate(period);
  const { runs } = deps;

  let header = await runs.getRunHeader(runId);
  if (header && header.status !== 'PREPARING') return { run: asRun(header), created: false, moved: 0 };

  // Awards approved in earlier fiscal years can still be RESERVED: every envelope up to this year.
  const year = Number(period.slice(0, 4));
  const keys = (await deps.ledger.listEnvelopes())
    .filter((e) => e.fiscal_year <= year)
    .map((e): EnvelopeKey => ({ measure: e.measure, fiscal_year: e.fiscal_year }))
    .sort((a, b) => a.measure - b.measure || a.fiscal_year - b.fiscal_year);

  let created = false;
  if (!header) {
    if (!(await anyBatchable(runs, keys, through))) {
      throw new BursarError('NOTHING_TO_PAY', `no RESERVED award approved on or before ${through} is waiting for a run`, { period, through_date: through });
    }
    created = await runs.createRun({
      run_id: runId, period, through_date: through, batch_size: checkBatchSize(options.batchSize ?? DEFAULT_BATCH_SIZE),
      prepared_by: by, prepared_at: deps.clock.now(),
    });
    header = await runs.getRunHeader(runId);
    if (!header) throw new Error(`run ${runId} vanished after it was created`);
    if (header.status !== 'PREPARING') return { run: asRun(header), created: false, moved: 0 };
  }

  let moved = 0;
  if (!header.sealing) {
    const batchSize = header.batch_size;
    const byMeasure = new Map<number, EnvelopeKey[]>();
    for (const k of keys) byMeasure.set(k.measure, [...(byMeasure.get(k.measure) ?? []), k]);
    const perTransaction = Math.floor((runs.maxTransactionItems - 3) / 2);
    const pageSize = options.pageSize ?? 100;
    let closed = false;
    /** Envelopes a year close closed while this run was being prepared: their awards are carried, not batched. */
    const closedYear = new Set<string>();
    // Issue 14: recipients restricted today (read once; the list is short) are held, not paid.
    const restricted = await restrictedOn(deps.ledger, deps.clock.now());

    const moveMeasure = async (envelopes: EnvelopeKey[]) => {
      const counters = new Map<string, number>();
      for (const key of envelopes) {
        for await (const page of runs.batchableAwards(key, through, pageSize)) {
          if (closedYear.has(envelopeLabel(key))) break;
          for (const [series, awards] of groupBySeries(await holdRestrictedForRun(deps, page, restricted))) {
            if (closedYear.has(envelopeLabel(key))) break;
            let queue = awards;
            for (let attempt = 0; queue.length > 0;) {
              if (closed) throw new RunClosed();
              const chunk = queue.slice(0, perTransaction);
              const count = counters.get(series) ?? await runs.seriesCount(runId, series);
              const moves = chunk.map((award, i) => ({ award, ...slotOf(runId, series, count + i + 1, batchSize) }));
              const result = await runs.moveIntoRun(runId, series, count, key, moves, deps.clock.now());
              if (result.ok) {
                counters.set(series, count + chunk.length);
                queue = queue.slice(chunk.length);
                moved += chunk.length;
                options.onProgress?.(moved);
                attempt = 0;
                continue;
              }
              if (result.runClosed) { closed = true; throw new RunClosed(); }
              // The envelope check also fails when some awards had been moved by a concurrent prepare:
              // only a shortfall with every award still valid means the figures are wrong.
              if (result.envelopeShort && result.staleAwards.length === 0 && result.staleItems.length === 0 && !result.collided) {
                // A year close under way closed the envelope: what is still reserved there is carried, not paid from it.
                if ((await deps.ledger.getEnvelope(key))?.status === 'CLOSED') { closedYear.add(envelopeLabel(key)); break; }
                throw new BursarError('ENVELOPE_INCONSISTENT', `measure ${key.measure} FY${key.fiscal_year}: the envelope holds less reserved money than its RESERVED awards; run reconciliation`, { ...key });
              }
              // Awards taken meanwhile (cancelled, or moved by a concurrent prepare) drop out; the rest retry.
              const stale = new Set([...result.staleAwards, ...result.staleItems]);
              queue = queue.filter((a) => !stale.has(a.award_id));
              if (result.counterMoved) counters.delete(series);
              if (result.collided || result.counterMoved) {
                if (++attempt > MAX_ATTEMPTS) throw new TransientError(`${runId}: too much contention while preparing; try again`);
                await backoff(attempt);
              }
            }
          }
        }
      }
    };

    try {
      await pool([...byMeasure.values()], options.concurrency ?? 4, moveMeasure, () => { closed = true; });
    } catch (error) {
      if (!(error instanceof RunClosed)) throw error;
    }
  }

  await sealRun(deps, runId, by);
  const run = await runs.getRun(runId);
  if (!run) throw new Error(`run ${runId} vanished`);
  return { run, created, moved };
}

/** Stop the run taking awards, then fix its control totals from the stored items. */
async function sealRun(deps: RunDeps, runId: string, by: string): Promise<void> {
  const { runs } = deps;
  await runs.startSealing(runId, deps.clock.now());
  const header = await runs.getRunHeader(runId);
  if (!header || header.status !== 'PREPARING') return; // another prepare sealed it
  const { batches, series } = await runs.readControlTotals(runId);
  const counted = seriesCounts(batches);
  const names = new Set([...counted.keys(), ...series.keys()]);
  for (const name of names) {
    if ((counted.get(name) ?? 0) !== (series.get(name) ?? 0)) {
      throw new BursarError('RUN_INCONSISTENT', `${runId}: series ${name} counts ${series.get(name) ?? 0} payments but the run holds ${counted.get(name) ?? 0}`, { run_id: runId, series: name });
    }
  }
  const award_count = batches.reduce((n, b) => n + b.count, 0);
  const total_fen = batches.reduce((n, b) => n + b.total_fen, 0);
  // The digest the approver will approve, over the rows the payment file will hold (run-digest.ts).
  const sealing = batches.map((b) => ({ ...b, digest: '' }));
  const digests = await digestPayments(runPaymentsByBatch(runs, runId, sealing));
  const byBatch = new Map(digests.batches.map((d) => [d.batch_id, d.digest]));
  await runs.sealRun(runId, {
    award_count, total_fen, digest: digests.digest, sealed_by: by,
    batches: batches.map((b) => ({ ...b, digest: byBatch.get(b.batch_id) ?? '' })),
  }, deps.clock.now());
}

function asRun(header: RunHeader): Run {
  const { sealing: _sealing, ...run } = header;
  return run;
}

async function anyBatchable(runs: RunStore, keys: readonly EnvelopeKey[], through: string): Promise<boolean> {
  for (const key of keys) {
    for await (const page of runs.batchableAwards(key, through, 1)) if (page.length > 0) return true;
  }
  return false;
}

/** Awards of one page by (measure, unit) series, keeping their queue order. */
function groupBySeries(page: readonly Award[]): Map<string, Award[]> {
  const groups = new Map<string, Award[]>();
  for (const award of page) {
    const series = seriesOf(award.measure, award.approving_unit);
    const group = groups.get(series);
    if (group) group.push(award);
    else groups.set(series, [award]);
  }
  return groups;
}

/** Run `work` over `items` with at most `concurrency` at once; the first failure stops the rest. */
async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>, onFailure: () => void): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        if (failure === undefined) { failure = error; onFailure(); }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  if (failure !== undefined) throw failure;
}
