/**
 * Alert texts. The message is Chinese, followed by one English line, and names the document
 * number, the measure (number and short title), the fiscal year, the percentage committed, the
 * available money and the waiting demand in yuan. The subject is ASCII only: SNS refuses anything
 * else in a subject (and more than 99 characters).
 */
import type { WaitReason } from './award.ts';
import { committedPercentText } from './alert-thresholds.ts';
import { findMeasure, POLICY } from './catalog.ts';
import type { Envelope } from './envelope.ts';
import { formatYuanGrouped } from './money.ts';

type Figures = Pick<Envelope,
  'measure' | 'fiscal_year' | 'budget_set' | 'budget_fen' | 'reserved_fen' | 'batched_fen' | 'paid_fen' |
  'available_fen' | 'waitlisted_fen' | 'waitlisted_count'>;

export interface AlertText {
  subject: string;
  message: string;
}

function measureZh(measure: number): string {
  const m = findMeasure(measure);
  return m ? `第${measure}条“${m.titleZh}”` : `第${measure}条`;
}

function measureEn(measure: number): string {
  const m = findMeasure(measure);
  return m ? `measure ${measure} "${m.titleEn}"` : `measure ${measure}`;
}

const yuan = (fen: number) => formatYuanGrouped(fen);

function figuresZh(e: Figures): string {
  return `预算 ${e.budget_set ? `${yuan(e.budget_fen)} 元` : '未设立'}，已承诺 ${committedPercentText(e)}%，` +
    `可用余额 ${yuan(e.available_fen)} 元，排队待拨需求 ${yuan(e.waitlisted_fen)} 元（${e.waitlisted_count} 笔）。`;
}

function figuresEn(e: Figures): string {
  return `budget ${e.budget_set ? `${yuan(e.budget_fen)} yuan` : 'not set'}, ${committedPercentText(e)}% committed, ` +
    `available ${yuan(e.available_fen)} yuan, waiting demand ${yuan(e.waitlisted_fen)} yuan (${e.waitlisted_count} award(s)).`;
}

/** The envelope's committed money reached `threshold` percent of its budget. */
export function thresholdAlertText(e: Figures, threshold: number): AlertText {
  return {
    subject: `Bursar budget alert: measure ${e.measure} FY${e.fiscal_year} reached ${threshold}% committed`,
    message: [
      `【预算预警】${POLICY.documentNumber} ${measureZh(e.measure)} ${e.fiscal_year}年度预算已承诺达到 ${threshold}% 预警线：${figuresZh(e)}`,
      `Budget alert: ${POLICY.documentNumber} ${measureEn(e.measure)}, FY${e.fiscal_year}, reached the ${threshold}% threshold: ${figuresEn(e)}`,
    ].join('\n'),
  };
}

const WAIT_ZH: Record<WaitReason, string> = { BUDGET_EXHAUSTED: '预算余额不足', NO_ENVELOPE: '尚未设立预算' };
const WAIT_EN: Record<WaitReason, string> = { BUDGET_EXHAUSTED: 'the budget is exhausted', NO_ENVELOPE: 'no budget has been set' };

/** Awards are waiting for money in this envelope. */
export function waitlistAlertText(e: Figures, reason: WaitReason): AlertText {
  return {
    subject: `Bursar waitlist alert: measure ${e.measure} FY${e.fiscal_year}, ${e.waitlisted_count} award(s) waiting`,
    message: [
      `【排队预警】${POLICY.documentNumber} ${measureZh(e.measure)} ${e.fiscal_year}年度因${WAIT_ZH[reason]}，有 ${e.waitlisted_count} 笔奖补排队等待拨付，` +
        `待拨需求 ${yuan(e.waitlisted_fen)} 元：${figuresZh(e)}`,
      `Waitlist alert: ${POLICY.documentNumber} ${measureEn(e.measure)}, FY${e.fiscal_year}: ${e.waitlisted_count} award(s) are waiting because ${WAIT_EN[reason]} ` +
        `(${reason}); waiting demand ${yuan(e.waitlisted_fen)} yuan: ${figuresEn(e)}`,
    ].join('\n'),
  };
}

export interface ReconciliationAlertFacts {
  report_id: string;
  date: string;
  mismatches: number;
  run_mismatches: number;
  stuck: number;
  /** Envelopes whose stored figures differ, e.g. [{measure: 7, fiscal_year: 2025, fields: ['reserved_fen']}]. */
  envelopes: { measure: number; fiscal_year: number; fields: string[] }[];
}

/** The nightly reconciliation found differences; FIN is told where to look. */
export function reconciliationAlertText(f: ReconciliationAlertFacts): AlertText {
  const shown = f.envelopes.slice(0, 10);
  const more = f.envelopes.length - shown.length;
  const whereZh = shown.map((e) => `${measureZh(e.measure)} ${e.fiscal_year}年度（${e.fields.join('、')}）`).join('；');
  const whereEn = shown.map((e) => `measure ${e.measure} FY${e.fiscal_year} (${e.fields.join(', ')})`).join('; ');
  return {
    subject: `Bursar reconciliation alert: ${f.date} report found differences`,
    message: [
      `【对账异常】${POLICY.documentNumber} ${f.date} 对账报告 ${f.report_id} 发现不一致：预算数字 ${f.mismatches} 处，支付批次 ${f.run_mismatches} 处，` +
        `滞留状态 ${f.stuck} 项。${whereZh ? `涉及：${whereZh}${more > 0 ? `等 ${f.envelopes.length} 个预算` : ''}。` : ''}` +
        '请运行 bursar reconcile 查看详情，核实后以 --repair --by 修复。',
      `Reconciliation alert: ${POLICY.documentNumber}, report ${f.report_id} of ${f.date}: ${f.mismatches} envelope figure mismatch(es), ` +
        `${f.run_mismatches} run mismatch(es), ${f.stuck} stuck item(s).${whereEn ? ` Envelopes: ${whereEn}${more > 0 ? ` and ${more} more` : ''}.` : ''}` +
        ' Run `bursar reconcile` for details; repair with --repair --by NAME after checking.',
    ].join('\n'),
  };
}
