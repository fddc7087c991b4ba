/**
 * Reconciliation: recompute what the envelopes should say from the awards, and compare.
 *
 * Pure logic. The service feeds a `LedgerTally` with the facts of every award and waitlist entry
 * (in any order, from parallel scan segments), then compares each envelope and run with what was
 * tallied. Memory stays bounded: figures are summed per envelope and per run; the only per-award
 * state kept is waitlisted awards and queue entries that have not met their counterpart yet (they
 * meet and are dropped as the scan goes on, so on a consistent store few are held at any time).
 */
import type { AwardStatus } from './award.ts';
import type { RunStatus } from './run.ts';
import { committedFen, envelopeId, type Envelope, type EnvelopeKey } from './envelope.ts';

/** A run's control totals, as the runs work stores them (structurally the port's Run). */
export interface RunControls {
  run_id: string;
  status: RunStatus;
  award_count: number;
  total_fen: number;
  batches: { batch_id: string; count: number; total_fen: number }[];
}

/** What reconciliation reads of an award (a scan projects only these attributes). */
export interface AwardFacts {
  award_id: string;
  measure: number;
  fiscal_year: number;
  status: AwardStatus;
  amount_fen: number;
  run_id?: string;
  /** Recoveries (issue 15) settled back into the award's open envelope: no longer paid from it. */
  refunded_fen?: number;
  /** Issue 14: a HELD award that kept its reservation (held at run preparation). */
  held_keeps_reservation?: boolean;
}

/** A waitlist entry as stored under its envelope. */
export interface QueueFacts extends EnvelopeKey {
  award_id: string;
  approved_date: string;
  amount_fen: number;
}

/** Awards that name a run: all of them (BATCHED or PAID), and the PAID ones' money. */
export interface RunAwards {
  count: number;
  total_fen: number;
  paid_fen: number;
}

export interface EnvelopeTally {
  reserved_fen: number;
  batched_fen: number;
  paid_fen: number;
  returned_fen: number;
  waitlisted_fen: number;
  waitlisted_count: number;
  // -- controls (issue 14)
  held_fen: number;
  held_count: number;
}

/**
 * A figure of an envelope that differs from what the awards say. `field` is the stored attribute;
 * for `waitlisted_count` the two values are counts, not fen. Two fields are not plain sums:
 *  - available_fen: recomputed as budget − (reserved + batched + paid) recomputed;
 *  - budget_fen: the stored buckets do not add up, budget ≠ available + reserved + batched + paid;
 *    recomputed_fen is their stored sum. The budget itself is authoritative (audited by
 *    `budget set`); a repair resets the buckets, never the budget.
 */
export type EnvelopeField = 'reserved_fen' | 'batched_fen' | 'paid_fen' | 'returned_fen' | 'available_fen' | 'waitlisted_fen' | 'waitlisted_count' | 'budget_fen'
  | 'held_fen' | 'held_count';

export interface EnvelopeMismatch {
  measure: number;
  fiscal_year: number;
  field: EnvelopeField;
  stored_fen: number;
  recomputed_fen: number;
}

/**
 * A run whose parts do not agree. `stored` is the run's own figure, `recomputed` what was counted:
 *  - per batch (batch_id set): count / total_fen = the batch's control totals vs its items;
 *  - per run (batch_id null): award_count / total_fen = the run's header vs all its items;
 *    awards_count / awards_fen = the run's items not FAILED in settlement vs the awards that say
 *    they are in this run (BATCHED or PAID with this run_id); paid_fen = items settled PAID vs the
 *    PAID awards of the run;
 *  - unknown_batch: items name a batch the run does not have (stored 0, recomputed = item count);
 *  - duplicate_award: the same award appears more than once among the run's items.
 * A run still PREPARING has no control totals yet: only its items and awards are compared.
 */
export interface RunMismatch {
  run_id: string;
  batch_id: string | null;
  field: 'count' | 'total_fen' | 'award_count' | 'awards_count' | 'awards_fen' | 'paid_fen' | 'unknown_batch' | 'duplicate_award';
  stored: number;
  recomputed: number;
}

/**
 * Something that sits in an intermediate state it should have left:
 *  - BATCHED_IN_SETTLED_RUN: the award is BATCHED but its run is SETTLED (it should be PAID);
 *  - RUN_MISSING: a BATCHED or PAID award names no run, or a run that does not exist;
 *  - NOT_QUEUED: a WAITLISTED award has no waitlist entry (it would never be served);
 *  - QUEUE_ENTRY_ORPHANED: a waitlist entry whose award is not WAITLISTED (it blocks the queue);
 *  - HEAD_AFFORDABLE: the head of an envelope's waitlist fits the available money but was not served.
 */
