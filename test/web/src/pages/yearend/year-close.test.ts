import { closePreview, closeRows, closeTotals, overviewYearStatus, yearActions } from '../../../../../web/src/pages/yearend/year-close.ts';
import { abilities } from '../../../../../web/src/app/permissions.ts';
import type { Envelope, MeasureClosePlan, Role, YearRow } from '../../../../../web/src/api/types.ts';

const can = (...roles: Role[]) => abilities({ roles });
const row = (over: Partial<YearRow> = {}): YearRow => ({ fiscal_year: 2025, status: 'OPEN', ...over });

describe('yearActions: what the year-end page offers on a year', () => {
  it('offers a clerk the proposal of an OPEN year and a refresh of a PROPOSED one, never an approval', () => {
    expect(yearActions(row(), can('clerk'), 'wang')).toEqual([{ kind: 'propose', again: false }]);
    expect(yearActions(row({ status: 'PROPOSED', proposed_by: 'wang' }), can('clerk'), 'wang')).toEqual([{ kind: 'propose', again: true }]);
    expect(yearActions(row({ status: 'PROPOSED', proposed_by: 'wang', executing: true, approved_by: 'zhao' }), can('clerk'), 'wang')).toEqual([]);
    expect(yearActions(row({ status: 'CLOSED', proposed_by: 'wang', approved_by: 'zhao' }), can('clerk'), 'wang')).toEqual([]);
  });

  it('offers a reviewer the approval of a PROPOSED year, disabled for its proposer and while another reviewer executes it', () => {
    expect(yearActions(row(), can('reviewer'), 'zhao')).toEqual([]);
    expect(yearActions(row({ status: 'PROPOSED', proposed_by: 'wang' }), can('reviewer'), 'zhao')).toEqual([{ kind: 'approve', resume: false, blocked: null }]);
    // One person with both roles who proposed: the approval says why it is not theirs (names compared as the server does).
    expect(yearActions(row({ status: 'PROPOSED', proposed_by: 'wang' }), can('clerk', 'reviewer'), ' wang ')).toEqual([
      { kind: 'propose', again: true }, { kind: 'approve', resume: false, blocked: 'yearApproveSamePerson' },
    ]);
    expect(yearActions(row({ status: 'PROPOSED', proposed_by: 'wang', executing: true, approved_by: 'zhao' }), can('reviewer'), 'zhao'))
      .toEqual([{ kind: 'approve', resume: true, blocked: null }]);
    expect(yearActions(row({ status: 'PROPOSED', proposed_by: 'wang', executing: true, approved_by: 'zhao' }), can('reviewer'), 'li'))
      .toEqual([{ kind: 'approve', resume: true, blocked: 'yearApproveInProgress' }]);
    expect(yearActions(row({ status: 'CLOSED' }), can('reviewer'), 'zhao')).toEqual([]);
  });

  it('offers nothing to a bureau user, an auditor or an administrator', () => {
    for (const role of ['bureau', 'auditor', 'admin'] as const) {
      for (const status of ['OPEN', 'PROPOSED', 'CLOSED'] as const) expect(yearActions(row({ status, proposed_by: 'wang' }), can(role), 'x')).toEqual([]);
    }
  });
});

describe('closeRows and closeTotals: a plan or report per measure', () => {
  const plan: MeasureClosePlan[] = [
    { measure: 1, carried_fen: 1_000_000, carried_awards: ['A-1', 'A-2'], queued_awards: ['A-3'], lapsed_fen: 9_000_001 },
    { measure: 2, carried_fen: 0, carried_awards: [], queued_awards: [], lapsed_fen: 0 },
    { measure: 3, carried_fen: 0, carried_awards: ['H-1'], queued_awards: [], lapsed_fen: 0 }, // a held award keeping no reservation
    { measure: 7, carried_fen: Number.MAX_SAFE_INTEGER, carried_awards: ['A-9'], queued_awards: [], lapsed_fen: 5 },
  ];

  it('keeps the measures where money carries or lapses or an award moves', () => {
    expect(closeRows(plan).map((m) => m.measure)).toEqual([1, 3, 7]);
  });

  it('totals exactly in BigInt fen, beyond what a float holds', () => {
    expect(closeTotals(closeRows(plan))).toEqual({
      carried_fen: 1_000_000n + BigInt(Number.MAX_SAFE_INTEGER), lapsed_fen: 9_000_006n, carried_awards: 4, queued_awards: 1,
    });
    expect(closeTotals([])).toEqual({ carried_fen: 0n, lapsed_fen: 0n, carried_awards: 0, queued_awards: 0 });
  });
});

describe('overviewYearStatus: the overview badge with a proposal from GET /years', () => {
  const years: YearRow[] = [{ fiscal_year: 2025, status: 'PROPOSED', proposed_by: 'wang' }, { fiscal_year: 2026, status: 'OPEN' }];
  it('shows a proposed close of an open year, and otherwise the envelopes\' status (also before /years has answered)', () => {
    expect(overviewYearStatus('yearOpen', years, 2025)).toBe('yearProposed');
    expect(overviewYearStatus('yearOpen', years, 2026)).toBe('yearOpen');
    expect(overviewYearStatus('yearOpen', undefined, 2025)).toBe('yearOpen');
    expect(overviewYearStatus('yearPartlyClosed', years, 2025)).toBe('yearPartlyClosed'); // executing: the envelopes say more
    expect(overviewYearStatus(null, years, 2025)).toBeNull();
  });
});

describe('closePreview: a proposed year\'s envelopes as an approval would find them', () => {
  const env = (measure: number, fiscal_year: number, over: Partial<Envelope> = {}): Envelope => ({
    measure, fiscal_year, budget_set: true, budget_fen: 0, reserved_fen: 0, batched_fen: 0, paid_fen: 0, available_fen: 0, waitlisted_fen: 0, waitlisted_count: 0,
    alert_at: [], returned_fen: 0, held_fen: 0, held_count: 0, status: 'OPEN', carried_in_fen: 0, carried_out_fen: 0, lapsed_fen: 0, recovered_fen: 0, ...over,
  });
  it('lists the year\'s open envelopes with anything to carry or lapse, in measure order, with the held money inside reserved', () => {
    const rows = closePreview([
      env(7, 2025, { reserved_fen: 3_000_000, held_fen: 500_000, held_count: 2, available_fen: 85_000_000, waitlisted_count: 1 }),
      env(1, 2025, { available_fen: 1 }),
      env(2, 2025), // nothing to move
      env(3, 2025, { held_count: 1 }), // a held award keeping no reservation still moves
      env(4, 2026, { reserved_fen: 9 }), // another year
      env(5, 2025, { status: 'CLOSED', lapsed_fen: 7 }),
    ], 2025);
    expect(rows).toEqual([
      { measure: 1, reserved_fen: 0, held_count: 0, waitlisted_count: 0, available_fen: 1 },
      { measure: 3, reserved_fen: 0, held_count: 1, waitlisted_count: 0, available_fen: 0 },
      { measure: 7, reserved_fen: 3_000_000, held_count: 2, waitlisted_count: 1, available_fen: 85_000_000 },
    ]);
  });
});
