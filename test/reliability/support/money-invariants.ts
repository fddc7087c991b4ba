/**
 * The money core's invariants, checked on the store's items as a whole (read without going through
 * Bursar's own code): the same function judges the model's store and the crash tests' tables on DynamoDB Local.
 *
 * Envelopes: committed (reserved + batched + paid) ≤ budget, available ≥ 0,
 *   budget = available + reserved + batched + paid, and the stored reserved, batched, paid and
 *   waitlisted figures equal the sums over the award records by status.
 * Awards: each stored once, under its own key, with index keys that match its status; an award is
 *   never in two active runs, never paid twice, BATCHED exactly when it has an unsettled payment in
 *   the run it names, PAID exactly when that run's payment is PAID; a payment that failed leaves its
 *   award out of that run.
 * Queue: the entries are exactly the WAITLISTED awards, in (approved_date, award_id) order, with
 *   their amounts; at rest, the head of a funded envelope's queue does not fit the available money.
 * Runs: a sealed run's control totals (count, total, per batch) equal its payments; series counters
 *   equal the payments per series; batches are numbered 1..n without gaps and hold at most the
 *   batch size; only an exported run has settled payments, and a SETTLED run has no unsettled one.
 * Paid months: per envelope they add up to its paid money and its PAID awards.
 * Holds (issue 14): held_count counts the envelope's HELD awards and held_fen the money those held at
 *   run preparation keep reserved (inside reserved_fen); a HELD award held at intake commits nothing.
 *   Envelope identity: budget = available + reserved + batched + paid + returned + carried_out + lapsed.
 * Enterprises (issue 14): each ENT#<uscc> CONTROLS record's totals per cap scope (M#<fy>#<measure>,
 *   S#<scheme>) and duplicate guards (P#<project>, A#<fy>#<measure>#<amount>) equal what its live
 *   counted awards (RESERVED, WAITLISTED, HELD, BATCHED, PAID, RETURNED) add up to; no two live
 *   matching awards (same enterprise and project, or same enterprise, measure, approval year and
 *   amount without a project) are both out of HELD unless a person released one of them from a hold.
 *   The caps themselves are judged by the harness (`enterpriseScopes`), which knows when a cap moved.
 * Year end, recoveries, transfers (issue 15): paid = Σ PAID − Σ refunded (recoveries settled into the
 *   open year); a closed and lapsed envelope holds nothing but paid, carried out and lapsed money
 *   (budget = paid + carried_out + lapsed, recovered ≤ paid), an open one nothing carried out, lapsed
 *   or recovered to the treasury; carried out of (m, Y) = carried into (m, Y+1); a CLOSED year has no
 *   RESERVED, WAITLISTED or HELD award; an award sits in a later year than its approval only across
 *   closed years (carried, or charged late); recoveries add up on their award (claimed = DUE +
 *   SETTLED ≤ paid, each numbered within its award's recovery_count) and envelope (treasury only
 *   from a closed year); transfers join two measures of one year. Across snapshots (BudgetWatch):
 *   budget − carried_in less the recorded transfers moves only by `budget set` (so transfers net to
 *   zero and move once), and a lapsed envelope never moves.
 */
import { awardPk, awardStatusPk, envelopePk, queueSk } from '../../../shared/adapters/dynamo/items.ts';
import { paidMonthPk } from '../../../shared/adapters/dynamo/run-items.ts';
import type { AwardStatus } from '../../../shared/domain/award.ts';
import { queueOrderKey } from '../../../shared/domain/reservation-plan.ts';
import { recoveryNumber } from '../../../shared/domain/recovery.ts';
import { seriesOf } from '../../../shared/domain/run-batching.ts';
import type { Item } from '../../../shared/adapters/dynamo/operations.ts';

export interface Snapshot {
  envelopes: Map<string, Item>;
  awards: Map<string, Item>;
  /** Waitlist entries per envelope pk, in sort-key order (the order queueHead reads them). */
  queues: Map<string, Item[]>;
  runs: Map<string, Item>;
  runItems: Map<string, Item[]>;
  series: Map<string, Map<string, number>>;
  paidMonths: Item[];
  intakeIssues: Item[];
  /** ENT#<uscc> CONTROLS records by credit code; schemes by id. */
  enterprises: Map<string, Item>;
  schemes: Map<string, Item>;
  /** Award items, counted per award_id (must be 1 each). */
  awardItemCount: Map<string, number>;
  /** Issue 15: TRANSFER#<id> records, RECOVERY#<id> records, YEAR#<fy>/CLOSE records (by fiscal year). */
  transfers: Map<string, Item>;
  recoveries: Map<string, Item>;
  yearCloses: Map<number, Item>;
}

