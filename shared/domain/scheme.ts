import * as z from 'zod';
import { findMeasure } from './catalog.ts';
import { parseIsoDate } from './dates.ts';
import { parseYuan } from './money.ts';
import { ID_PATTERN, quoteInput, toFieldErrors } from './award-record.ts';
import type { FieldError } from './award.ts';

/** A special scheme (专项政策方案): its own window replaces the policy's default for the measures it covers. */
export interface Scheme {
  scheme_id: string;
  name: string;
  measures: number[];
  valid_from: string;
  valid_to: string;
  /** Issue 14: most one enterprise may be awarded under the scheme (all fiscal years), in fen. */
  enterprise_cap_fen?: number;
}

export const SCHEME_COLUMNS = ['scheme_id', 'name', 'measures', 'valid_from', 'valid_to', 'enterprise_cap_yuan'] as const;
export const OPTIONAL_SCHEME_COLUMNS = ['enterprise_cap_yuan'] as const;

const date = (field: string) =>
  z.string({ error: `${field} is required` }).trim().transform((v, ctx) => {
    const parsed = parseIsoDate(v);
    if (parsed.ok) return parsed.date;
    ctx.addIssue({ code: 'custom', message: `${field}: ${parsed.message}` });
    return z.NEVER;
  });

const schemeSchema = z
  .object({
    scheme_id: z.string({ error: 'scheme_id is required' }).trim().refine((v) => ID_PATTERN.test(v), {
      error: (i) => `scheme_id must be 1-64 letters, digits, '.', '_' or '-', got ${quoteInput(String(i.input))}`,
    }),
    name: z.string({ error: 'name is required' }).trim().min(1, 'name is required').max(200, 'name is too long')
      // eslint-disable-next-line no-control-regex
      .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'name contains control characters'),
    measures: z.string({ error: 'measures is required' }).transform((v, ctx) => {
      const parts = v.split(';').map((p) => p.trim());
      const numbers: number[] = [];
      for (const part of parts) {
        const n = /^[1-9]\d{0,2}$/.test(part) ? Number(part) : NaN;
        if (Number.isNaN(n) || findMeasure(n) === undefined) {
          ctx.addIssue({ code: 'custom', message: `measures: ${quoteInput(part)} is not a measure number of the policy (1-27)` });
          return z.NEVER;
        }
        if (!numbers.includes(n)) numbers.push(n);
      }
      return numbers.sort((a, b) => a - b);
    }),
    valid_from: date('valid_from'),
    valid_to: date('valid_to'),
    enterprise_cap_yuan: z.string().trim().optional().transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      const parsed = parseYuan(v);
      if (parsed.ok) return parsed.fen;
      ctx.addIssue({ code: 'custom', message: `enterprise_cap_yuan: ${parsed.message}` });
      return z.NEVER;
    }),
  })
  .refine((s) => s.valid_from <= s.valid_to, {
    path: ['valid_to'],
    message: 'valid_to must not be before valid_from',
  });

export function validateSchemeRecord(
  fields: Readonly<Record<string, string | undefined>>,
): { ok: true; scheme: Scheme } | { ok: false; errors: FieldError[] } {
  const parsed = schemeSchema.safeParse(fields);
  if (!parsed.success) return { ok: false, errors: toFieldErrors(parsed.error) };
  const { enterprise_cap_yuan, ...scheme } = parsed.data;
  return { ok: true, scheme: { ...scheme, ...(enterprise_cap_yuan !== undefined ? { enterprise_cap_fen: enterprise_cap_yuan } : {}) } };
}
