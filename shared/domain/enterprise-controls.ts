/**
 * Controls across bureaus (issue 14), pure. Per enterprise (credit code) the store keeps one
 * controls record: the live awards under each duplicate guard key and the running total under each
 * cap scope. Intake decides from a consistent read of it, and the award's own transaction re-checks
 * the decision on that record (the gate), so two concurrent matching intakes can never both pass.
 *
 * Order of checks (after the policy's rules): caps reject (ENTERPRISE_CAP_EXCEEDED); then holds,
 * CREDIT_RESTRICTED, DUPLICATE_PROJECT, POSSIBLE_DUPLICATE; the first that applies is the reason.
 */
import type { Award, AwardStatus, HoldReason } from './award.ts';
import { fiscalYearOf } from './dates.ts';
import { isActiveOn, describeRestriction, type CreditRestriction } from './credit-restriction.ts';
import { formatYuanGrouped } from './money.ts';
import type { TraceStep } from './rules.ts';
import type { UnitCode } from './units.ts';

/** Statuses whose awards count as live: for duplicates and towards caps. */
export const LIVE_STATUSES: readonly AwardStatus[] = ['RESERVED', 'WAITLISTED', 'HELD', 'BATCHED', 'PAID', 'RETURNED'];
export const isLive = (status: string) => (LIVE_STATUSES as readonly string[]).includes(status);

export const projectGuard = (projectKey: string) => `P#${projectKey}`;
export const amountGuard = (a: Pick<ControlledAward, 'measure' | 'fiscal_year' | 'amount_fen'>) => `A#${a.fiscal_year}#${a.measure}#${a.amount_fen}`;
export const schemeScope = (schemeId: string) => `S#${schemeId}`;
export const measureScope = (a: Pick<ControlledAward, 'measure' | 'fiscal_year'>) => `M#${a.fiscal_year}#${a.measure}`;

/** What the controls read of an award. */
export interface ControlledAward {
  award_id: string;
  recipient_uscc: string;
  measure: number;
  /**
   * The fiscal year of the approval date, fixed for the award's life: the envelope it is charged to
   * may be a later one (approved in a closed year, or carried at year end), but its enterprise's caps
   * and duplicate guards count it where it was approved, so counting and release always agree.
   */
  fiscal_year: number;
  amount_fen: number;
  scheme_id?: string;
  project_key?: string;
}

/** An enterprise's controls record plus its credit restrictions. */
export interface EnterpriseControls {
  uscc: string;
  /** Guard key → live award ids. */
  guards: Map<string, string[]>;
  /** Cap scope → fen of live awards. */
  totals: Map<string, number>;
  restrictions: CreditRestriction[];
}

export const emptyControls = (uscc: string): EnterpriseControls => ({ uscc, guards: new Map(), totals: new Map(), restrictions: [] });

/** A stored award as the controls see it (see ControlledAward.fiscal_year). */
export function controlledFrom(a: Award): ControlledAward {
  return {
    award_id: a.award_id, recipient_uscc: a.recipient_uscc, measure: a.measure, fiscal_year: fiscalYearOf(a.approved_date), amount_fen: a.amount_fen,
    ...(a.scheme_id !== undefined ? { scheme_id: a.scheme_id } : {}),
    ...(a.project_key !== undefined ? { project_key: a.project_key } : {}),
  };
}

/** The guard keys an award is registered under and the scopes it counts in (every award, cap or not). */
export function controlledKeys(a: ControlledAward): { guards: string[]; scopes: string[] } {
  return {
    guards: a.project_key !== undefined ? [projectGuard(a.project_key), amountGuard(a)] : [amountGuard(a)],
    scopes: a.scheme_id !== undefined ? [measureScope(a), schemeScope(a.scheme_id)] : [measureScope(a)],
  };
}

export interface Cap {
  scope: string;
  cap_fen: number;
  /** For people: "scheme S-1" or "measure 7 FY2025". */
  label: string;
}

/** What the award's transaction re-checks on the enterprise record. */
export interface EnterpriseGate {
  /** Guards that must hold no live award. */
  emptyGuards: string[];
  /** Scopes whose total must be at most room_fen before this award is added. */
  caps: { scope: string; room_fen: number }[];
}

export interface OtherAward {
  award_id: string;
  measure: number;
  approving_unit: UnitCode;
  amount_fen: number;
  status: AwardStatus | string;
}

export type ControlsVerdict =
  | { kind: 'cap-exceeded'; trace: TraceStep[] }
  | { kind: 'hold'; reason: HoldReason; trace: TraceStep[]; gate: EnterpriseGate }
  | { kind: 'clear'; trace: TraceStep[]; gate: EnterpriseGate };

