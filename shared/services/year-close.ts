import type { DynamoYearClose } from '../adapters/dynamo/dynamo-year-close.ts';
import type { Award, HistoryEntry } from '../domain/award.ts';
import { MEASURES } from '../domain/catalog.ts';
import { shanghaiDate } from '../domain/dates.ts';
import type { Envelope, EnvelopeKey } from '../domain/envelope.ts';
import { BursarError, TransientError, ValidationError } from '../domain/errors.ts';
import {
  blockingRuns, carryNote, planYearClose, policyDaysLeft, POLICY_ENDS, type MeasureClosePlan, type YearClose, type YearCloseStatus,
} from '../domain/year-close.ts';
import type { Ledger } from '../ports/ledger.ts';
import type { RunReader } from '../ports/run-store.ts';
import { noEnvelopeEvents, type EnvelopeEvents } from '../ports/envelope-events.ts';
import { backoff } from '../retry/backoff.ts';
import type { Clock } from './clock.ts';
import { drainWaitlist } from './drain-waitlist.ts';

export interface YearCloseDeps {
  ledger: Ledger;
  closes: DynamoYearClose;
  runs: Pick<RunReader, 'listRuns'>;
  clock: Clock;
  events?: EnvelopeEvents;
}

export interface ProposeResult {
  fiscal_year: number;
  status: 'PROPOSED';
  proposed_by: string;
  plan: MeasureClosePlan[];
  changed: boolean;
}

export interface ApproveResult {
  fiscal_year: number;
  status: 'CLOSED';
  approved_by: string;
  /** What the close did, per measure (carried_fen and lapsed_fen from the closed envelopes). */
  closed: MeasureClosePlan[];
  /** Awards next year's queues reserved once the carried queue arrived. */
  drained: string[];
  /** False when the year was already closed: nothing was written. */
  changed: boolean;
}

const MAX_ATTEMPTS = 30;

function checkYear(fiscalYear: number): void {
  if (!Number.isInteger(fiscalYear) || fiscalYear < 2000 || fiscalYear > 2100) {
    throw new ValidationError('BAD_FISCAL_YEAR', `fiscal year ${fiscalYear} is not a year such as 2025`, { field: 'fiscal_year' });
  }
}

function actor(by: string): string {
  const trimmed = by.trim();
  if (trimmed === '') throw new ValidationError('MISSING_ACTOR', 'who acts is required (--by NAME)', { field: 'by' });
  return trimmed;
}

async function refuseOpenRuns(deps: YearCloseDeps, fiscalYear: number, envelopes: readonly Envelope[]): Promise<void> {
  const open = blockingRuns(await deps.runs.listRuns(), fiscalYear, envelopes.some((e) => e.batched_fen > 0));
  if (open.length > 0) {
    throw new BursarError('OPEN_RUNS', `FY${fiscalYear} cannot close while runs are prepared, approved or exported but not settled: ${open.join(', ')}`, {
      fiscal_year: fiscalYear, runs: open,
    });
  }
}

/**
 * Y carries into Y+1's envelopes, which must take money: once Y+1 is closed (or being closed), a close
 * of Y could never carry and would stop half-way with Y's envelopes closed. Years close in order.
 */
async function refuseNextYearClosed(deps: YearCloseDeps, fiscalYear: number): Promise<void> {
  const next = await deps.closes.get(fiscalYear + 1);
  if (next && next.status !== 'PROPOSED') {
    throw new BursarError('NEXT_YEAR_CLOSED', `FY${fiscalYear} cannot close: FY${fiscalYear + 1}, which it would carry into, is ${next.status === 'CLOSED' ? 'closed' : 'being closed'}`, {
      fiscal_year: fiscalYear, next_fiscal_year: fiscalYear + 1,
    });
  }
}

/**
 * RETURNED awards of year Y (failed payments, issue 13) hold committed money that only a second
 * person may release or cancel; neither a carry nor a lapse is the right answer for them, so Y
 * closes only once each is decided. (HELD awards are carried: carryHeld.)
 */
