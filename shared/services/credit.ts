/** Credit restrictions (失信): load, list, lift (issue 14). Lifting releases nothing by itself. */
import type { FieldError } from '../domain/award.ts';
import { isActiveOn, validateCreditRow, type CreditRestriction } from '../domain/credit-restriction.ts';
import { parseIsoDate } from '../domain/dates.ts';
import { ValidationError } from '../domain/errors.ts';
import { usccProblem } from '../domain/uscc.ts';
import type { Ledger } from '../ports/ledger.ts';
import type { Clock } from './clock.ts';

export type CreditFileRow = { kind: 'record'; line: number; fields: Record<string, string | undefined> } | { kind: 'error'; line: number; field?: string; message: string };

export interface CreditLoadReport {
  loaded: { line: number; recipient_uscc: string; list_name: string; change: 'created' | 'updated' | 'unchanged' }[];
  errors: ({ line: number } & FieldError)[];
}

export async function loadCredit(ledger: Ledger, clock: Clock, rows: AsyncIterable<CreditFileRow>, by: string): Promise<CreditLoadReport> {
  const actor = by.trim();
  if (actor === '') throw new ValidationError('MISSING_ACTOR', 'who loads the list is required (--by NAME)', { field: 'by' });
  const report: CreditLoadReport = { loaded: [], errors: [] };
  const seen = new Map<string, number>();
  for await (const row of rows) {
    if (row.kind === 'error') { report.errors.push({ line: row.line, field: row.field ?? 'record', message: row.message }); continue; }
    const checked = validateCreditRow(row.fields);
    if (!checked.ok) { report.errors.push(...checked.errors.map((e) => ({ line: row.line, ...e }))); continue; }
    const r = checked.row;
    const id = `${r.recipient_uscc}#${r.list_name}#${r.restricted_from}`;
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      report.errors.push({ line: row.line, field: 'recipient_uscc', message: `the same restriction (credit code, list, from) is on line ${earlier}; line ${earlier} counts` });
      continue;
    }
    seen.set(id, row.line);
    const change = await ledger.controls.putRestriction({ ...r, loaded_by: actor, loaded_at: clock.now() });
    report.loaded.push({ line: row.line, recipient_uscc: r.recipient_uscc, list_name: r.list_name, change });
  }
  return report;
}

export async function listCredit(ledger: Ledger, activeOn?: string): Promise<CreditRestriction[]> {
  if (activeOn !== undefined) {
    const parsed = parseIsoDate(activeOn);
    if (!parsed.ok) throw new ValidationError('BAD_OPTION', `--active-on: ${parsed.message}`, { field: '--active-on' });
  }
  const all = await ledger.controls.listRestrictions();
  return all.filter((r) => activeOn === undefined || isActiveOn(r, activeOn))
    .sort((a, b) => a.recipient_uscc.localeCompare(b.recipient_uscc) || a.restricted_from.localeCompare(b.restricted_from));
}

export async function liftCredit(ledger: Ledger, clock: Clock, cmd: { uscc: string; reference: string; by: string }): Promise<CreditRestriction[]> {
  const uscc = cmd.uscc.trim();
  const problem = usccProblem(uscc);
  if (problem !== undefined) throw new ValidationError('BAD_USCC', `USCC: ${problem}`, { field: 'uscc' });
  const reference = cmd.reference.trim();
  if (reference === '') throw new ValidationError('MISSING_REFERENCE', 'a reference is required (--reference TEXT)', { field: 'reference' });
  const by = cmd.by.trim();
  if (by === '') throw new ValidationError('MISSING_ACTOR', 'who lifts is required (--by NAME)', { field: 'by' });
  return ledger.controls.liftRestrictions(uscc, { at: clock.now(), by, reference });
}