/**
 * Decide an eligible award's controls. `others` are the live awards named by its guards (read by
 * the caller); `day` is today in Asia/Shanghai.
 */
export function decideControls(
  award: ControlledAward, state: EnterpriseControls, caps: readonly Cap[], others: ReadonlyMap<string, OtherAward>, day: string,
): ControlsVerdict {
  const trace: TraceStep[] = [];
  const gateCaps: EnterpriseGate['caps'] = [];
  for (const cap of caps) {
    const before = state.totals.get(cap.scope) ?? 0;
    if (before + award.amount_fen > cap.cap_fen) {
      trace.push({ rule: 'ENTERPRISE_CAP_EXCEEDED', ok: false, detail: `cap of ${cap.label} is ${formatYuanGrouped(cap.cap_fen)} yuan per enterprise; ${award.recipient_uscc} has ${formatYuanGrouped(before)} yuan of live awards under it (scope ${cap.scope}), ${formatYuanGrouped(award.amount_fen)} more would exceed it` });
      return { kind: 'cap-exceeded', trace };
    }
    trace.push({ rule: 'ENTERPRISE_CAP', ok: true, detail: `cap of ${cap.label}: ${formatYuanGrouped(before)} + ${formatYuanGrouped(award.amount_fen)} ≤ ${formatYuanGrouped(cap.cap_fen)} yuan` });
    gateCaps.push({ scope: cap.scope, room_fen: cap.cap_fen - award.amount_fen });
  }
  const heldGate: EnterpriseGate = { emptyGuards: [], caps: gateCaps };
  const hold = (reason: HoldReason, detail: string): ControlsVerdict => {
    trace.push({ rule: reason, ok: false, detail });
    return { kind: 'hold', reason, trace, gate: heldGate };
  };

  const active = state.restrictions.filter((r) => r.recipient_uscc === award.recipient_uscc && isActiveOn(r, day));
  if (active.length > 0) return hold('CREDIT_RESTRICTED', `${award.recipient_uscc} is restricted on ${day}: ${active.map(describeRestriction).join('; ')}`);
  trace.push({ rule: 'CREDIT_RESTRICTED', ok: true, detail: `no credit restriction active on ${day}` });

  const liveUnder = (guard: string) => (state.guards.get(guard) ?? []).filter((id) => id !== award.award_id && others.has(id) && isLive(others.get(id)!.status));
  const describe = (ids: string[]) => ids.map((id) => {
    const o = others.get(id)!;
    return `${id} (measure ${o.measure}, ${o.approving_unit}, ${formatYuanGrouped(o.amount_fen)} yuan, ${o.status})`;
  }).join('; ');

  if (award.project_key !== undefined) {
    const matches = liveUnder(projectGuard(award.project_key));
    if (matches.length > 0) return hold('DUPLICATE_PROJECT', `same enterprise and project as ${describe(matches)}: keep the higher (就高不重复)`);
    trace.push({ rule: 'DUPLICATE_PROJECT', ok: true, detail: 'no live award of this enterprise for this project' });
    return { kind: 'clear', trace, gate: { emptyGuards: [projectGuard(award.project_key)], caps: gateCaps } };
  }
  const matches = liveUnder(amountGuard(award));
  if (matches.length > 0) return hold('POSSIBLE_DUPLICATE', `no project_ref, and same enterprise, measure, fiscal year and amount as ${describe(matches)}`);
  trace.push({ rule: 'POSSIBLE_DUPLICATE', ok: true, detail: 'no live award with the same enterprise, measure, fiscal year and amount' });
  return { kind: 'clear', trace, gate: { emptyGuards: [amountGuard(award)], caps: gateCaps } };
}

/** The caps that bound an award: its measure's (from the envelope) and its scheme's. */
export function capsFor(a: ControlledAward, measureCapFen: number | undefined, scheme: { scheme_id: string; enterprise_cap_fen?: number } | undefined): Cap[] {
  const caps: Cap[] = [];
  if (measureCapFen !== undefined) caps.push({ scope: measureScope(a), cap_fen: measureCapFen, label: `measure ${a.measure} FY${a.fiscal_year}` });
  if (scheme?.enterprise_cap_fen !== undefined && a.scheme_id === scheme.scheme_id) {
    caps.push({ scope: schemeScope(scheme.scheme_id), cap_fen: scheme.enterprise_cap_fen, label: `scheme ${scheme.scheme_id}` });
  }
  return caps;
}