async function refuseUnresolved(ledger: Ledger, fiscalYear: number): Promise<void> {
  const listed: string[] = [];
  for await (const a of ledger.listAwards({ status: 'RETURNED', fiscal_year: fiscalYear })) listed.push(a.award_id);
  // The index is eventually consistent: keep what a strong read confirms.
  const found = [...(await ledger.getAwards(listed)).values()].filter((a) => a.status === 'RETURNED' && a.fiscal_year === fiscalYear).map((a) => a.award_id).sort();
  if (found.length === 0) return;
  throw new BursarError('UNRESOLVED_AWARDS', `FY${fiscalYear} cannot close while ${found.length} RETURNED award(s) wait for release or cancellation: ${found.slice(0, 10).join(', ')}${found.length > 10 ? ', …' : ''}`, {
    fiscal_year: fiscalYear, returned: found.length, award_ids: found,
  });
}

/** The awards of one envelope in `status`, confirmed by a strong read (the index is eventually consistent). */
async function awardsOf(ledger: Ledger, key: EnvelopeKey, status: 'RESERVED' | 'HELD'): Promise<Award[]> {
  const listed: string[] = [];
  for await (const a of ledger.listAwards({ status, measure: key.measure, fiscal_year: key.fiscal_year })) listed.push(a.award_id);
  const awards = await ledger.getAwards(listed);
  return [...awards.values()].filter((a) => a.status === status && a.fiscal_year === key.fiscal_year && a.measure === key.measure);
}

const reservedOf = (ledger: Ledger, key: EnvelopeKey) => awardsOf(ledger, key, 'RESERVED');

async function queueOf(ledger: Ledger, key: EnvelopeKey): Promise<{ award_id: string }[]> {
  return ledger.queueHead(key, 10_000);
}

/** The plan as the store stands now: reservations to carry, the queue to carry, the balance that lapses. */
async function currentPlan(ledger: Ledger, envelopes: readonly Envelope[]): Promise<MeasureClosePlan[]> {
  const facts = await Promise.all(envelopes.map(async (e) => ({
    measure: e.measure, available_fen: e.available_fen, reserved: await reservedOf(ledger, e), queued: await queueOf(ledger, e),
    held: (await awardsOf(ledger, e, 'HELD')).map((a) => ({ ...a, keeps_reservation: a.hold?.keeps_reservation === true })),
  })));
  return planYearClose(facts);
}

/** `year close`: propose closing fiscal year Y and show what it would do. Refused while Y has unsettled runs. */
export async function proposeYearClose(deps: YearCloseDeps, cmd: { fiscal_year: number; by: string }): Promise<ProposeResult> {
  checkYear(cmd.fiscal_year);
  const by = actor(cmd.by);
  const existing = await deps.closes.get(cmd.fiscal_year);
  if (existing && existing.status !== 'PROPOSED') {
    throw new BursarError('FISCAL_YEAR_CLOSED', `FY${cmd.fiscal_year} is ${existing.status === 'CLOSED' ? 'closed' : 'being closed'} (approved by ${existing.approved_by ?? '?'})`, { fiscal_year: cmd.fiscal_year });
  }
  const envelopes = await deps.ledger.listEnvelopes(cmd.fiscal_year);
  await refuseNextYearClosed(deps, cmd.fiscal_year);
  await refuseOpenRuns(deps, cmd.fiscal_year, envelopes);
  await refuseUnresolved(deps.ledger, cmd.fiscal_year);
  const plan = await currentPlan(deps.ledger, envelopes);
  // A repeated proposal refreshes the plan; who proposed first stays the proposer (four eyes).
  const proposer = existing?.proposed_by ?? by;
  // (the store does not keep a map's key order: compare field by field)
  const canonical = (p: readonly MeasureClosePlan[]) => JSON.stringify(p.map((m) => [m.measure, m.carried_fen, m.carried_awards, m.queued_awards, m.lapsed_fen]));
  const changed = !existing || canonical(existing.plan) !== canonical(plan);
  if (changed) {
    const close: YearClose = { fiscal_year: cmd.fiscal_year, status: 'PROPOSED', proposed_by: proposer, proposed_at: existing?.proposed_at ?? deps.clock.now(), plan };
    if (!(await deps.closes.propose(close))) throw new TransientError(`FY${cmd.fiscal_year}: the close changed while it was proposed; try again`);
  }
  return { fiscal_year: cmd.fiscal_year, status: 'PROPOSED', proposed_by: proposer, plan, changed };
}

/**
 * `year approve`: a second person executes the proposed close. Every step is a conditional write
 * that cannot happen twice, in an order that a re-run simply continues: close each envelope, carry
 * its reservations and its queue into next year, let the balance lapse, mark the year CLOSED, and
 * serve next year's queues. Run again after it finished, it writes nothing (`changed: false`).
 */
