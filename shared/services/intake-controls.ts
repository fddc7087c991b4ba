/**
 * Issue 14 at intake: after the policy's rules, each eligible award meets its enterprise's controls
 * (caps, credit restrictions, duplicates). Cap-exceeding awards are stored REJECTED, held awards are
 * stored HELD (no money), and clear awards go on to reservation carrying the gate their transaction
 * re-checks. One award per enterprise is decided per round: a second one of the same enterprise in
 * the batch waits for the next round, so it is decided against the first as stored.
 */
import type { Award, HoldReason } from '../domain/award.ts';
import { fiscalYearOf, shanghaiDate } from '../domain/dates.ts';
import {
  capsFor, controlledKeys, decideControls, emptyControls, type ControlledAward, type EnterpriseGate, type OtherAward,
} from '../domain/enterprise-controls.ts';
import { envelopeLabel, type EnvelopeKey } from '../domain/envelope.ts';
import { buildAward, type Candidate, type IntakeResult } from '../domain/intake-classification.ts';
import { normaliseProjectRef } from '../domain/project-ref.ts';
import type { TraceStep } from '../domain/rules.ts';
import { lateAwardStep } from '../domain/year-close.ts';
import type { Scheme } from '../domain/scheme.ts';
import type { EnvelopeEvents } from '../ports/envelope-events.ts';
import type { Ledger } from '../ports/ledger.ts';
import type { Clock } from './clock.ts';

export interface ScreenedAward {
  c: Candidate;
  trace: TraceStep[];
  gate: EnterpriseGate;
  /** The envelope the award is charged to (its approved year, or the next open one after a close). */
  key: EnvelopeKey;
}

export interface ScreenResult {
  clear: ScreenedAward[];
  decided: { c: Candidate; result: IntakeResult }[];
  /** Decide again next round (a second award of one enterprise, or a write that lost a race). */
  again: Candidate[];
}

/** A submitted award as the controls see it (counted in its approval's fiscal year: ControlledAward). */
export function controlledOf(c: Candidate): ControlledAward {
  const r = c.record;
  return {
    award_id: r.award_id, recipient_uscc: r.recipient_uscc, measure: r.measure, fiscal_year: fiscalYearOf(r.approved_date), amount_fen: r.amount_fen,
    ...(r.scheme_id !== undefined ? { scheme_id: r.scheme_id } : {}),
    ...(r.project_ref !== undefined ? { project_key: normaliseProjectRef(r.project_ref) } : {}),
  };
}

/**
 * The award as stored, with what the controls need to find it again, charged to `charged`: approved
 * in a year that has closed, it is charged to the open year and its trace says why (issue 15).
 */
export function controlledAward(
  c: Candidate, status: Award['status'] & ('RESERVED' | 'WAITLISTED' | 'REJECTED'), reason: string | undefined, trace: TraceStep[], now: string,
  counted: boolean, charged: EnvelopeKey,
): Award {
  const built = buildAward(c, status, reason, trace, now);
  const award = built.fiscal_year === charged.fiscal_year
    ? built
    : { ...built, fiscal_year: charged.fiscal_year, trace: [...built.trace, lateAwardStep(built.fiscal_year, charged.fiscal_year)] };
  const projectKey = controlledOf(c).project_key;
  return { ...award, ...(projectKey !== undefined ? { project_key: projectKey } : {}), ...(counted ? { controls_counted: true } : {}) };
}

export async function screenControls(
  deps: { ledger: Ledger; clock: Clock; events?: EnvelopeEvents },
  eligible: readonly { c: Candidate; trace: TraceStep[]; key: EnvelopeKey }[],
  schemes: ReadonlyMap<string, Scheme | undefined>,
  now: string,
): Promise<ScreenResult> {
  const out: ScreenResult = { clear: [], decided: [], again: [] };
  if (eligible.length === 0) return out;
  const { ledger } = deps;
  const seen = new Set<string>();
  const todo: { c: Candidate; trace: TraceStep[]; key: EnvelopeKey }[] = [];
  for (const e of eligible) {
    if (seen.has(e.c.record.recipient_uscc)) out.again.push(e.c);
    else { seen.add(e.c.record.recipient_uscc); todo.push(e); }
  }
  // One consistent batch read of the enterprises' records and one read of the credit list (short,
  // as at run preparation) instead of a query per enterprise: intake reads a batch of hundreds.
  const [enterprises, restrictions] = await Promise.all([ledger.controls.readControls([...seen]), ledger.controls.listRestrictions()]);
  for (const r of restrictions) enterprises.get(r.recipient_uscc)?.restrictions.push(r);
  const guardIds = new Set<string>();
  for (const { c } of todo) {
    const state = enterprises.get(c.record.recipient_uscc);
    for (const g of controlledKeys(controlledOf(c)).guards) for (const id of state?.guards.get(g) ?? []) guardIds.add(id);
  }
  const others = new Map<string, OtherAward>();
  for (const [id, a] of await ledger.getAwards([...guardIds])) {
    others.set(id, { award_id: id, measure: a.measure, approving_unit: a.approving_unit, amount_fen: a.amount_fen, status: a.status });
  }
  const envelopeCaps = new Map<string, number | undefined>();
  const capOf = async (key: EnvelopeKey) => {
    if (!envelopeCaps.has(envelopeLabel(key))) envelopeCaps.set(envelopeLabel(key), (await ledger.getEnvelope(key))?.enterprise_cap_fen);
    return envelopeCaps.get(envelopeLabel(key));
  };
  const day = shanghaiDate(new Date(deps.clock.now()));

  for (const { c, trace, key } of todo) {
    const award = controlledOf(c);
    const state = enterprises.get(award.recipient_uscc) ?? emptyControls(award.recipient_uscc);
    const scheme = award.scheme_id !== undefined ? schemes.get(award.scheme_id) : undefined;
    const verdict = decideControls(award, state, capsFor(award, await capOf(award), scheme), others, day);
    const fullTrace = [...trace, ...verdict.trace];
    const base = { award_id: award.award_id, line: c.request.line };
    if (verdict.kind === 'clear') { out.clear.push({ c, trace: fullTrace, gate: verdict.gate, key }); continue; }
    if (verdict.kind === 'cap-exceeded') {
      const written = await ledger.insertRejected(controlledAward(c, 'REJECTED', 'ENTERPRISE_CAP_EXCEEDED', fullTrace, now, false, key));
      if (written.ok) out.decided.push({ c, result: { ...base, outcome: 'REJECTED', reason: 'ENTERPRISE_CAP_EXCEEDED' } });
      else out.again.push(c);
      continue;
    }
    const held = heldAward(c, verdict.reason, fullTrace, now, key);
    const written = await ledger.controls.holdNew(key, held, verdict.gate);
    if (!written.ok) { out.again.push(c); continue; }
    out.decided.push({ c, result: { ...base, outcome: 'HELD', reason: verdict.reason } });
    await deps.events?.awardHeld?.(held);
  }
  return out;
}

function heldAward(c: Candidate, reason: HoldReason, trace: TraceStep[], now: string, charged: EnvelopeKey): Award {
  const award = controlledAward(c, 'REJECTED', reason, trace, now, true, charged);
  return {
    ...award, status: 'HELD', intake_outcome: 'HELD',
    hold: { reason, at: now, keeps_reservation: false },
    history: [{ at: now, status: 'HELD', note: reason }],
  };
}
