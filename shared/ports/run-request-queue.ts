import type { RunRequest } from '../domain/queue-messages.ts';

/** Where run requests go: the run-request SQS queue in AWS. */
export interface RunRequestQueue {
  send(request: RunRequest): Promise<void>;
}