export async function approveYearClose(deps: YearCloseDeps, cmd: { fiscal_year: number; by: string }): Promise<ApproveResult> {
  checkYear(cmd.fiscal_year);
  const by = actor(cmd.by);
  const fy = cmd.fiscal_year;
  const close = await deps.closes.get(fy);
  if (!close) throw new BursarError('NOT_PROPOSED', `FY${fy} has no proposed close; run year close first`, { fiscal_year: fy });
  if (close.status === 'CLOSED') return { fiscal_year: fy, status: 'CLOSED', approved_by: close.approved_by ?? '', closed: await executedPlan(deps, fy), drained: [], changed: false };
  if (close.proposed_by === by) {
    throw new BursarError('SAME_PERSON', `FY${fy}'s close was proposed by ${by}; a second person must approve it`, { fiscal_year: fy });
  }
  if (close.status === 'CLOSING' && close.approved_by !== by) {
    throw new BursarError('CLOSE_IN_PROGRESS', `FY${fy}'s close is being executed by ${close.approved_by ?? '?'}; only they can resume it`, { fiscal_year: fy });
  }
  if (close.status === 'PROPOSED') {
    await refuseNextYearClosed(deps, fy);
    await refuseOpenRuns(deps, fy, await deps.ledger.listEnvelopes(fy));
    await refuseUnresolved(deps.ledger, fy);
  }
  if (!(await deps.closes.startClosing(fy, by, deps.clock.now()))) {
    throw new TransientError(`FY${fy}: the close changed while it was approved; try again`);
  }

  // Every measure's envelope closes, also one the year never had, so a late award finds the year closed.
  const keys = MEASURES.map((m) => ({ measure: m.number, fiscal_year: fy }));
  for (const key of keys) await deps.closes.closeEnvelope(key, deps.clock.now());
  for (const key of keys) {
    await carryHeld(deps, key, by); // first: money held awards keep is inside reserved
    await carryReservations(deps, key, by);
    await carryQueue(deps, key, by);
    await deps.closes.lapse(key, deps.clock.now());
  }
  const closed = await executedPlan(deps, fy);
  await deps.closes.finish(fy, deps.clock.now(), closed);
  const drained: string[] = [];
  const events = deps.events ?? noEnvelopeEvents;
  for (const key of keys) {
    const next = { measure: key.measure, fiscal_year: fy + 1 };
    drained.push(...await drainWaitlist(deps.ledger, deps.clock, next));
    await events.envelopeChanged(next, {});
  }
  return { fiscal_year: fy, status: 'CLOSED', approved_by: by, closed, drained, changed: true };
}

async function carryReservations(deps: YearCloseDeps, key: EnvelopeKey, by: string): Promise<void> {
  const perTransaction = deps.ledger.maxTransactionItems - 2;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const envelope = await deps.ledger.getEnvelope(key);
    if (!envelope || envelope.reserved_fen - (envelope.held_fen ?? 0) === 0) return;
    const awards = await reservedOf(deps.ledger, key);
    if (awards.length === 0) { await backoff(attempt + 1); continue; } // the index has not caught up yet
    for (let i = 0; i < awards.length; i += perTransaction) {
      const entry: HistoryEntry = { at: deps.clock.now(), status: 'RESERVED', by, note: carryNote(key.fiscal_year) };
      await deps.closes.carryReserved(key, awards.slice(i, i + perTransaction), entry);
    }
  }
  throw new TransientError(`${key.measure}/FY${key.fiscal_year}: reservations could not all be carried forward; run year approve again`);
}

async function carryHeld(deps: YearCloseDeps, key: EnvelopeKey, by: string): Promise<void> {
  const perTransaction = deps.ledger.maxTransactionItems - 2;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const envelope = await deps.ledger.getEnvelope(key);
    if (!envelope || (envelope.held_count ?? 0) === 0) return;
    const awards = await awardsOf(deps.ledger, key, 'HELD');
    if (awards.length === 0) { await backoff(attempt + 1); continue; } // the index has not caught up yet
    for (let i = 0; i < awards.length; i += perTransaction) {
      const entry: HistoryEntry = { at: deps.clock.now(), status: 'HELD', by, note: carryNote(key.fiscal_year) };
      await deps.closes.carryHeld(key, awards.slice(i, i + perTransaction), entry);
    }
  }
  throw new TransientError(`${key.measure}/FY${key.fiscal_year}: held awards could not all be carried forward; run year approve again`);
}

