import * as z from 'zod';
import type { AwardRecord, FieldError } from './award.ts';
import { parseYuan } from './money.ts';
import { usccProblem } from './uscc.ts';
import { parseIsoDate } from './dates.ts';
import { resolveUnit } from './units.ts';
import { projectRefProblem } from './project-ref.ts';

/** Award and scheme ids become parts of store keys and file names, so they are kept plain. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Quote a bad value in an error message without echoing long (possibly hostile) input. */
export function quoteInput(value: string, max = 24): string {
  const shown = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(shown);
}

const required = (field: string) =>
  z.string({ error: `${field} is required` }).trim().min(1, `${field} is required`);

const text = (field: string, max: number) =>
  required(field)
    .max(max, `${field} is longer than ${max} characters`)
    // eslint-disable-next-line no-control-regex
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), `${field} contains control characters`);

const id = (field: string) =>
  required(field).refine((v) => ID_PATTERN.test(v), {
    error: (issue) => `${field} must be 1-64 letters, digits, '.', '_' or '-', got ${quoteInput(String(issue.input))}`,
  });

const isoDate = (field: string) =>
  required(field).transform((v, ctx) => {
    const parsed = parseIsoDate(v);
    if (parsed.ok) return parsed.date;
    ctx.addIssue({ code: 'custom', message: `${field}: ${parsed.message}` });
    return z.NEVER;
  });

/** Field rules of an award record (section 3 of the intake issue). Every field but scheme_id is required. */
const awardRecordSchema = z.object({
  award_id: id('award_id'),
  measure: required('measure').transform((v, ctx) => {
    if (/^[1-9]\d{0,2}$/.test(v)) return Number(v);
    ctx.addIssue({ code: 'custom', message: `measure must be a measure number such as 7, got ${quoteInput(v)}` });
    return z.NEVER;
  }),
  recipient_name: text('recipient_name', 200),
  recipient_uscc: required('recipient_uscc').transform((v, ctx) => {
    const problem = usccProblem(v);
    if (problem === undefined) return v;
    ctx.addIssue({ code: 'custom', message: `recipient_uscc: ${problem}` });
    return z.NEVER;
  }),
  amount_yuan: required('amount_yuan').transform((v, ctx) => {
    const parsed = parseYuan(v);
    if (parsed.ok) return parsed.fen;
    ctx.addIssue({ code: 'custom', message: `amount_yuan: ${parsed.message}` });
    return z.NEVER;
  }),
  qualifying_date: isoDate('qualifying_date'),
  approved_date: isoDate('approved_date'),
  approving_unit: required('approving_unit').transform((v, ctx) => {
    const unit = resolveUnit(v);
    if (unit !== undefined) return unit;
    ctx.addIssue({
      code: 'custom',
      message: `approving_unit must be a unit code (e.g. EITB) or its exact Chinese name, got ${quoteInput(v)}`,
    });
    return z.NEVER;
  }),
  scheme_id: z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      if (ID_PATTERN.test(v)) return v;
      ctx.addIssue({ code: 'custom', message: `scheme_id must be a scheme id or empty, got ${quoteInput(v)}` });
      return z.NEVER;
    }),
  project_ref: z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      const problem = projectRefProblem(v);
      if (problem === undefined) return v;
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }),
  payee_bank: text('payee_bank', 100),
  // Never quote the account itself: it is personal data and must not reach logs.
  payee_account: required('payee_account').refine(
    (v) => /^\d{6,34}$/.test(v),
    'payee_account must be 6-34 digits (value not shown)',
  ),
});

export type AwardRecordResult = { ok: true; record: AwardRecord } | { ok: false; errors: FieldError[] };

/** Validate one record's raw text fields; every failing field is reported, not just the first. */
export function validateAwardRecord(fields: Readonly<Record<string, string | undefined>>): AwardRecordResult {
  const parsed = awardRecordSchema.safeParse(fields);
  if (parsed.success) {
    const { amount_yuan, scheme_id, project_ref, ...rest } = parsed.data;
    const record: AwardRecord = { ...rest, amount_fen: amount_yuan };
    if (scheme_id !== undefined) record.scheme_id = scheme_id;
    if (project_ref !== undefined) record.project_ref = project_ref;
    return { ok: true, record };
  }
  return { ok: false, errors: toFieldErrors(parsed.error) };
}

export function toFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    field: issue.path.length > 0 ? String(issue.path[0]) : 'record',
    message: issue.message,
  }));
}
