/**
 * Credit restrictions (失信联合惩戒): public funds are withheld from listed entities. A restriction
 * runs from `restricted_from` to `restricted_to` inclusive (open-ended when empty) unless lifted.
 */
import * as z from 'zod';
import type { FieldError } from './award.ts';
import { quoteInput, toFieldErrors } from './award-record.ts';
import { parseIsoDate } from './dates.ts';
import { usccProblem } from './uscc.ts';

export { CREDIT_COLUMNS } from './credit-columns.ts';

export interface CreditRestriction {
  recipient_uscc: string;
  list_name: string;
  restricted_from: string;
  /** Empty: open-ended. */
  restricted_to?: string;
  reference: string;
  loaded_by: string;
  loaded_at: string;
  lifted?: { at: string; by: string; reference: string };
}

/** Active on `day` (YYYY-MM-DD, Asia/Shanghai): inside its window and not lifted. */
export function isActiveOn(r: CreditRestriction, day: string): boolean {
  if (r.lifted) return false;
  return r.restricted_from <= day && (r.restricted_to === undefined || day <= r.restricted_to);
}

const text = (field: string, max: number) =>
  z.string({ error: `${field} is required` }).trim().min(1, `${field} is required`).max(max, `${field} is longer than ${max} characters`)
    // eslint-disable-next-line no-control-regex
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), `${field} contains control characters`);

const date = (field: string, optional: boolean) =>
  z.string().trim().optional().transform((v, ctx) => {
    if ((v === undefined || v === '') && optional) return undefined;
    const parsed = parseIsoDate(v ?? '');
    if (parsed.ok) return parsed.date;
    ctx.addIssue({ code: 'custom', message: v ? `${field}: ${parsed.message}` : `${field} is required` });
    return z.NEVER;
  });

const rowSchema = z.object({
  recipient_uscc: z.string({ error: 'recipient_uscc is required' }).trim().transform((v, ctx) => {
    const problem = v === '' ? 'is required' : usccProblem(v);
    if (problem === undefined) return v;
    ctx.addIssue({ code: 'custom', message: `recipient_uscc: ${problem}` });
    return z.NEVER;
  }),
  list_name: text('list_name', 100),
  restricted_from: date('restricted_from', false).transform((v) => v as string),
  restricted_to: date('restricted_to', true),
  reference: text('reference', 200),
}).refine((r) => r.restricted_to === undefined || (r.restricted_from ?? '') <= r.restricted_to, {
  path: ['restricted_to'], message: 'restricted_to must not be before restricted_from',
});

export type CreditRow = Pick<CreditRestriction, 'recipient_uscc' | 'list_name' | 'restricted_from' | 'restricted_to' | 'reference'>;

export function validateCreditRow(fields: Readonly<Record<string, string | undefined>>): { ok: true; row: CreditRow } | { ok: false; errors: FieldError[] } {
  const parsed = rowSchema.safeParse(fields);
  if (!parsed.success) return { ok: false, errors: toFieldErrors(parsed.error) };
  const { restricted_to, ...rest } = parsed.data;
  return { ok: true, row: { ...rest, ...(restricted_to ? { restricted_to } : {}) } };
}

export function describeRestriction(r: Pick<CreditRestriction, 'list_name' | 'restricted_from' | 'restricted_to' | 'reference'>): string {
  return `${quoteInput(r.list_name, 40)} ${r.restricted_from}…${r.restricted_to ?? '(open-ended)'} (${quoteInput(r.reference, 40)})`;
}