export type StuckKind = 'BATCHED_IN_SETTLED_RUN' | 'RUN_MISSING' | 'NOT_QUEUED' | 'QUEUE_ENTRY_ORPHANED' | 'HEAD_AFFORDABLE';

export interface StuckItem {
  kind: StuckKind;
  measure: number;
  fiscal_year: number;
  award_id: string | null;
  run_id: string | null;
  status: AwardStatus | null;
  detail: string;
}

const zeroTally = (): EnvelopeTally => ({ reserved_fen: 0, batched_fen: 0, paid_fen: 0, returned_fen: 0, waitlisted_fen: 0, waitlisted_count: 0, held_fen: 0, held_count: 0 });

/** Sums awards per envelope and per run, pairs waitlisted awards with queue entries, notes stuck awards. */
export class LedgerTally {
  readonly envelopes = new Map<string, EnvelopeKey & { tally: EnvelopeTally }>();
  /** Per run_id: awards (BATCHED or PAID) that say they are in it. */
  readonly awardsByRun = new Map<string, RunAwards>();
  /** BATCHED or PAID awards whose run is missing or already settled (candidates: the caller re-reads them). */
  readonly runStuck: StuckItem[] = [];
  awardCount = 0;
  queueEntryCount = 0;
  private readonly unmatchedWaitlisted = new Map<string, AwardFacts>();
  private readonly unmatchedQueue = new Map<string, QueueFacts>();

  /** `runStatus` tells the status of a run by id (undefined: no such run). */
  constructor(private readonly runStatus: (runId: string) => string | undefined) {}

  addAward(a: AwardFacts): void {
    this.awardCount++;
    const t = this.tallyOf(a);
    switch (a.status) {
      case 'RESERVED': t.reserved_fen += a.amount_fen; break;
      case 'BATCHED': t.batched_fen += a.amount_fen; break;
      case 'PAID': t.paid_fen += a.amount_fen - (a.refunded_fen ?? 0); break;
      case 'RETURNED': t.returned_fen += a.amount_fen; break;
      case 'WAITLISTED':
        t.waitlisted_fen += a.amount_fen;
        t.waitlisted_count += 1;
        if (this.unmatchedQueue.has(a.award_id)) this.unmatchedQueue.delete(a.award_id);
        else this.unmatchedWaitlisted.set(a.award_id, a);
        break;
      case 'HELD':
        // Issue 14: held at intake it commits nothing; held at run preparation it keeps its reservation.
        t.held_count += 1;
        if (a.held_keeps_reservation) { t.reserved_fen += a.amount_fen; t.held_fen += a.amount_fen; }
        break;
      default: break; // REJECTED and CANCELLED hold no money
    }
    if (a.status === 'BATCHED' || a.status === 'PAID') {
      const runStatus = a.run_id === undefined ? undefined : this.runStatus(a.run_id);
      if (a.run_id !== undefined) {
        const r = this.awardsByRun.get(a.run_id) ?? { count: 0, total_fen: 0, paid_fen: 0 };
        r.count += 1;
        r.total_fen += a.amount_fen;
        if (a.status === 'PAID') r.paid_fen += a.amount_fen;
        this.awardsByRun.set(a.run_id, r);
      }
      if (runStatus === undefined) {
        this.runStuck.push(stuckOf(a, 'RUN_MISSING', a.run_id === undefined ? `${a.status} award names no run` : `${a.status} award names run ${a.run_id}, which does not exist`));
      } else if (a.status === 'BATCHED' && runStatus === 'SETTLED') {
        this.runStuck.push(stuckOf(a, 'BATCHED_IN_SETTLED_RUN', `run ${a.run_id} is SETTLED but the award is still BATCHED`));
      }
    }
  }

  addQueueEntry(q: QueueFacts): void {
    this.queueEntryCount++;
    if (this.unmatchedWaitlisted.has(q.award_id)) this.unmatchedWaitlisted.delete(q.award_id);
    else this.unmatchedQueue.set(q.award_id, q);
  }

  /** Waitlisted awards that met no waitlist entry (complete once every fact is in). */
  notQueued(): AwardFacts[] {
    return [...this.unmatchedWaitlisted.values()];
  }

  /** Waitlist entries that met no waitlisted award (complete once every fact is in). */
  orphanedEntries(): QueueFacts[] {
    return [...this.unmatchedQueue.values()];
  }

  tallyFor(key: EnvelopeKey): EnvelopeTally {
    return this.envelopes.get(envelopeId(key))?.tally ?? zeroTally();
  }

  private tallyOf(k: EnvelopeKey): EnvelopeTally {
    const id = envelopeId(k);
    let entry = this.envelopes.get(id);
    if (!entry) {
      entry = { measure: k.measure, fiscal_year: k.fiscal_year, tally: zeroTally() };
      this.envelopes.set(id, entry);
    }
    return entry.tally;
  }
}

