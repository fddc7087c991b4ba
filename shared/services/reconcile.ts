import { randomUUID } from 'node:crypto';
import type { Award } from '../domain/award.ts';
import { shanghaiDate } from '../domain/dates.ts';
import { envelopeId, type Envelope, type EnvelopeKey } from '../domain/envelope.ts';
import {
  compareEnvelope, headAffordable, isClean, LedgerTally, notQueuedItem, orphanedEntryItem, RunItemTally, compareRun,
  type EnvelopeMismatch, type EnvelopeTally, type ReconciliationReport, type RunMismatch, type StuckItem,
} from '../domain/reconciliation.ts';
import type { Ledger } from '../ports/ledger.ts';
import type { ReconciliationStore } from '../ports/reconciliation-store.ts';
import type { Run } from '../domain/run.ts';
import type { RunReader } from '../ports/run-store.ts';
import type { Clock } from './clock.ts';

export interface ReconcileDeps {
  ledger: Pick<Ledger, 'listEnvelopes' | 'getEnvelope' | 'queueHead' | 'getAwards'>;
  store: ReconciliationStore;
  /** The runs (issue 3's adapter). Absent: there are no runs yet. */
  runs?: RunReader;
  clock: Clock;
}

export interface ReconcileOptions {
  fiscalYear?: number;
  /** Parallel scan segments (default 8). */
  segments?: number;
  /** Full scans to try before reporting an envelope that kept changing while it was checked (default 3). */
  maxPasses?: number;
}

export interface CheckedEnvelope {
  key: EnvelopeKey;
  /** The envelope as read after the scan; undefined when awards name an envelope that has no item. */
  envelope: Envelope | undefined;
  tally: EnvelopeTally;
  /** Its version did not move during the scan, so the tally and the figures describe the same state. */
  stable: boolean;
}

export interface LedgerCheck {
  report: ReconciliationReport;
  envelopes: Map<string, CheckedEnvelope>;
}

const VERIFY_CONCURRENCY = 16;

/**
 * Recompute every envelope's reserved, batched, paid and waitlisted figures from the awards and
 * compare them with what the envelopes store; check each run's batches against its items; list what
 * is stuck in an intermediate state.
 *
 * Consistency without a snapshot: DynamoDB has none, so every envelope is read (strongly
 * consistent) before and after the scan. Every change to an envelope's awards commits in the same
 * transaction as a version bump of the envelope, so an envelope whose version did not move saw no
 * change during the scan, and its tally is exact. If an envelope that moved also disagrees, the scan
 * is repeated (up to `maxPasses`) rather than reporting a difference that was only a write in
 * flight. Stuck candidates are re-read (consistently) before they are reported, for the same reason.
 */
export async function checkLedger(deps: ReconcileDeps, options: ReconcileOptions = {}): Promise<LedgerCheck> {
  const started = Date.now();
  const createdAt = new Date(deps.clock.now()).toISOString();
  const segments = options.segments ?? 8;
  const maxPasses = options.maxPasses ?? 3;
  const fy = options.fiscalYear;

  let tally!: LedgerTally;
  let envelopes = new Map<string, CheckedEnvelope>();
  let mismatches: EnvelopeMismatch[] = [];
  let runMismatches: RunMismatch[] = [];
  let runsChecked = 0;
  let passes = 0;
  while (passes < maxPasses) {
    passes++;
    const before = new Map((await deps.ledger.listEnvelopes(fy)).map((e) => [envelopeId(e), e]));
    const allRuns = deps.runs ? await deps.runs.listRuns() : [];
    const runStatus = new Map(allRuns.map((r) => [r.run_id, r.status]));
    const runsInScope = fy === undefined ? allRuns : allRuns.filter((r) => r.period.startsWith(`${fy}-`));
    tally = new LedgerTally((runId) => runStatus.get(runId));
    await deps.store.scanLedger({ award: (a) => tally.addAward(a), queueEntry: (q) => tally.addQueueEntry(q) }, {
      segments, ...(fy === undefined ? {} : { fiscalYear: fy }),
    });
    // Run items are read inside the same bracket: moving awards into a run and settling them also
    // move envelope figures (and versions), so a quiet bracket means runs and awards agree in time.
    runMismatches = await checkRuns(deps, runsInScope, fy === undefined ? tally : null);
    runsChecked = runsInScope.length;
    const after = new Map((await deps.ledger.listEnvelopes(fy)).map((e) => [envelopeId(e), e]));

    envelopes = new Map();
    const keys = new Map<string, EnvelopeKey>();
    for (const e of [...before.values(), ...after.values(), ...tally.envelopes.values()]) keys.set(envelopeId(e), { measure: e.measure, fiscal_year: e.fiscal_year });
    mismatches = [];
    let unsettled = false;
    let anyMoved = false;
    for (const [k, key] of [...keys].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const envelope = after.get(k);
      const stable = before.get(k)?.version === envelope?.version;
      const found = compareEnvelope(key, envelope, tally.tallyFor(key));
      envelopes.set(k, { key, envelope, tally: tally.tallyFor(key), stable });
      mismatches.push(...found);
      if (!stable) anyMoved = true;
      if (found.length > 0 && !stable) unsettled = true;
    }
    if (!unsettled && !(runMismatches.length > 0 && anyMoved)) break;
  }

  const stuck = sortStuck([
    ...(await confirmRunStuck(deps, tally.runStuck)),
    ...(await confirmQueueStuck(deps, tally)),
    ...(await findAffordableHeads(deps, envelopes)),
  ]);
  const report: ReconciliationReport = {
    report_id: `${createdAt.replace(/[-:.]/g, '')}-${randomUUID().slice(0, 6)}`,
    date: shanghaiDate(new Date(createdAt)),
    created_at: createdAt,
    fiscal_year: fy ?? null,
    clean: false,
    checked_envelopes: envelopes.size,
    checked_awards: tally.awardCount,
    checked_runs: runsChecked,
    mismatches,
    run_mismatches: runMismatches,
    stuck,
    passes,
    duration_ms: Date.now() - started,
  };
  report.clean = isClean(report);
  return { report, envelopes };
}

