/** Small, readable award files for the end-to-end tests (valid credit codes, FY2025 dates). */
import { AWARD_COLUMNS } from '../../../shared/domain/award.ts';
import { usccCheckChar } from '../../../shared/domain/uscc.ts';

export const XSS_NAME = '<img src=x onerror="window.__xss=1">';

export interface AwardRow {
  award_id: string;
  measure: number;
  unit: string;
  amount: string;
  name?: string;
  approved?: string;
  uscc?: string;
}

export function uscc(n: number): string {
  const body = `91330213MA${String(n).padStart(6, '0')}A`;
  return body + usccCheckChar(body);
}

const cell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

export function awardsCsv(rows: readonly AwardRow[]): string {
  const lines = rows.map((r, i) => {
    const values: Record<(typeof AWARD_COLUMNS)[number], string> = {
      award_id: r.award_id, measure: String(r.measure), recipient_name: r.name ?? `宁波测试${i + 1}号智造有限公司`,
      recipient_uscc: r.uscc ?? uscc(i + 1), amount_yuan: r.amount, qualifying_date: '2025-02-01', approved_date: r.approved ?? '2025-04-10',
      approving_unit: r.unit, scheme_id: '', project_ref: '', payee_bank: '中国工商银行宁波奉化支行', payee_account: `62220212345678${String(i).padStart(5, '0')}`,
    };
    return AWARD_COLUMNS.map((c) => cell(values[c])).join(',');
  });
  return `${[AWARD_COLUMNS.join(','), ...lines].join('\r\n')}\r\n`;
}

export function budgetsCsv(budgets: Record<number, string>, fiscalYear = 2025): string {
  return `measure,fiscal_year,amount_yuan\n${Object.entries(budgets).map(([m, y]) => `${m},${fiscalYear},${y}`).join('\n')}\n`;
}
