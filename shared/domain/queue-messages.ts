/**
 * The bodies of Bursar's three queues, in one place: what the producers send and the consumers
 * parse (every consumer parses with these schemas before acting).
 */
import * as z from 'zod';

// ---- intake queue (functions/intake): one record of an approved-award file per message ----------

/** The body of one intake message: a record of an approved-award file, as text, with its origin. */
export const intakeRequestSchema = z.object({
  submission_id: z.string().min(1).max(100),
  line: z.number().int().positive(),
  record: z.record(z.string(), z.string()),
});
export type IntakeRequest = z.infer<typeof intakeRequestSchema>;

// ---- run-request queue (functions/run-request): prepare or export a run (never approve) --------

const requestId = z.string().trim().min(1).max(100).regex(/^[A-Za-z0-9._:-]+$/, 'request_id: letters, digits, . _ : -');
const actor = z.string().trim().min(1).max(200);
const runId = z.string().trim().min(1).max(40);

export const runRequestSchema = z.discriminatedUnion('action', [
  z.object({ request_id: requestId, action: z.literal('prepare'), period: z.string().trim().min(1).max(20), by: actor }),
  z.object({ request_id: requestId, action: z.literal('export'), run_id: runId, by: actor.optional() }),
]);
export type RunRequest = z.infer<typeof runRequestSchema>;
export type RunAction = RunRequest['action'];

// ---- alert queue (functions/notifier): an alert whose deliveries are due -----------------------

/** The body of an alert queue message: only the id; the notifier reads the alert from the outbox. */
export const alertQueueMessageSchema = z.object({ alert_id: z.string().min(1).max(200) });
export type AlertQueueMessage = z.infer<typeof alertQueueMessageSchema>;
