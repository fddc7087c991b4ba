/** The awards CSV template: the exact header of the intake files and one valid example row. */
import { AWARD_COLUMNS } from '../../../../shared/domain/award.ts';
import { MEASURES } from '../../../../shared/domain/catalog.ts';
import { usccCheckChar } from '../../../../shared/domain/uscc.ts';

const csvCell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/** For a bureau, the example uses its unit and a measure it is responsible for. */
export function awardTemplateCsv(unit: string | null, fiscalYear: number): string {
  const approving = unit ?? 'EITB';
  const measure = MEASURES.find((m) => (m.units as readonly string[]).includes(approving))?.number ?? 1;
  const usccBody = '91330213MA2XXXXX1';
  const example: Record<(typeof AWARD_COLUMNS)[number], string> = {
    award_id: `${approving}-${fiscalYear}-0001`,
    measure: String(measure),
    recipient_name: '宁波示例智造有限公司',
    recipient_uscc: usccBody + usccCheckChar(usccBody),
    amount_yuan: '100000.00',
    qualifying_date: `${fiscalYear}-03-01`,
    approved_date: `${fiscalYear}-04-15`,
    approving_unit: approving,
    scheme_id: '',
    project_ref: `${approving}-PRJ-${fiscalYear}-001`,
    payee_bank: '中国工商银行宁波奉化支行',
    payee_account: '6222021234567890123',
  };
  // A BOM so Excel shows the Chinese; intake accepts it.
  return `\ufeff${AWARD_COLUMNS.join(',')}\r\n${AWARD_COLUMNS.map((c) => csvCell(example[c])).join(',')}\r\n`;
}
