import type { CsvRow } from '../../shared/csv/read-csv-records.ts';
import type { Award, HoldReason } from '../../shared/domain/award.ts';
import { findMeasure } from '../../shared/domain/catalog.ts';
import { formatYuanGrouped } from '../../shared/domain/money.ts';
import { usccCheckChar } from '../../shared/domain/uscc.ts';
import { loadCredit } from '../../shared/services/credit.ts';
import { listHolds } from '../../shared/services/holds.ts';
import { alertEvents } from '../alert-events.ts';
import { table, type Output } from '../output.ts';
import type { Runtime } from '../runtime.ts';
import { submitAwardRows } from '../submit-awards.ts';

const CREDIT_OFFICER = 'finance-li';

const usccOf = (org: string) => `91330213${org}${usccCheckChar(`91330213${org}`)}`;
/** Three enterprises of the holds demo: one on a credit blacklist, two subsidised twice. */
const RESTRICTED = { uscc: usccOf('HD0000001'), name: '宁波失信示范有限公司' };
const TWICE_BY_PROJECT = { uscc: usccOf('HD0000002'), name: '宁波智造示范科技有限公司' };
const TWICE_BY_AMOUNT = { uscc: usccOf('HD0000003'), name: '宁波重复申报示范有限公司' };

/** The held award of each reason the demo leaves in the store, for the console and its test. */
export const DEMO_HOLDS: Readonly<Record<HoldReason, string>> = {
  CREDIT_RESTRICTED: 'FH2025-H00001',
  DUPLICATE_PROJECT: 'FH2025-H00003',
  POSSIBLE_DUPLICATE: 'FH2025-H00005',
};

function award(id: string, measure: number, who: { uscc: string; name: string }, yuan: string, project?: string): Record<string, string> {
  return {
    award_id: id, measure: String(measure), recipient_name: who.name, recipient_uscc: who.uscc, amount_yuan: yuan,
    qualifying_date: '2025-03-01', approved_date: '2025-05-20', approving_unit: findMeasure(measure)!.units[0]!, scheme_id: '',
    payee_bank: '中国银行宁波奉化支行', payee_account: `62170000${id.slice(-5).padStart(8, '9')}`,
    ...(project !== undefined ? { project_ref: project } : {}),
  };
}

const clip = (text: string, max: number) => ([...text].length > max ? `${[...text].slice(0, max - 1).join('')}…` : text);

async function* rowsOf(records: Record<string, string>[]): AsyncIterable<CsvRow> {
  for (const [i, fields] of records.entries()) yield { kind: 'record', line: i + 2, fields };
}

/**
 * The controls of issue 14 in the demo, one hold of each reason, left HELD for a person to decide
 * (`bursar holds list`, the console's holds page): a credit restriction loaded through the credit
 * service holds its enterprise's award (CREDIT_RESTRICTED); a second award for the same project
 * under another measure, its project reference spelt another way, waits (DUPLICATE_PROJECT, 就高不重复);
 * a second file's award with the same enterprise, measure, year and amount and no project waits
 * (POSSIBLE_DUPLICATE). Awards go through the real intake handler, which raises the HOLD alerts.
 */
export async function demoHolds(runtime: Runtime, out: Output): Promise<Award[]> {
  const loaded = await loadCredit(runtime.ledger, runtime.clock, rowsOf([{
    recipient_uscc: RESTRICTED.uscc, list_name: '失信被执行人名单', restricted_from: '2025-01-01', restricted_to: '', reference: '(2025)浙0213执123号',
  }]), CREDIT_OFFICER);
  if (loaded.errors.length > 0) throw new Error(`the demo's credit restriction was refused: ${JSON.stringify(loaded.errors)}`);
  out.info(`Credit restriction loaded by ${CREDIT_OFFICER}: ${RESTRICTED.name} (${RESTRICTED.uscc}) on 失信被执行人名单 from 2025-01-01.`);

  const options = { events: alertEvents(runtime) };
  // Two files: the first awards of each pair are decided before their repeats arrive.
  const first = await submitAwardRows(runtime, rowsOf([
    award(DEMO_HOLDS.CREDIT_RESTRICTED, 8, RESTRICTED, '120000.00'),
    award('FH2025-H00002', 8, TWICE_BY_PROJECT, '300000.00', '智能工厂改造 ZN-2025-07'),
    award('FH2025-H00004', 14, TWICE_BY_AMOUNT, '50000.00'),
  ]), options);
  const second = await submitAwardRows(runtime, rowsOf([
    award(DEMO_HOLDS.DUPLICATE_PROJECT, 14, TWICE_BY_PROJECT, '200000.00', ' 智能工厂改造 ｚｎ－２０２５－０７ '),
    award(DEMO_HOLDS.POSSIBLE_DUPLICATE, 14, TWICE_BY_AMOUNT, '50000.00'),
  ]), options);
  out.info(`Submitted ${first.submitted + second.submitted} awards in two files: ${first.held + second.held} held for a person to decide.`);

  const holds = (await listHolds(runtime.ledger)).filter((a) => Object.values(DEMO_HOLDS).includes(a.award_id));
  const why = (a: Award) => a.trace.find((t) => t.rule === a.hold?.reason && !t.ok)?.detail ?? '';
  out.info(table(['award', 'hold', 'measure', 'enterprise', 'yuan', 'why'], holds.map((a) => [
    a.award_id, a.hold?.reason ?? '', a.measure, a.recipient_name, formatYuanGrouped(a.amount_fen), clip(why(a), 80),
  ])));
  out.info('Decide them with: bursar holds release AWARD_ID --note TEXT --by NAME, or bursar holds reject AWARD_ID --reason TEXT --by NAME.');
  return holds;
}
