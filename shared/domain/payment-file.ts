/**
 * The payment file for the bank: one row per payment of an approved run, in batch order and, within
 * a batch, by sequence number. Amounts are yuan with two decimals; text fields are neutralised
 * against formula injection. This is the only place a payee account appears in full.
 */
import { findMeasure, POLICY } from './catalog.ts';
import { formatYuan } from './money.ts';
import { neutraliseFormula } from './spreadsheet-safety.ts';

/** A payment as the run holds it: the award's payee details were copied into the run when it was prepared. */
export interface RunPayment {
  run_id: string;
  batch_id: string;
  seq: number;
  award_id: string;
  measure: number;
  fiscal_year: number;
  unit: string;
  approved_date: string;
  amount_fen: number;
  payee_name: string;
  payee_bank: string;
  payee_account: string;
}

export const PAYMENT_COLUMNS = [
  'batch_id', 'seq', 'award_id', 'payee_name', 'payee_bank', 'payee_account', 'amount_yuan', 'purpose',
] as const;

/** Column headers for people (the XLSX sheets): Chinese / English. */
export const PAYMENT_HEADERS_BILINGUAL = [
  '批次 / Batch', '序号 / Seq', '奖补编号 / Award ID', '收款人 / Payee', '开户行 / Bank', '账号 / Account',
  '金额(元) / Amount (yuan)', '用途 / Purpose',
] as const;

/** '奉政办发〔2025〕2号第7条奖补资金：支持产业有效投资和设备更新' — names the policy and the measure. */
export function paymentPurpose(measure: number): string {
  const m = findMeasure(measure);
  return `${POLICY.documentNumber}第${measure}条奖补资金${m ? `：${m.titleZh}` : ''}`;
}

/** The CSV row of a payment, every field as text. */
export function paymentRow(p: RunPayment): string[] {
  return [
    p.batch_id,
    String(p.seq),
    p.award_id,
    neutraliseFormula(p.payee_name),
    neutraliseFormula(p.payee_bank),
    p.payee_account,
    formatYuan(p.amount_fen),
    neutraliseFormula(paymentPurpose(p.measure)),
  ];
}

export function paymentFileNames(runId: string): { csv: string; xlsx: string; manifest: string } {
  return { csv: `${runId}-payments.csv`, xlsx: `${runId}-payments.xlsx`, manifest: `${runId}-manifest.json` };
}