export function snapshotOf(items: readonly Item[]): Snapshot {
  const s: Snapshot = {
    envelopes: new Map(), awards: new Map(), queues: new Map(), runs: new Map(), runItems: new Map(), series: new Map(),
    paidMonths: [], intakeIssues: [], enterprises: new Map(), schemes: new Map(), awardItemCount: new Map(),
    transfers: new Map(), recoveries: new Map(), yearCloses: new Map(),
  };
  const sorted = [...items].sort((a, b) => (String(a.pk) + '\u0000' + String(a.sk) < String(b.pk) + '\u0000' + String(b.sk) ? -1 : 1));
  for (const it of sorted) {
    const pk = String(it.pk);
    const sk = String(it.sk);
    if (pk.startsWith('ENV#') && sk === 'ENV') s.envelopes.set(pk, it);
    else if (pk.startsWith('ENV#') && sk.startsWith('Q#')) s.queues.set(pk, [...(s.queues.get(pk) ?? []), it]);
    else if (it.type === 'AWARD') {
      s.awards.set(String(it.award_id), it);
      s.awardItemCount.set(String(it.award_id), (s.awardItemCount.get(String(it.award_id)) ?? 0) + 1);
    } else if (pk.startsWith('RUN#') && sk === 'RUN') s.runs.set(String(it.run_id), it);
    else if (pk.startsWith('RUN#') && sk.startsWith('ITEM#')) {
      const runId = pk.slice(4);
      s.runItems.set(runId, [...(s.runItems.get(runId) ?? []), it]);
    } else if (pk.startsWith('RUN#') && sk.startsWith('SERIES#')) {
      const runId = pk.slice(4);
      const m = s.series.get(runId) ?? new Map<string, number>();
      m.set(String(it.series), Number(it.last_seq));
      s.series.set(runId, m);
    } else if (pk.startsWith('PAID#')) s.paidMonths.push(it);
    else if (it.type === 'INTAKE_ISSUE') s.intakeIssues.push(it);
    else if (pk.startsWith('ENT#') && sk === 'CONTROLS') s.enterprises.set(pk.slice(4), it);
    else if (pk.startsWith('SCHEME#') && sk === 'SCHEME') s.schemes.set(String(it.scheme_id), it);
    else if (pk.startsWith('TRANSFER#') && sk === 'TRANSFER') s.transfers.set(String(it.transfer_id), it);
    else if (pk.startsWith('RECOVERY#') && sk === 'RECOVERY') s.recoveries.set(String(it.recovery_id), it);
    else if (pk.startsWith('YEAR#') && sk === 'CLOSE') s.yearCloses.set(Number(it.fiscal_year), it);
  }
  return s;
}

export interface InvariantOptions {
  /** Every operation has finished: the queue must then hold no affordable head. */
  atRest: boolean;
  /** Runs whose header settlement figures must equal their payments (their last import completed). */
  settlementRecorded?: ReadonlySet<string>;
}

interface Tally {
  reserved: number;
  batched: number;
  paid: number;
  returned: number;
  waitlisted: number;
  waitlistedCount: number;
  paidCount: number;
  held: number;
  heldCount: number;
  /** Recoveries settled back into the open envelope (the PAID awards' refunded_fen). */
  refunded: number;
  waiting: Item[];
}

const MONEY_FIELDS = ['budget_fen', 'reserved_fen', 'batched_fen', 'paid_fen', 'available_fen', 'waitlisted_fen', 'waitlisted_count', 'version', 'queue_seq'];
const STATUSES: readonly AwardStatus[] = ['RESERVED', 'WAITLISTED', 'REJECTED', 'CANCELLED', 'BATCHED', 'PAID', 'RETURNED', 'HELD'];
/** Live awards: they count towards caps and duplicate guards (issue 14, section 2). */
export const LIVE: readonly string[] = ['RESERVED', 'WAITLISTED', 'HELD', 'BATCHED', 'PAID', 'RETURNED'];
const RUN_ORDER = ['PREPARING', 'PREPARED', 'APPROVED', 'EXPORTED', 'SETTLED'];