function stuckOf(a: AwardFacts, kind: StuckKind, detail: string): StuckItem {
  return { kind, measure: a.measure, fiscal_year: a.fiscal_year, award_id: a.award_id, run_id: a.run_id ?? null, status: a.status, detail };
}

export function notQueuedItem(a: AwardFacts): StuckItem {
  return stuckOf(a, 'NOT_QUEUED', 'WAITLISTED award has no waitlist entry, so it would never be served');
}

export function orphanedEntryItem(q: QueueFacts, status: AwardStatus | null): StuckItem {
  return {
    kind: 'QUEUE_ENTRY_ORPHANED', measure: q.measure, fiscal_year: q.fiscal_year, award_id: q.award_id, run_id: null, status,
    detail: `waitlist entry whose award is ${status ?? 'missing'}, not WAITLISTED`,
  };
}

type StoredFigures = Pick<Envelope, 'budget_fen' | 'reserved_fen' | 'batched_fen' | 'paid_fen' | 'available_fen' | 'waitlisted_fen' | 'waitlisted_count'>
  & Partial<Pick<Envelope, 'carried_out_fen' | 'lapsed_fen'>> & Partial<Pick<Envelope, 'held_fen' | 'held_count'>> & { returned_fen?: number };

/** Year end (issue 15): money that left a closed year's envelope without being spent in it. */
const closedOutFen = (s: Partial<Pick<Envelope, 'carried_out_fen' | 'lapsed_fen'>>) => (s.carried_out_fen ?? 0) + (s.lapsed_fen ?? 0);

/** Compare an envelope's stored figures (undefined: no envelope item) with the tally of its awards. */
export function compareEnvelope(key: EnvelopeKey, stored: StoredFigures | undefined, tally: EnvelopeTally): EnvelopeMismatch[] {
  const s: StoredFigures = stored ?? { budget_fen: 0, reserved_fen: 0, batched_fen: 0, paid_fen: 0, available_fen: 0, waitlisted_fen: 0, waitlisted_count: 0 };
  const out: EnvelopeMismatch[] = [];
  const check = (field: EnvelopeField, storedValue: number, recomputed: number) => {
    if (storedValue !== recomputed) out.push({ measure: key.measure, fiscal_year: key.fiscal_year, field, stored_fen: storedValue, recomputed_fen: recomputed });
  };
  check('reserved_fen', s.reserved_fen, tally.reserved_fen);
  check('batched_fen', s.batched_fen, tally.batched_fen);
  check('paid_fen', s.paid_fen, tally.paid_fen);
  check('returned_fen', s.returned_fen ?? 0, tally.returned_fen);
  check('available_fen', s.available_fen, s.budget_fen - committedFen(tally) - closedOutFen(s));
  check('waitlisted_fen', s.waitlisted_fen, tally.waitlisted_fen);
  check('waitlisted_count', s.waitlisted_count, tally.waitlisted_count);
  check('held_fen', s.held_fen ?? 0, tally.held_fen);
  check('held_count', s.held_count ?? 0, tally.held_count);
  check('budget_fen', s.budget_fen, s.available_fen + committedFen(s) + closedOutFen(s));
  return out;
}

export type RepairPlan =
  | { ok: true; figures: EnvelopeTally & { available_fen: number } }
  | { ok: false; reason: string };

/**
 * The figures a repair writes: the recomputed buckets, and available = budget − committed. Refused
 * when the awards commit more than the budget: that needs a budget decision, not a repair.
 */
export function planRepair(stored: Pick<Envelope, 'budget_fen'> & Partial<Pick<Envelope, 'carried_out_fen' | 'lapsed_fen'>>, tally: EnvelopeTally): RepairPlan {
  const available = stored.budget_fen - committedFen(tally) - closedOutFen(stored);
  if (available < 0) {
    return { ok: false, reason: `the awards commit ${committedFen(tally)} fen, more than the budget of ${stored.budget_fen} fen; raise the budget first` };
  }
  return { ok: true, figures: { ...tally, available_fen: available } };
}

/** Items of one run, counted per batch while they stream past. */
export class RunItemTally {
  readonly batches = new Map<string, { count: number; total_fen: number }>();
  count = 0;
  total_fen = 0;
  /** Items whose payment did not fail: their awards are still in the run (BATCHED or PAID). */
  live = { count: 0, total_fen: 0 };
  paid_fen = 0;
  duplicates = 0;
  private readonly seen = new Set<string>();

