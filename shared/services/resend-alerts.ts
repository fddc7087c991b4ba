import type { AlertOutbox } from '../ports/alert-outbox.ts';
import type { AlertSender } from '../ports/alert-sender.ts';
import type { Clock } from './clock.ts';

export interface ResendOptions {
  /** Look back this far (default 7 days). */
  lookbackMs?: number;
  /** Leave alerts younger than this to their first send (default 15 minutes). */
  graceMs?: number;
}

/**
 * Send again every recent alert that still has an unpublished delivery: the safety net for a send
 * to the alert queue that failed or never happened after the alert was stored. The notifier skips
 * deliveries already published, so re-sending is harmless. Returns the alert ids sent.
 */
export async function resendUnsentAlerts(
  deps: { outbox: AlertOutbox; sender: AlertSender; clock: Clock }, options: ResendOptions = {},
): Promise<string[]> {
  const now = Date.parse(deps.clock.now());
  const since = new Date(now - (options.lookbackMs ?? 7 * 86_400_000)).toISOString();
  const cutoff = new Date(now - (options.graceMs ?? 15 * 60_000)).toISOString();
  const unsent: string[] = [];
  for await (const alert of deps.outbox.listAlerts({ since })) {
    if (alert.created_at > cutoff) continue;
    const found = await deps.outbox.getAlert(alert.alert_id);
    if (found?.deliveries.some((d) => !d.sent_at)) unsent.push(alert.alert_id);
  }
  if (unsent.length > 0) await deps.sender.send(unsent);
  return unsent;
}