export function checkInvariants(s: Snapshot, options: InvariantOptions): string[] {
  const v: string[] = [];
  const tallies = new Map<string, Tally>();
  const tallyOf = (pk: string) => {
    let t = tallies.get(pk);
    if (!t) { t = { reserved: 0, batched: 0, paid: 0, returned: 0, waitlisted: 0, waitlistedCount: 0, paidCount: 0, held: 0, heldCount: 0, refunded: 0, waiting: [] }; tallies.set(pk, t); }
    return t;
  };

  // ---- awards ----
  for (const [id, n] of s.awardItemCount) if (n !== 1) v.push(`award ${id} is stored ${n} times`);
  for (const [id, a] of s.awards) {
    const status = a.status as AwardStatus;
    const key = { measure: Number(a.measure), fiscal_year: Number(a.fiscal_year) };
    if (a.pk !== awardPk(id)) v.push(`award ${id} is stored under ${String(a.pk)}`);
    if (!STATUSES.includes(status)) v.push(`award ${id} has status ${String(status)}`);
    if (!Number.isSafeInteger(a.amount_fen) || (a.amount_fen as number) <= 0) v.push(`award ${id} amount ${String(a.amount_fen)}`);
    v.push(...fiscalYearOfAward(s, id, a));
    if (a.gsi1pk !== awardStatusPk(status, key)) v.push(`award ${id} (${status}) is indexed as ${String(a.gsi1pk)}`);
    if (a.gsi1sk !== queueOrderKey({ approved_date: String(a.approved_date), award_id: id })) v.push(`award ${id} has index sort key ${String(a.gsi1sk)}`);
    const inRun = status === 'BATCHED' || status === 'PAID' || status === 'RETURNED';
    if (inRun && typeof a.run_id !== 'string') v.push(`award ${id} is ${status} but names no run`);
    if (!inRun && (a.run_id !== undefined || a.batch_id !== undefined || a.run_seq !== undefined)) v.push(`award ${id} is ${status} but still names run ${String(a.run_id)}`);
    if (status === 'BATCHED' && (typeof a.batch_id !== 'string' || typeof a.run_seq !== 'number')) v.push(`award ${id} is BATCHED without a batch and sequence`);
    const amount = Number(a.amount_fen);
    const t = tallyOf(envelopePk(key));
    if (status === 'RESERVED') t.reserved += amount;
    if (status === 'HELD') {
      const hold = a.hold as { reason?: string; keeps_reservation?: boolean } | undefined;
      if (!hold || typeof hold.reason !== 'string') v.push(`award ${id} is HELD without a hold reason`);
      t.heldCount++;
      // Held at run preparation: keeps its reservation (inside reserved_fen); held at intake: no money.
      if (hold?.keeps_reservation === true) { t.reserved += amount; t.held += amount; }
    } else if (a.hold !== undefined) v.push(`award ${id} is ${status} but still carries a hold`);
    if (status === 'BATCHED') t.batched += amount;
    if (status === 'RETURNED') t.returned += amount;
    if (status === 'PAID') { t.paid += amount; t.paidCount++; t.refunded += Number(a.refunded_fen ?? 0); }
    else if (a.refunded_fen !== undefined || a.recovery_claimed_fen !== undefined) v.push(`award ${id} is ${status} but has recoveries`);
    if (status === 'WAITLISTED') { t.waitlisted += amount; t.waitlistedCount++; t.waiting.push(a); }
  }

  // ---- envelopes and their queues ----
  const envelopeKeys = new Set([...s.envelopes.keys(), ...tallies.keys(), ...s.queues.keys()]);
  for (const pk of [...envelopeKeys].sort()) {
    const e = s.envelopes.get(pk);
    const t = tallyOf(pk);
    const queue = s.queues.get(pk) ?? [];
    if (!e) {
      if (t.reserved + t.batched + t.paid + t.waitlisted + t.waitlistedCount + t.heldCount > 0 || queue.length > 0) {
        v.push(`${pk}: awards or queue entries of an envelope that does not exist`);
      }
      continue;
    }
    for (const f of MONEY_FIELDS) if (!Number.isSafeInteger(e[f])) v.push(`${pk}: ${f} is ${String(e[f])}`);
    // returned_fen (issue 13) appears on an envelope with its first failed payment: absent is 0.
    // returned_fen, held_* (issues 13, 14) and the year-end figures (issue 15) may be absent: 0.
    const optional = ['returned_fen', 'held_fen', 'held_count', 'carried_out_fen', 'carried_in_fen', 'lapsed_fen', 'recovered_fen', 'refunded_fen'];
    const n = (f: string) => Number(optional.includes(f) ? e[f] ?? 0 : e[f]);
    const committed = n('reserved_fen') + n('batched_fen') + n('paid_fen') + n('returned_fen');
    const leftTheYear = n('carried_out_fen') + n('lapsed_fen');
    if (e.budget_set !== true) {
      for (const f of ['budget_fen', 'reserved_fen', 'batched_fen', 'paid_fen', 'available_fen']) if (n(f) !== 0) v.push(`${pk}: no budget set but ${f} = ${n(f)}`);
    }
    if (committed > n('budget_fen')) v.push(`${pk}: committed ${committed} exceeds the budget ${n('budget_fen')} (overspent)`);
    if (n('available_fen') < 0) v.push(`${pk}: available ${n('available_fen')} is negative`);
    if (n('budget_fen') !== n('available_fen') + committed + leftTheYear) v.push(`${pk}: budget ${n('budget_fen')} ≠ available ${n('available_fen')} + reserved + batched + paid + returned ${committed} + carried out + lapsed ${leftTheYear}`);
    const expect = (f: string, want: number) => { if (n(f) !== want) v.push(`${pk}: stored ${f} ${n(f)} ≠ ${want} summed over its awards`); };
    expect('reserved_fen', t.reserved);
    expect('batched_fen', t.batched);
    // README: an envelope's paid = Σ amount of its PAID awards − Σ refunded_fen (recoveries settled while the year was open).
    expect('paid_fen', t.paid - t.refunded);
    expect('refunded_fen', t.refunded);
    expect('returned_fen', t.returned);
    expect('waitlisted_fen', t.waitlisted);
    expect('waitlisted_count', t.waitlistedCount);
    expect('held_fen', t.held);
    expect('held_count', t.heldCount);

    const want = [...t.waiting].sort((a, b) => (queueOrderKey(a as never) < queueOrderKey(b as never) ? -1 : 1));
    const got = queue.map((q) => String(q.award_id));
    if (JSON.stringify(got) !== JSON.stringify(want.map((a) => String(a.award_id)))) {
      v.push(`${pk}: queue ${JSON.stringify(got)} ≠ WAITLISTED awards in queue order ${JSON.stringify(want.map((a) => a.award_id))}`);
    } else {
      for (const [i, q] of queue.entries()) {
        const a = want[i]!;
        if (q.sk !== queueSk({ approved_date: String(a.approved_date), award_id: String(a.award_id) }) || q.amount_fen !== a.amount_fen || q.approved_date !== a.approved_date) {
          v.push(`${pk}: queue entry ${String(q.sk)} does not match award ${String(a.award_id)}`);
        }
      }
    }
    if (options.atRest && e.budget_set === true && queue.length > 0 && Number(queue[0]!.amount_fen) <= n('available_fen')) {
      v.push(`${pk}: the queue's head ${String(queue[0]!.award_id)} (${String(queue[0]!.amount_fen)}) fits the available ${n('available_fen')} but was not served`);
    }
  }

  // ---- runs ----
  const byAward = new Map<string, { runId: string; item: Item }[]>();
  for (const [runId, items] of s.runItems) {
    for (const item of items) byAward.set(String(item.award_id), [...(byAward.get(String(item.award_id)) ?? []), { runId, item }]);
  }
  for (const runId of new Set([...s.runs.keys(), ...s.runItems.keys(), ...s.series.keys()])) {
    const run = s.runs.get(runId);
    const items = s.runItems.get(runId) ?? [];
    if (!run) { v.push(`run ${runId}: payments or counters without a run header`); continue; }
    const status = String(run.status);
    if (!RUN_ORDER.includes(status)) v.push(`run ${runId} has status ${status}`);
    const perSeries = new Map<string, number>();
    const perBatch = new Map<string, { count: number; total: number; measure: number; unit: string; seqs: number[] }>();
    for (const item of items) {
      const id = String(item.award_id);
      const award = s.awards.get(id);
      if (!award) { v.push(`run ${runId}: payment of unknown award ${id}`); continue; }
      // A payment that failed and was released may have been carried into the next year since (issue 15).
      const sameYear = item.fiscal_year === award.fiscal_year || (item.outcome === 'FAILED' && ((award.carried_from as number[] | undefined) ?? []).includes(Number(item.fiscal_year)));
      if (item.amount_fen !== award.amount_fen || item.measure !== award.measure || !sameYear || item.unit !== award.approving_unit) {
        v.push(`run ${runId}: payment ${id} does not match its award`);
      }
      const series = seriesOf(Number(item.measure), String(item.unit));
      perSeries.set(series, (perSeries.get(series) ?? 0) + 1);
      if (!String(item.batch_id).startsWith(`${runId}-${series}-`)) v.push(`run ${runId}: payment ${id} is in batch ${String(item.batch_id)}`);
      const b = perBatch.get(String(item.batch_id)) ?? { count: 0, total: 0, measure: Number(item.measure), unit: String(item.unit), seqs: [] };
      b.count++;
      b.total += Number(item.amount_fen);
      b.seqs.push(Number(item.seq));
      perBatch.set(String(item.batch_id), b);
      if (item.outcome !== undefined && status !== 'EXPORTED' && status !== 'SETTLED') v.push(`run ${runId} is ${status} but payment ${id} is settled`);
      if (item.outcome === undefined && status === 'SETTLED') v.push(`run ${runId} is SETTLED but payment ${id} is not`);
    }
    const counters = s.series.get(runId) ?? new Map<string, number>();
    for (const series of new Set([...perSeries.keys(), ...counters.keys()])) {
      if ((perSeries.get(series) ?? 0) !== (counters.get(series) ?? 0)) v.push(`run ${runId}: series ${series} counter ${counters.get(series) ?? 0} ≠ ${perSeries.get(series) ?? 0} payments`);
    }
    const batchSize = Number(run.batch_size);
    for (const [batchId, b] of perBatch) {
      const seqs = [...b.seqs].sort((x, y) => x - y);
      if (seqs.some((q, i) => q !== i + 1)) v.push(`run ${runId}: batch ${batchId} has sequence numbers ${JSON.stringify(seqs)}`);
      if (b.count > batchSize) v.push(`run ${runId}: batch ${batchId} holds ${b.count} payments, more than ${batchSize}`);
    }
    if (status !== 'PREPARING') {
      const total = items.reduce((sum, it) => sum + Number(it.amount_fen), 0);
      if (run.award_count !== items.length || run.total_fen !== total) {
        v.push(`run ${runId}: control totals ${String(run.award_count)}/${String(run.total_fen)} ≠ payments ${items.length}/${total}`);
      }
      const batches = (run.batches as Item[] | undefined) ?? [];
      const control = new Map(batches.map((b) => [String(b.batch_id), b]));
      for (const batchId of new Set([...control.keys(), ...perBatch.keys()])) {
        const c = control.get(batchId);
        const b = perBatch.get(batchId);
        if (!c || !b || c.count !== b.count || c.total_fen !== b.total || c.measure !== b.measure || c.unit !== b.unit) {
          v.push(`run ${runId}: batch ${batchId} control ${JSON.stringify(c ?? null)} ≠ payments ${JSON.stringify(b ? { count: b.count, total: b.total } : null)}`);
        }
      }
    }
    if (run.settled_count !== undefined) {
      const settled = items.filter((it) => it.outcome !== undefined);
      const paid = items.filter((it) => it.outcome === 'PAID');
      const failed = items.filter((it) => it.outcome === 'FAILED');
      const figures = {
        settled_count: settled.length, paid_count: paid.length, failed_count: failed.length,
        paid_fen: paid.reduce((x, it) => x + Number(it.amount_fen), 0), failed_fen: failed.reduce((x, it) => x + Number(it.amount_fen), 0),
      };
      for (const [f, actual] of Object.entries(figures)) {
        const stored = Number(run[f]);
        if (stored > actual) v.push(`run ${runId}: header ${f} ${stored} exceeds the ${actual} in its payments`);
        if (options.settlementRecorded?.has(runId) && stored !== actual) v.push(`run ${runId}: header ${f} ${stored} ≠ ${actual} after a completed import`);
      }
    }
  }
  for (const [id, award] of s.awards) {
    const entries = byAward.get(id) ?? [];
    const open = entries.filter((e) => e.item.outcome === undefined);
    const paid = entries.filter((e) => e.item.outcome === 'PAID');
    if (open.length > 1) v.push(`award ${id} is in ${open.length} active runs: ${open.map((e) => e.runId).join(', ')}`);
    if (paid.length > 1) v.push(`award ${id} was paid ${paid.length} times: ${paid.map((e) => e.runId).join(', ')}`);
    if (open.length > 0 && paid.length > 0) v.push(`award ${id} is paid in ${paid[0]!.runId} and still waiting for payment in ${open[0]!.runId}`);
    const status = String(award.status);
    if (open.length === 1) {
      const { runId, item } = open[0]!;
      if (status !== 'BATCHED' || award.run_id !== runId || award.batch_id !== item.batch_id || award.run_seq !== item.seq) {
        v.push(`award ${id} has an unsettled payment in ${runId} but is ${status} in ${String(award.run_id)}`);
      }
    }
    if (paid.length === 1 && (status !== 'PAID' || award.run_id !== paid[0]!.runId)) v.push(`award ${id} was paid in ${paid[0]!.runId} but is ${status} in ${String(award.run_id)}`);
    if (status === 'BATCHED' && open.length !== 1) v.push(`award ${id} is BATCHED in ${String(award.run_id)} without an unsettled payment there`);
    if (status === 'PAID' && paid.length !== 1) v.push(`award ${id} is PAID without a PAID payment`);
    for (const e of entries.filter((x) => x.item.outcome === 'FAILED')) {
      // Issue 13: a failed payment's award stays in its run as RETURNED until a second person releases it.
      if (award.run_id === e.runId && status !== 'RETURNED') v.push(`award ${id}: its payment failed in ${e.runId} but it is ${status} in that run`);
      if (status === 'RETURNED' && award.run_id !== e.runId && !entries.some((x) => x.runId === award.run_id && x.item.outcome === 'FAILED')) v.push(`award ${id} is RETURNED outside the run its payment failed in`);
    }
  }

  // ---- paid months ----
  const monthly = new Map<string, { fen: number; count: number }>();
  for (const m of s.paidMonths) {
    const pk = envelopePk({ measure: Number(m.measure), fiscal_year: Number(m.fiscal_year) });
    if (m.pk !== paidMonthPk(Number(m.fiscal_year))) v.push(`paid month ${String(m.pk)}/${String(m.sk)} is filed under the wrong year`);
    const x = monthly.get(pk) ?? { fen: 0, count: 0 };
    x.fen += Number(m.paid_fen);
    x.count += Number(m.paid_count);
    monthly.set(pk, x);
  }
  for (const pk of new Set([...monthly.keys(), ...tallies.keys()])) {
    const x = monthly.get(pk) ?? { fen: 0, count: 0 };
    const t = tallyOf(pk);
    if (x.fen !== t.paid || x.count !== t.paidCount) v.push(`${pk}: paid per month ${x.fen} (${x.count}) ≠ PAID awards ${t.paid} (${t.paidCount})`);
  }

  v.push(...checkEnterprises(s), ...checkDuplicates(s), ...checkYearEnd(s), ...checkRecoveries(s), ...checkTransfers(s));
  return v;
}

