/**
 * Who may put a message on the run-request queue (issue 13, finding 5). SQS stamps every message
 * with the sender's `SenderId`: for a role session (a Lambda function) it is `<role unique id>:<session
 * name>`, e.g. `AROAEXAMPLE123:bursar-api`; for an IAM user the user's unique id. The queue policy
 * already denies every other principal; the handler checks again, so a message that got onto the
 * queue some other way (a policy edit, a redrive) is never acted on.
 */
export function isAllowedSender(senderId: string | undefined, allowed: readonly string[]): boolean {
  if (!senderId) return false;
  const principal = senderId.split(':', 1)[0]!;
  return allowed.some((id) => id !== '' && (senderId === id || principal === id));
}

/** `BURSAR_RUN_REQUEST_SENDERS`: comma-separated unique ids (`AROA…` of the API function's role). */
export function parseAllowedSenders(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}
