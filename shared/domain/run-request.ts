/**
 * A request for the run-request queue (functions/run-request): finance staff ask, through the API
 * or the CLI, for a period's run to be prepared or a run exported. `request_id` makes the request
 * idempotent: the same id is handled once, whatever the queue redelivers. (The message's schema is
 * in queue-messages.ts.)
 *
 * Approval is never a queued request (issue 13, finding 5): a message on a queue carries whatever
 * `by` its sender wrote, so the API approves synchronously with the signed-in caller as the
 * approver, and the queue's schema has no `approve` at all.
 */
import { createHash } from 'node:crypto';
import type { RunRequest } from './queue-messages.ts';

/** What a request asks, without its id: two requests with one id must have the same fingerprint. */
export function requestFingerprint(request: RunRequest): string {
  const { request_id: _id, ...rest } = request;
  const canonical = JSON.stringify(Object.keys(rest).sort().map((k) => [k, (rest as Record<string, unknown>)[k]]));
  return createHash('sha256').update(canonical).digest('hex');
}