// ---- year end, recoveries and transfers (issue 15) ----

const num = (x: unknown) => Number(x ?? 0);
const envelopeOf = (s: Snapshot, measure: number, fiscalYear: number) => s.envelopes.get(envelopePk({ measure, fiscal_year: fiscalYear }));

/**
 * An award is charged to its approval year, or to a later one only across closed years: carried
 * forward by a close (carried_from) or, arriving after its year closed, charged to the next open
 * year (its trace says FISCAL_YEAR_CLOSED).
 */
function fiscalYearOfAward(s: Snapshot, id: string, a: Item): string[] {
  const v: string[] = [];
  const approved = Number(String(a.approved_date).slice(0, 4));
  const fy = Number(a.fiscal_year);
  const measure = Number(a.measure);
  const carried = (a.carried_from as number[] | undefined) ?? [];
  if (fy === approved && carried.length === 0) return v;
  if (fy < approved) return [`award ${id}: fiscal year ${fy} is before its approval year ${approved}`];
  for (let y = approved; y < fy; y++) {
    if (envelopeOf(s, measure, y)?.status !== 'CLOSED') v.push(`award ${id} (approved ${String(a.approved_date)}) is charged to FY${fy}, but FY${y} of measure ${measure} is not closed`);
  }
  if (new Set(carried).size !== carried.length) v.push(`award ${id} was carried out of one year twice: ${JSON.stringify(carried)}`);
  for (const y of carried) if (y < approved || y >= fy) v.push(`award ${id} in FY${fy} says it was carried from FY${y}`);
  const late = ((a.trace as { rule?: string }[] | undefined) ?? []).some((t) => t.rule === 'FISCAL_YEAR_CLOSED');
  if (fy > approved && carried.length === 0 && !late) v.push(`award ${id} is in FY${fy}, approved in FY${approved}, neither carried forward nor charged as a late award`);
  if (fy - approved > carried.length && !late) v.push(`award ${id} moved ${fy - approved} years with ${carried.length} carries and no late charge`);
  return v;
}

