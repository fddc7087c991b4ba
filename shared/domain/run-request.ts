/**
 * A request for the run-request queue (functions/run-request): finance staff ask, through the API
 * or the CLI, for a period's run to be prepared or a run exported. `request_id` makes the request
 * idempotent: the same id is handled once, whatever the queue redelivers.
 *
 * Approval is never a queued request (issue 13, finding 5): a message on a queue carries whatever
 * `by` its sender wrote, so the API approves synchronously with the signed-in caller as the
 * approver, and the queue's schema has no `approve` at all.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';

const requestId = z.string().trim().min(1).max(100).regex(/^[A-Za-z0-9._:-]+$/, 'request_id: letters, digits, . _ : -');
const actor = z.string().trim().min(1).max(200);
const runId = z.string().trim().min(1).max(40);

export const runRequestSchema = z.discriminatedUnion('action', [
  z.object({ request_id: requestId, action: z.literal('prepare'), period: z.string().trim().min(1).max(20), by: actor }),
  z.object({ request_id: requestId, action: z.literal('export'), run_id: runId, by: actor.optional() }),
]);
export type RunRequest = z.infer<typeof runRequestSchema>;
export type RunAction = RunRequest['action'];

/** What a request asks, without its id: two requests with one id must have the same fingerprint. */
export function requestFingerprint(request: RunRequest): string {
  const { request_id: _id, ...rest } = request;
  const canonical = JSON.stringify(Object.keys(rest).sort().map((k) => [k, (rest as Record<string, unknown>)[k]]));
  return createHash('sha256').update(canonical).digest('hex');
}
