import { z } from '@hono/zod-openapi';
import { ID_PATTERN } from '../domain/award-record.ts';
import { AWARD_STATUSES } from '../domain/award.ts';
import { UNITS } from '../domain/units.ts';
import { AUDIT_KINDS, ROLES } from '../ports/identity.ts';
import { USERNAME_PATTERN } from '../services/users.ts';

/**
 * The request schemas every route validates with (strict: unknown fields are refused), and from
 * which /api/v1/openapi.json is generated. Amounts in are yuan strings; a JSON number is refused.
 */
const STATUSES = AWARD_STATUSES;
const UNIT_CODES = UNITS.map((u) => u.code) as [string, ...string[]];

export const yearText = z.string().regex(/^20\d\d$/, 'a fiscal year such as 2025');
export const measureText = z.string().regex(/^[1-9]\d?$/, 'a measure number 1-27');
export const yuanText = z.string().max(40).openapi({ example: '9000.00', description: 'yuan, at most two decimals, as a string' });

export const envelopeParams = z.object({
  fiscal_year: yearText.openapi({ param: { name: 'fiscal_year', in: 'path' }, example: '2025' }),
  measure: measureText.openapi({ param: { name: 'measure', in: 'path' }, example: '7' }),
}).strict();

export const fiscalYearQuery = z.object({
  fiscal_year: yearText.optional().openapi({ param: { name: 'fiscal_year', in: 'query' } }),
}).strict();

export const setBudgetBody = z.object({
  amount_yuan: yuanText,
  alert_at: z.array(z.number().int().min(1).max(100)).min(1).max(10).optional().openapi({ example: [80, 90, 100] }),
}).strict().openapi('SetBudget');

export const awardsQuery = z.object({
  status: z.enum(STATUSES).optional(),
  measure: measureText.optional(),
  fiscal_year: yearText.optional(),
  unit: z.enum(UNIT_CODES).optional(),
  q: z.string().min(1).max(64).optional().openapi({ description: 'award id, credit code, or the start of a recipient name' }),
  limit: z.string().regex(/^[1-9]\d{0,2}$/, 'a whole number 1-200').refine((v) => Number(v) <= 200, 'at most 200').optional(),
  cursor: z.string().max(1024).regex(/^[A-Za-z0-9_-]+$/, 'a cursor from next_cursor').optional(),
}).strict();

export const awardIdParams = z.object({
  id: z.string().regex(ID_PATTERN, 'an award id').openapi({ param: { name: 'id', in: 'path' }, example: 'FH2025-000001' }),
}).strict();

export const cancelBody = z.object({ reason: z.string().trim().min(1, 'a reason is required').max(500) }).strict().openapi('CancelAward');

export const runIdParams = z.object({
  id: z.string().regex(/^RUN-\d{4}-(0[1-9]|1[0-2])$/, 'a run id such as RUN-2025-06').openapi({ param: { name: 'id', in: 'path' }, example: 'RUN-2025-06' }),
}).strict();

export const runFileParams = runIdParams.extend({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'a file name').openapi({ param: { name: 'name', in: 'path' } }),
}).strict();

export const prepareBody = z.object({ period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a period YYYY-MM') }).strict().openapi('PrepareRun');
export const emptyBody = z.object({}).strict();
/**
 * The approver approves what `run show` reported as `digest` (issue 13): a stale one is
 * DIGEST_MISMATCH. Optional, as the body was before digests (issue 11's contract): without it the
 * digest the run holds at approval is the one approved and recorded (the console always sends it).
 */
export const approveBody = z.object({ digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'the run digest, sha256:<64 hex>').optional() }).strict().openapi('ApproveRun');

export const summaryQuery = z.object({
  fiscal_year: yearText,
  format: z.enum(['json', 'csv', 'xlsx']).optional(),
}).strict();

export const forecastsQuery = z.object({
  fiscal_year: yearText.openapi({ param: { name: 'fiscal_year', in: 'query' }, example: '2025' }),
}).strict();

const dateText = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
export const alertsQuery = z.object({ since: dateText.optional() }).strict();

export const auditQuery = z.object({
  since: dateText.optional(),
  kind: z.enum(AUDIT_KINDS).optional(),
  limit: z.string().regex(/^[1-9]\d{0,3}$/, 'a whole number 1-1000').refine((v) => Number(v) <= 1000, 'at most 1000').optional(),
}).strict();

export const signInBody = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
}).strict().openapi('SignIn');

export const usernameParams = z.object({
  username: z.string().regex(USERNAME_PATTERN, 'a username').openapi({ param: { name: 'username', in: 'path' } }),
}).strict();

export const addUserBody = z.object({
  username: z.string().max(64),
  roles: z.array(z.enum(ROLES)).min(1).max(5),
  unit: z.enum(UNIT_CODES).nullable().optional(),
  password: z.string().max(1024),
}).strict().openapi('AddUser');

export const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) }).openapi('Error');