/**
 * The year end (README "The envelope identity"): an open envelope has nothing carried out, lapsed or
 * sent to the treasury; a CLOSED one belongs to a year whose close was approved; once its balance
 * lapsed it holds nothing available, reserved, batched, returned, waiting or held, so
 * budget = paid + carried_out + lapsed, and net paid (paid − recovered) ≥ 0. Money carried out of
 * (measure, Y) is exactly the money carried into (measure, Y+1). A finished close leaves its year
 * with every envelope closed and lapsed.
 */
function checkYearEnd(s: Snapshot): string[] {
  const v: string[] = [];
  for (const [pk, e] of s.envelopes) {
    const closed = e.status === 'CLOSED';
    if (!closed) {
      for (const f of ['carried_out_fen', 'lapsed_fen', 'recovered_fen']) if (num(e[f]) !== 0) v.push(`${pk}: open, but ${f} = ${num(e[f])}`);
      if (e.lapsed_at !== undefined) v.push(`${pk}: open, but its balance lapsed`);
    } else {
      const close = s.yearCloses.get(Number(e.fiscal_year));
      if (!close || (close.status !== 'CLOSING' && close.status !== 'CLOSED')) v.push(`${pk}: CLOSED without an approved close of FY${String(e.fiscal_year)} (${String(close?.status ?? 'none')})`);
    }
    if (closed && e.lapsed_at !== undefined) {
      for (const f of ['available_fen', 'reserved_fen', 'batched_fen', 'returned_fen', 'waitlisted_fen', 'waitlisted_count', 'held_fen', 'held_count']) {
        if (num(e[f]) !== 0) v.push(`${pk}: closed and lapsed, but ${f} = ${num(e[f])}`);
      }
      if (num(e.budget_fen) !== num(e.paid_fen) + num(e.carried_out_fen) + num(e.lapsed_fen)) {
        v.push(`${pk}: closed year: budget ${num(e.budget_fen)} ≠ paid ${num(e.paid_fen)} + carried out ${num(e.carried_out_fen)} + lapsed ${num(e.lapsed_fen)}`);
      }
      if (num(e.recovered_fen) > num(e.paid_fen)) v.push(`${pk}: recovered ${num(e.recovered_fen)} exceeds paid ${num(e.paid_fen)}`);
    }
    const next = envelopeOf(s, Number(e.measure), Number(e.fiscal_year) + 1);
    if (num(e.carried_out_fen) !== num(next?.carried_in_fen)) {
      v.push(`${pk}: carried out ${num(e.carried_out_fen)} ≠ carried into FY${Number(e.fiscal_year) + 1} ${num(next?.carried_in_fen)}`);
    }
    const previous = envelopeOf(s, Number(e.measure), Number(e.fiscal_year) - 1);
    if (!previous && num(e.carried_in_fen) !== 0) v.push(`${pk}: carried in ${num(e.carried_in_fen)} from a year with no envelope`);
  }
  for (const [fy, close] of s.yearCloses) {
    if (close.status !== 'CLOSED') continue;
    for (const [pk, e] of s.envelopes) {
      if (Number(e.fiscal_year) === fy && (e.status !== 'CLOSED' || e.lapsed_at === undefined)) v.push(`FY${fy} is CLOSED but ${pk} is ${String(e.status ?? 'OPEN')}${e.lapsed_at === undefined ? ', not lapsed' : ''}`);
    }
    for (const [id, a] of s.awards) {
      if (Number(a.fiscal_year) === fy && ['RESERVED', 'WAITLISTED', 'HELD'].includes(String(a.status))) v.push(`FY${fy} is CLOSED but award ${id} is still ${String(a.status)} in it`);
    }
  }
  return v;
}