async function carryQueue(deps: YearCloseDeps, key: EnvelopeKey, by: string): Promise<void> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const head = await deps.ledger.queueHead(key, 50);
    if (head.length === 0) return;
    const awards = await deps.ledger.getAwards(head.map((q) => q.award_id));
    for (const q of head) {
      const award = awards.get(q.award_id);
      if (!award || award.status !== 'WAITLISTED') continue; // an orphaned entry: reconciliation reports it
      const entry: HistoryEntry = { at: deps.clock.now(), status: 'WAITLISTED', by, note: carryNote(key.fiscal_year) };
      await deps.closes.carryWaitlisted(key, award, entry);
    }
    const envelope = await deps.ledger.getEnvelope(key);
    if (!envelope || envelope.waitlisted_count === 0) return;
  }
  throw new TransientError(`${key.measure}/FY${key.fiscal_year}: the waitlist could not all be carried forward; run year approve again`);
}

/** What a close did, read back from the store (so a resumed close reports the whole of it). */
async function executedPlan(deps: YearCloseDeps, fy: number): Promise<MeasureClosePlan[]> {
  const envelopes = await deps.ledger.listEnvelopes(fy);
  const carried = new Map<number, { reserved: Award[]; queued: Award[] }>();
  for (const e of envelopes) carried.set(e.measure, { reserved: [], queued: [] });
  for await (const a of deps.ledger.listAwards({ fiscal_year: fy + 1 })) {
    if (!a.carried_from?.includes(fy)) continue;
    const slot = carried.get(a.measure) ?? { reserved: [], queued: [] };
    const wasQueued = a.history.some((h) => h.status === 'WAITLISTED' && h.note === carryNote(fy));
    (wasQueued ? slot.queued : slot.reserved).push(a);
    carried.set(a.measure, slot);
  }
  const order = (xs: Award[]) => xs.sort((a, b) => (a.approved_date === b.approved_date ? (a.award_id < b.award_id ? -1 : 1) : a.approved_date < b.approved_date ? -1 : 1)).map((a) => a.award_id);
  // Also an envelope without money whose only carried awards were HELD at intake: the plan lists them.
  const used = (e: Envelope) => e.budget_set || e.budget_fen > 0 || e.paid_fen > 0 || e.carried_out_fen > 0 || e.lapsed_fen > 0
    || carried.get(e.measure)!.queued.length > 0 || carried.get(e.measure)!.reserved.length > 0;
  return envelopes.filter(used).sort((a, b) => a.measure - b.measure).map((e) => ({
    measure: e.measure,
    carried_fen: e.carried_out_fen,
    carried_awards: order(carried.get(e.measure)?.reserved ?? []),
    queued_awards: order(carried.get(e.measure)?.queued ?? []),
    lapsed_fen: e.lapsed_fen,
  }));
}

export interface YearStatusReport {
  /** proposed_by (and approved_by once approved) when the year has a close: the console disables approval for its proposer. */
  years: { fiscal_year: number; status: 'OPEN' | Exclude<YearCloseStatus, 'CLOSING'>; executing?: boolean; proposed_by?: string; approved_by?: string }[];
  policy_ends: string;
  policy_days_left: number;
}

/** `year status`: every fiscal year with an envelope (or a close), and the days left in the policy. */
export async function yearStatus(deps: Pick<YearCloseDeps, 'ledger' | 'closes' | 'clock'>): Promise<YearStatusReport> {
  const years = [...new Set((await deps.ledger.listEnvelopes()).map((e) => e.fiscal_year))].sort();
  const rows = await Promise.all(years.map(async (fiscal_year) => {
    const close = await deps.closes.get(fiscal_year);
    // The contract knows OPEN, PROPOSED and CLOSED; a close being executed is still PROPOSED (executing).
    if (!close) return { fiscal_year, status: 'OPEN' as const };
    const who = { proposed_by: close.proposed_by, ...(close.approved_by ? { approved_by: close.approved_by } : {}) };
    if (close.status === 'CLOSING') return { fiscal_year, status: 'PROPOSED' as const, executing: true, ...who };
    return { fiscal_year, status: close.status, ...who };
  }));
  return { years: rows, policy_ends: POLICY_ENDS, policy_days_left: policyDaysLeft(shanghaiDate(new Date(deps.clock.now()))) };
}