  add(item: { batch_id: string; award_id: string; amount_fen: number; outcome?: 'PAID' | 'FAILED' }): void {
    const b = this.batches.get(item.batch_id) ?? { count: 0, total_fen: 0 };
    b.count += 1;
    b.total_fen += item.amount_fen;
    this.batches.set(item.batch_id, b);
    this.count += 1;
    this.total_fen += item.amount_fen;
    if (item.outcome !== 'FAILED') {
      this.live.count += 1;
      this.live.total_fen += item.amount_fen;
    }
    if (item.outcome === 'PAID') this.paid_fen += item.amount_fen;
    if (this.seen.has(item.award_id)) this.duplicates += 1;
    else this.seen.add(item.award_id);
  }
}

/**
 * Compare a run's control totals with its items, and its items with the awards that name it
 * (`awards` null: not checked, e.g. when only one fiscal year's awards were read).
 */
export function compareRun(run: RunControls, items: RunItemTally, awards: RunAwards | undefined | null): RunMismatch[] {
  const out: RunMismatch[] = [];
  const check = (batchId: string | null, field: RunMismatch['field'], stored: number, recomputed: number) => {
    if (stored !== recomputed) out.push({ run_id: run.run_id, batch_id: batchId, field, stored, recomputed });
  };
  if (run.status !== 'PREPARING') {
    const known = new Set<string>();
    for (const batch of run.batches) {
      known.add(batch.batch_id);
      const counted = items.batches.get(batch.batch_id) ?? { count: 0, total_fen: 0 };
      check(batch.batch_id, 'count', batch.count, counted.count);
      check(batch.batch_id, 'total_fen', batch.total_fen, counted.total_fen);
    }
    for (const [batchId, counted] of items.batches) {
      if (!known.has(batchId)) check(batchId, 'unknown_batch', 0, counted.count);
    }
    check(null, 'award_count', run.award_count, items.count);
    check(null, 'total_fen', run.total_fen, items.total_fen);
  }
  check(null, 'duplicate_award', 0, items.duplicates);
  if (awards !== null) {
    const a = awards ?? { count: 0, total_fen: 0, paid_fen: 0 };
    check(null, 'awards_count', items.live.count, a.count);
    check(null, 'awards_fen', items.live.total_fen, a.total_fen);
    check(null, 'paid_fen', items.paid_fen, a.paid_fen);
  }
  return out;
}

/** The head of a waitlist that fits the available money should have been served. */
export function headAffordable(
  envelope: Pick<Envelope, 'measure' | 'fiscal_year' | 'budget_set' | 'available_fen' | 'waitlisted_count'>,
  head: { award_id: string; amount_fen: number } | undefined,
): StuckItem | undefined {
  if (!head || !envelope.budget_set || envelope.waitlisted_count === 0 || head.amount_fen > envelope.available_fen) return undefined;
  return {
    kind: 'HEAD_AFFORDABLE', measure: envelope.measure, fiscal_year: envelope.fiscal_year, award_id: head.award_id, run_id: null, status: 'WAITLISTED',
    detail: `waitlist head needs ${head.amount_fen} fen and ${envelope.available_fen} fen are available, but it was not reserved`,
  };
}

/** What one reconciliation found; stored with its date and printed by `bursar reconcile`. */
export interface ReconciliationReport {
  report_id: string;
  /** Shanghai calendar date of the run. */
  date: string;
  created_at: string;
  fiscal_year: number | null;
  clean: boolean;
  checked_envelopes: number;
  checked_awards: number;
  checked_runs: number;
  mismatches: EnvelopeMismatch[];
  run_mismatches: RunMismatch[];
  stuck: StuckItem[];
  /** Scans of the table it took to see each envelope unchanged from start to end (1 unless writes raced it). */
  passes: number;
  duration_ms: number;
  repairs?: RepairOutcome[];
}

export interface RepairOutcome {
  measure: number;
  fiscal_year: number;
  outcome: 'REPAIRED' | 'REFUSED' | 'CHANGED';
  detail: string;
  before?: Record<string, number>;
  after?: Record<string, number>;
}

export function isClean(r: Pick<ReconciliationReport, 'mismatches' | 'run_mismatches' | 'stuck'>): boolean {
  return r.mismatches.length === 0 && r.run_mismatches.length === 0 && r.stuck.length === 0;
}

/** Envelopes and the fields that differ, for the alert text. */
export function mismatchedEnvelopes(mismatches: readonly EnvelopeMismatch[]): { measure: number; fiscal_year: number; fields: string[] }[] {
  const by = new Map<string, { measure: number; fiscal_year: number; fields: string[] }>();
  for (const m of mismatches) {
    const id = envelopeId(m);
    const e = by.get(id) ?? { measure: m.measure, fiscal_year: m.fiscal_year, fields: [] };
    e.fields.push(m.field);
    by.set(id, e);
  }
  return [...by.values()];
}