/**
 * Recoveries (追回): each names a PAID award of its envelope; the award's claim counter is the sum
 * of its DUE and SETTLED recoveries and never exceeds what was paid; its recovered_fen is what was
 * SETTLED and its refunded_fen what of that went back into the open envelope; money sent to the
 * treasury only from a CLOSED envelope, whose recovered_fen adds it up.
 */
function checkRecoveries(s: Snapshot): string[] {
  const v: string[] = [];
  const perAward = new Map<string, { claimed: number; settled: number; refunded: number }>();
  const treasury = new Map<string, number>();
  for (const [rid, r] of s.recoveries) {
    const status = String(r.status);
    const amount = Number(r.amount_fen);
    if (!['DUE', 'SETTLED', 'CANCELLED'].includes(status)) v.push(`recovery ${rid} has status ${status}`);
    if (!Number.isSafeInteger(amount) || amount <= 0) v.push(`recovery ${rid} amount ${String(r.amount_fen)}`);
    const a = s.awards.get(String(r.award_id));
    if (!a) { v.push(`recovery ${rid} of unknown award ${String(r.award_id)}`); continue; }
    if (a.status !== 'PAID') v.push(`recovery ${rid}: award ${String(r.award_id)} is ${String(a.status)}, not PAID`);
    // A run again after a lost reply finds the claim by reading the award's recoveries 1…recovery_count by id.
    const n = recoveryNumber(String(r.award_id), rid);
    if (n === undefined || a.recovery_count === undefined || n > Number(a.recovery_count)) v.push(`recovery ${rid}: not among its award's recoveries 1…${String(a.recovery_count)}`);
    if (r.measure !== a.measure || r.fiscal_year !== a.fiscal_year) v.push(`recovery ${rid} names ${String(r.measure)}/FY${String(r.fiscal_year)}, its award is ${String(a.measure)}/FY${String(a.fiscal_year)}`);
    const x = perAward.get(String(r.award_id)) ?? { claimed: 0, settled: 0, refunded: 0 };
    perAward.set(String(r.award_id), x);
    if (status === 'DUE' || status === 'SETTLED') x.claimed += amount;
    if (status === 'SETTLED') {
      x.settled += amount;
      if (r.settled_to === 'ENVELOPE') x.refunded += amount;
      else if (r.settled_to === 'TREASURY') {
        const pk = envelopePk({ measure: Number(r.measure), fiscal_year: Number(r.fiscal_year) });
        treasury.set(pk, (treasury.get(pk) ?? 0) + amount);
        if (s.envelopes.get(pk)?.status !== 'CLOSED') v.push(`recovery ${rid} went to the treasury but ${pk} is open`);
      } else v.push(`recovery ${rid} is SETTLED to ${String(r.settled_to)}`);
    } else if (r.settled_to !== undefined) v.push(`recovery ${rid} is ${status} but settled to ${String(r.settled_to)}`);
  }
  for (const [id, a] of s.awards) {
    const x = perAward.get(id) ?? { claimed: 0, settled: 0, refunded: 0 };
    if (num(a.recovery_claimed_fen) !== x.claimed) v.push(`award ${id}: recovery_claimed_fen ${num(a.recovery_claimed_fen)} ≠ ${x.claimed} of its DUE and SETTLED recoveries`);
    if (x.claimed > Number(a.amount_fen)) v.push(`award ${id}: recoveries claim ${x.claimed}, more than the ${String(a.amount_fen)} paid`);
    if (num(a.recovered_fen) !== x.settled) v.push(`award ${id}: recovered_fen ${num(a.recovered_fen)} ≠ ${x.settled} of its SETTLED recoveries`);
    if (num(a.refunded_fen) !== x.refunded) v.push(`award ${id}: refunded_fen ${num(a.refunded_fen)} ≠ ${x.refunded} settled back into its envelope`);
  }
  for (const [pk, e] of s.envelopes) {
    if (num(e.recovered_fen) !== (treasury.get(pk) ?? 0)) v.push(`${pk}: recovered_fen ${num(e.recovered_fen)} ≠ ${treasury.get(pk) ?? 0} of recoveries sent to the treasury`);
  }
  return v;
}

