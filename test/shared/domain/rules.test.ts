import { describe, expect, test } from '@jest/globals';
import { evaluateEligibility } from '../../../shared/domain/rules.ts';
import { validateAwardRecord } from '../../../shared/domain/award-record.ts';
import type { AwardRecord } from '../../../shared/domain/award.ts';
import type { Scheme } from '../../../shared/domain/scheme.ts';
import { awardFields } from '../../support/records.ts';

function record(overrides: Record<string, string> = {}): AwardRecord {
  const checked = validateAwardRecord(awardFields(1, overrides));
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  return checked.record;
}

const robot: Scheme = { scheme_id: 'SCH-ROBOT', name: '机器人专项', measures: [2, 10], valid_from: '2023-07-01', valid_to: '2025-06-30' };

describe('eligibility rules, in the order the policy fixes', () => {
  test('an award inside the default window from a responsible unit is eligible, with a readable trace', () => {
    const verdict = evaluateEligibility(record(), undefined);
    expect(verdict.eligible).toBe(true);
    expect(verdict.trace.map((t) => t.rule)).toEqual(['KNOWN_MEASURE', 'UNIT_RESPONSIBLE', 'IN_WINDOW']);
    expect(verdict.trace[2]!.detail).toContain('2024-01-01..2026-12-31');
  });

  test.each([
    ['2024-01-01', true], ['2026-12-31', true], ['2023-12-31', false], ['2027-01-01', false],
  ])('default window is inclusive: qualifying %s eligible=%s', (date, eligible) => {
    const verdict = evaluateEligibility(record({ qualifying_date: date }), undefined);
    expect(verdict.eligible).toBe(eligible);
    if (!verdict.eligible) expect(verdict.reason).toBe('OUTSIDE_WINDOW');
  });

  test('unknown measure comes first, before the unit check', () => {
    const verdict = evaluateEligibility(record({ measure: '28', approving_unit: 'FIN' }), undefined);
    expect(verdict).toMatchObject({ eligible: false, reason: 'UNKNOWN_MEASURE' });
  });

  test('a unit that is not responsible for the measure is rejected, even FIN', () => {
    expect(evaluateEligibility(record({ approving_unit: 'FIN' }), undefined)).toMatchObject({ eligible: false, reason: 'UNIT_NOT_RESPONSIBLE' });
    expect(evaluateEligibility(record({ approving_unit: 'IPC' }), undefined).eligible).toBe(true); // measure 7: EITB, IPC
  });

  test('an unknown scheme and a scheme for other measures are rejected before the window is looked at', () => {
    const r = record({ scheme_id: 'SCH-ROBOT', qualifying_date: '2020-01-01' });
    expect(evaluateEligibility(r, undefined)).toMatchObject({ eligible: false, reason: 'UNKNOWN_SCHEME' });
    expect(evaluateEligibility(r, robot)).toMatchObject({ eligible: false, reason: 'SCHEME_NOT_FOR_MEASURE' });
  });

  test("a scheme's window replaces the default wholly: earlier events qualify, later ones do not", () => {
    const base = { measure: '10', scheme_id: 'SCH-ROBOT' };
    expect(evaluateEligibility(record({ ...base, qualifying_date: '2023-07-01' }), robot).eligible).toBe(true);
    const late = evaluateEligibility(record({ ...base, qualifying_date: '2025-07-01' }), robot);
    expect(late).toMatchObject({ eligible: false, reason: 'OUTSIDE_WINDOW' });
    expect(late.trace.at(-1)!.detail).toContain('window of scheme SCH-ROBOT');
  });
});

describe('award record validation', () => {
  test('accepts unit names and codes, trims text, stores integer fen', () => {
    const checked = validateAwardRecord(awardFields(1, { approving_unit: ' 区投促中心 ', amount_yuan: '12.5', scheme_id: '' }));
    expect(checked).toMatchObject({ ok: true, record: { approving_unit: 'IPC', amount_fen: 1250 } });
    if (checked.ok) expect(checked.record.scheme_id).toBeUndefined();
  });

  test('names every failing field by its column name', () => {
    const checked = validateAwardRecord({
      ...awardFields(1), award_id: 'bad id!', measure: 'seven', approving_unit: '经信局', payee_account: '12ab', qualifying_date: '2025-1-5', recipient_name: '',
    });
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      expect(checked.errors.map((e) => e.field).sort()).toEqual(
        ['approving_unit', 'award_id', 'measure', 'payee_account', 'qualifying_date', 'recipient_name'],
      );
    }
  });

  test('a missing required column is an error; scheme_id may be absent', () => {
    const { payee_bank: _omit, scheme_id: _s, ...rest } = awardFields(1);
    const checked = validateAwardRecord(rest);
    expect(checked).toMatchObject({ ok: false, errors: [{ field: 'payee_bank' }] });
  });

  test('never echoes the payee account in an error', () => {
    const checked = validateAwardRecord(awardFields(1, { payee_account: '62170000SECRET99' }));
    expect(JSON.stringify(checked)).not.toContain('SECRET');
  });
});
