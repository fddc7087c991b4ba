import { describe, expect, test } from '@jest/globals';
import { alertUnits, thresholdAlertId, waitlistAlertId } from '../../../shared/domain/alert.ts';
import { reconciliationAlertText, thresholdAlertText, waitlistAlertText } from '../../../shared/domain/alert-message.ts';
import { thresholdAlert, waitlistAlert } from '../../../shared/domain/build-alert.ts';
import { emptyEnvelope } from '../../../shared/domain/envelope.ts';
import { startOfShanghaiDay } from '../../../shared/domain/dates.ts';

const envelope = {
  ...emptyEnvelope({ measure: 7, fiscal_year: 2025 }), budget_set: true, budget_fen: 100_000_000, reserved_fen: 85_000_000,
  available_fen: 15_000_000, waitlisted_fen: 2_500_050, waitlisted_count: 3, version: 12,
};

describe('alert routing', () => {
  test("goes to the measure's responsible units in document order, then always FIN", () => {
    expect(alertUnits(7)).toEqual(['EITB', 'IPC', 'FIN']);
    expect(alertUnits(21)).toEqual(['TALENT', 'HRSS', 'EITB', 'STB', 'IPC', 'FIN']);
    expect(alertUnits(25)).toEqual(['NRPB', 'FIN']);
    expect(alertUnits(null)).toEqual(['FIN']);
  });

  test('ids are deterministic: envelope, threshold and version; envelope and Shanghai day', () => {
    expect(thresholdAlertId({ measure: 7, fiscal_year: 2025 }, 80, 12)).toBe('T-2025-007-080-v12');
    expect(waitlistAlertId({ measure: 7, fiscal_year: 2025 }, '2025-05-01')).toBe('W-2025-007-2025-05-01');
    // 16:30 UTC on 30 April is already 1 May in Shanghai.
    expect(waitlistAlert(envelope, 'BUDGET_EXHAUSTED', '2025-04-30T16:30:00.000Z').alert_id).toBe('W-2025-007-2025-05-01');
    expect(waitlistAlert(envelope, 'BUDGET_EXHAUSTED', '2025-04-30T15:59:59.999Z').alert_id).toBe('W-2025-007-2025-04-30');
  });
});

describe('alert text', () => {
  test('a threshold alert names document, measure and title, year, percentage, available and waiting demand, in Chinese then English', () => {
    const { subject, message } = thresholdAlertText(envelope, 80);
    const [zh, en, ...rest] = message.split('\n');
    expect(rest).toEqual([]);
    expect(zh).toContain('奉政办发〔2025〕2号');
    expect(zh).toContain('第7条“支持产业有效投资和设备更新”');
    expect(zh).toContain('2025年度');
    expect(zh).toContain('80% 预警线');
    expect(zh).toContain('已承诺 85.0%');
    expect(zh).toContain('可用余额 150,000.00 元');
    expect(zh).toContain('排队待拨需求 25,000.50 元（3 笔）');
    expect(en).toContain('measure 7 "Support effective industrial investment and equipment renewal", FY2025');
    expect(en).toContain('85.0% committed');
    expect(en).toContain('available 150,000.00 yuan');
    expect(en).toContain('waiting demand 25,000.50 yuan');
    // SNS subjects: ASCII, no line breaks, under 100 characters.
    expect(subject).toMatch(/^[\x20-\x7e]{1,99}$/);
  });

  test('a waitlist alert says why awards wait and how much demand is waiting', () => {
    const exhausted = waitlistAlertText(envelope, 'BUDGET_EXHAUSTED').message;
    expect(exhausted).toContain('预算余额不足，有 3 笔奖补排队等待拨付，待拨需求 25,000.50 元');
    expect(exhausted).toContain('3 award(s) are waiting because the budget is exhausted (BUDGET_EXHAUSTED); waiting demand 25,000.50 yuan');
    const none = waitlistAlertText({ ...envelope, budget_set: false, budget_fen: 0, reserved_fen: 0, available_fen: 0 }, 'NO_ENVELOPE').message;
    expect(none).toContain('尚未设立预算');
    expect(none).toContain('预算 未设立');
    expect(none).toContain('no budget has been set (NO_ENVELOPE)');
  });

  test('a reconciliation alert names the report and the envelopes and fields that differ', () => {
    const { subject, message } = reconciliationAlertText({
      report_id: 'R1', date: '2025-05-02', mismatches: 2, run_mismatches: 0, stuck: 1,
      envelopes: [{ measure: 7, fiscal_year: 2025, fields: ['reserved_fen', 'budget_fen'] }],
    });
    expect(message).toContain('【对账异常】');
    expect(message).toContain('第7条“支持产业有效投资和设备更新” 2025年度（reserved_fen、budget_fen）');
    expect(message).toContain('measure 7 FY2025 (reserved_fen, budget_fen)');
    expect(subject).toMatch(/^[\x20-\x7e]{1,99}$/);
  });

  test('built alerts carry kind, threshold and units', () => {
    const a = thresholdAlert(envelope, 90, '2025-05-01T00:00:00.000Z');
    expect(a).toMatchObject({ alert_id: 'T-2025-007-090-v12', kind: 'THRESHOLD', measure: 7, fiscal_year: 2025, threshold: 90, units: ['EITB', 'IPC', 'FIN'] });
  });
});

test('a Shanghai day starts at 16:00 UTC the day before (what `alerts list --since` queries from)', () => {
  expect(startOfShanghaiDay('2025-05-01').toISOString()).toBe('2025-04-30T16:00:00.000Z');
  expect(() => startOfShanghaiDay('2025-02-30')).toThrow(RangeError);
});