/** Transfers: between two different measures' envelopes of one year, a positive amount, both envelopes budgeted. */
function checkTransfers(s: Snapshot): string[] {
  const v: string[] = [];
  for (const [tid, t] of s.transfers) {
    if (t.from_measure === t.to_measure) v.push(`transfer ${tid} moves money within one envelope`);
    if (!Number.isSafeInteger(t.amount_fen) || Number(t.amount_fen) <= 0) v.push(`transfer ${tid} amount ${String(t.amount_fen)}`);
    for (const m of [t.from_measure, t.to_measure]) {
      if (envelopeOf(s, Number(m), Number(t.fiscal_year))?.budget_set !== true) v.push(`transfer ${tid}: envelope ${String(m)}/FY${String(t.fiscal_year)} has no budget set`);
    }
  }
  return v;
}

/** An envelope's budget less what carries and transfers brought: only `budget set` moves it. */
function ownBudgets(s: Snapshot): Map<string, number> {
  const own = new Map<string, number>();
  for (const [pk, e] of s.envelopes) own.set(pk, num(e.budget_fen) - num(e.carried_in_fen));
  for (const t of s.transfers.values()) {
    const amount = Number(t.amount_fen);
    const from = envelopePk({ measure: Number(t.from_measure), fiscal_year: Number(t.fiscal_year) });
    const to = envelopePk({ measure: Number(t.to_measure), fiscal_year: Number(t.fiscal_year) });
    own.set(from, (own.get(from) ?? 0) + amount);
    own.set(to, (own.get(to) ?? 0) - amount);
  }
  return own;
}

const FROZEN = ['budget_fen', 'available_fen', 'reserved_fen', 'batched_fen', 'paid_fen', 'returned_fen', 'carried_out_fen', 'carried_in_fen', 'lapsed_fen', 'waitlisted_fen', 'waitlisted_count', 'held_fen', 'held_count', 'refunded_fen', 'enterprise_cap_fen', 'status'];

/**
 * Judged snapshot after snapshot (issue 15): a year's total budget changes only by `budget set` and
 * carries — per envelope, budget − carried_in, with every recorded transfer taken back out, moves
 * only when the step set that envelope's budget, so each transfer moved exactly its amount, once,
 * and the transfers of a year net to zero. A closed year is touched by nothing again: once an
 * envelope's balance lapsed its figures stay as they are (recovered_fen may only grow).
 */
export class BudgetWatch {
  private own = new Map<string, number>();
  private lapsed = new Map<string, Item>();

  check(s: Snapshot, budgetSet: ReadonlySet<string>): string[] {
    const v: string[] = [];
    const own = ownBudgets(s);
    for (const pk of new Set([...own.keys(), ...this.own.keys()])) {
      const before = this.own.get(pk) ?? 0;
      const now = own.get(pk) ?? 0;
      if (before !== now && !budgetSet.has(pk)) v.push(`${pk}: budget less carries and transfers moved ${before} → ${now} with no budget set`);
    }
    const years = new Map<number, { before: number; now: number; set: boolean }>();
    for (const pk of new Set([...own.keys(), ...this.own.keys()])) {
      const fy = Number(pk.split('#')[1]);
      const y = years.get(fy) ?? { before: 0, now: 0, set: false };
      y.before += this.own.get(pk) ?? 0;
      y.now += own.get(pk) ?? 0;
      y.set ||= budgetSet.has(pk);
      years.set(fy, y);
    }
    for (const [fy, y] of years) if (y.before !== y.now && !y.set) v.push(`FY${fy}: the year's budget less carries moved ${y.before} → ${y.now} with no budget set (transfers must net to zero)`);
    for (const [pk, was] of this.lapsed) {
      const e = s.envelopes.get(pk);
      if (!e) { v.push(`${pk}: a closed envelope vanished`); continue; }
      for (const f of FROZEN) if (JSON.stringify(e[f]) !== JSON.stringify(was[f])) v.push(`${pk}: closed, yet ${f} moved ${JSON.stringify(was[f])} → ${JSON.stringify(e[f])}`);
      if (num(e.recovered_fen) < num(was.recovered_fen)) v.push(`${pk}: recovered_fen went down`);
    }
    this.own = own;
    this.lapsed = new Map([...s.envelopes].filter(([, e]) => e.status === 'CLOSED' && e.lapsed_at !== undefined));
    return v;
  }
}

// ---- enterprises (issue 14) ----

const approvalYear = (a: Item) => String(a.approved_date).slice(0, 4);
const measureScopeOf = (a: Item) => `M#${approvalYear(a)}#${Number(a.measure)}`;
const amountGuardOf = (a: Item) => `A#${approvalYear(a)}#${Number(a.measure)}#${Number(a.amount_fen)}`;

/** Per credit code: the fen of its live awards per cap scope, and the live award ids per duplicate guard. */
export function enterpriseScopes(s: Snapshot): Map<string, { totals: Map<string, number>; guards: Map<string, Set<string>> }> {
  const out = new Map<string, { totals: Map<string, number>; guards: Map<string, Set<string>> }>();
  for (const [id, a] of s.awards) {
    if (!LIVE.includes(String(a.status))) continue;
    const uscc = String(a.recipient_uscc);
    const e = out.get(uscc) ?? { totals: new Map<string, number>(), guards: new Map<string, Set<string>>() };
    out.set(uscc, e);
    const scopes = [measureScopeOf(a), ...(typeof a.scheme_id === 'string' ? [`S#${a.scheme_id}`] : [])];
    for (const scope of scopes) e.totals.set(scope, (e.totals.get(scope) ?? 0) + Number(a.amount_fen));
    const guards = [...(typeof a.project_key === 'string' ? [`P#${a.project_key}`] : []), amountGuardOf(a)];
    for (const g of guards) e.guards.set(g, new Set([...(e.guards.get(g) ?? []), id]));
  }
  return out;
}