/** A run's items, streamed, against its control totals and (all years read) the awards that name it. */
async function checkRuns(deps: ReconcileDeps, runs: Run[], tally: LedgerTally | null): Promise<RunMismatch[]> {
  const out: RunMismatch[] = [];
  for (const run of runs) {
    const items = new RunItemTally();
    for await (const item of deps.runs!.listRunItems(run.run_id)) items.add(item);
    out.push(...compareRun(run, items, tally === null ? null : tally.awardsByRun.get(run.run_id)));
  }
  return out;
}

/** BATCHED/PAID awards with a missing or settled run: still so on a fresh read of the award and the run? */
async function confirmRunStuck(deps: ReconcileDeps, candidates: StuckItem[]): Promise<StuckItem[]> {
  if (candidates.length === 0) return [];
  const awards = await deps.ledger.getAwards(candidates.map((c) => c.award_id!));
  const confirmed: StuckItem[] = [];
  await eachLimited(candidates, async (c) => {
    const award = awards.get(c.award_id!);
    if (!award || award.status !== c.status || (award.run_id ?? null) !== c.run_id) return;
    const run = award.run_id === undefined || !deps.runs ? undefined : await deps.runs.getRun(award.run_id);
    if (c.kind === 'RUN_MISSING' && run === undefined) confirmed.push(c);
    if (c.kind === 'BATCHED_IN_SETTLED_RUN' && run?.status === 'SETTLED') confirmed.push(c);
  });
  return confirmed;
}

/** Waitlisted awards without an entry and entries without a waitlisted award, confirmed by consistent reads. */
async function confirmQueueStuck(deps: ReconcileDeps, tally: LedgerTally): Promise<StuckItem[]> {
  const notQueued = tally.notQueued();
  const orphaned = tally.orphanedEntries();
  if (notQueued.length === 0 && orphaned.length === 0) return [];
  const awards = await deps.ledger.getAwards([...notQueued.map((a) => a.award_id), ...orphaned.map((q) => q.award_id)]);
  const confirmed: StuckItem[] = [];
  await eachLimited(notQueued, async (a) => {
    const award = awards.get(a.award_id);
    if (award?.status === 'WAITLISTED' && !(await deps.store.hasQueueEntry(award, award))) confirmed.push(notQueuedItem(a));
  });
  await eachLimited(orphaned, async (q) => {
    const award: Award | undefined = awards.get(q.award_id);
    if (award?.status !== 'WAITLISTED' && (await deps.store.hasQueueEntry(q, q))) confirmed.push(orphanedEntryItem(q, award?.status ?? null));
  });
  return confirmed;
}

/** An envelope whose waitlist head fits its available money, seen so twice at the same version. */
async function findAffordableHeads(deps: ReconcileDeps, envelopes: Map<string, CheckedEnvelope>): Promise<StuckItem[]> {
  const found: StuckItem[] = [];
  await eachLimited([...envelopes.values()], async ({ key, envelope }) => {
    if (!envelope?.budget_set || envelope.waitlisted_count === 0) return;
    const [head] = await deps.ledger.queueHead(key, 1);
    const item = headAffordable(envelope, head);
    if (!item) return;
    const again = await deps.ledger.getEnvelope(key);
    if (again?.version === envelope.version) found.push(item);
  });
  return found;
}

function sortStuck(items: StuckItem[]): StuckItem[] {
  const k = (s: StuckItem) => `${s.kind}#${s.fiscal_year}#${String(s.measure).padStart(3, '0')}#${s.award_id ?? ''}`;
  return items.sort((a, b) => (k(a) < k(b) ? -1 : 1));
}

async function eachLimited<T>(items: T[], f: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += VERIFY_CONCURRENCY) await Promise.all(items.slice(i, i + VERIFY_CONCURRENCY).map(f));
}