/** The caps in force: a measure's (its envelope's enterprise_cap_fen) and a scheme's, by scope. */
export function capsOf(s: Snapshot): Map<string, number> {
  const caps = new Map<string, number>();
  for (const e of s.envelopes.values()) {
    if (e.enterprise_cap_fen !== undefined) caps.set(`M#${String(e.fiscal_year)}#${Number(e.measure)}`, Number(e.enterprise_cap_fen));
  }
  for (const sc of s.schemes.values()) if (sc.enterprise_cap_fen !== undefined) caps.set(`S#${String(sc.scheme_id)}`, Number(sc.enterprise_cap_fen));
  return caps;
}

/**
 * No enterprise over a cap (issue 14, section 3), judged snapshot after snapshot: per enterprise and
 * cap scope, its live awards add up to at most the cap. A cap lowered below what an enterprise
 * already has binds from then on: the total may stay (nothing is taken away) but never grows past
 * the higher of the two, and the bound follows the total down. An intake that read the cap before
 * it moved may have used the old one, so where a cap moved the bound is the higher of the old bound
 * and the new cap.
 */
export class CapWatch {
  private previousCaps = new Map<string, number>();
  private bounds = new Map<string, number>();

  check(s: Snapshot): { violations: string[]; atCap: number } {
    const violations: string[] = [];
    let atCap = 0;
    const caps = capsOf(s);
    const bounds = new Map<string, number>();
    for (const [uscc, e] of enterpriseScopes(s)) {
      for (const [scope, total] of e.totals) {
        const cap = caps.get(scope);
        if (cap === undefined) continue;
        const key = `${uscc} ${scope}`;
        const before = this.previousCaps.get(scope);
        const earlier = this.bounds.get(key) ?? before ?? Number.POSITIVE_INFINITY;
        const bound = before === cap ? earlier : Math.max(cap, earlier);
        if (total > bound) violations.push(`ENT#${uscc} has ${total} fen of live awards under ${scope}, over its cap ${cap}${bound > cap ? ` (bound ${bound} since the cap was lowered)` : ''}`);
        bounds.set(key, Math.max(cap, total));
        if (total > 0 && total === cap) atCap++;
      }
    }
    this.bounds = bounds;
    this.previousCaps = caps;
    return { violations, atCap };
  }
}

/** Each enterprise's controls record says exactly what its live awards add up to. */
function checkEnterprises(s: Snapshot): string[] {
  const v: string[] = [];
  for (const [id, a] of s.awards) {
    if (LIVE.includes(String(a.status)) && a.controls_counted !== true) v.push(`award ${id} is ${String(a.status)} but not counted in its enterprise's controls`);
    if (!LIVE.includes(String(a.status)) && String(a.status) !== 'REJECTED' && String(a.status) !== 'CANCELLED') v.push(`award ${id}: unknown liveness of ${String(a.status)}`);
  }
  const expected = enterpriseScopes(s);
  for (const uscc of new Set([...expected.keys(), ...s.enterprises.keys()])) {
    const want = expected.get(uscc) ?? { totals: new Map<string, number>(), guards: new Map<string, Set<string>>() };
    const record = s.enterprises.get(uscc) ?? {};
    const stored = { totals: new Map<string, number>(), guards: new Map<string, string[]>() };
    for (const [name, value] of Object.entries(record)) {
      if (name.startsWith('t:')) stored.totals.set(name.slice(2), Number(value));
      if (name.startsWith('g:')) stored.guards.set(name.slice(2), [...(value as Set<string>)].map(String).sort());
    }
    for (const scope of new Set([...want.totals.keys(), ...stored.totals.keys()])) {
      const w = want.totals.get(scope) ?? 0;
      const got = stored.totals.get(scope) ?? 0;
      if (w !== got) v.push(`ENT#${uscc}: total ${scope} ${got} ≠ ${w} of its live awards`);
    }
    for (const guard of new Set([...want.guards.keys(), ...stored.guards.keys()])) {
      const w = [...(want.guards.get(guard) ?? [])].sort();
      const got = stored.guards.get(guard) ?? [];
      if (JSON.stringify(w) !== JSON.stringify(got)) v.push(`ENT#${uscc}: guard ${guard} holds ${JSON.stringify(got)}, its live awards are ${JSON.stringify(w)}`);
    }
  }
  return v;
}

/** A person released this award from a hold (its history says so). */
export function releasedByPerson(a: Item): boolean {
  const history = (a.history as { by?: string; note?: string }[] | undefined) ?? [];
  return history.some((h) => typeof h.by === 'string' && (h.note ?? '').startsWith('hold released'));
}

/**
 * No two live matching awards both out of HELD unless one was released by a person: matching by
 * enterprise and normalised project reference, or, both without one, by enterprise, measure,
 * approval year and amount (an award with a project reference is only checked by project).
 */
function checkDuplicates(s: Snapshot): string[] {
  const v: string[] = [];
  const groups = new Map<string, string[]>();
  for (const [id, a] of s.awards) {
    const status = String(a.status);
    if (!LIVE.includes(status) || status === 'HELD' || releasedByPerson(a)) continue;
    const key = typeof a.project_key === 'string' ? `${String(a.recipient_uscc)}|P|${a.project_key}` : `${String(a.recipient_uscc)}|${amountGuardOf(a)}`;
    groups.set(key, [...(groups.get(key) ?? []), id]);
  }
  for (const [key, ids] of groups) {
    if (ids.length > 1) v.push(`duplicate subsidy: live awards ${ids.sort().map((id) => `${id} (${String(s.awards.get(id)!.status)})`).join(', ')} match (${key}) and none is HELD or was released by a person`);
  }
  return v;
}
