import { DynamoAlertOutbox } from '../shared/adapters/dynamo/dynamo-alert-outbox.ts';
import { envelopeLabel } from '../shared/domain/envelope.ts';
import { createBudgetAlerts } from '../shared/services/budget-alerts.ts';
import type { EnvelopeEvents } from '../shared/ports/envelope-events.ts';
import type { Runtime } from './runtime.ts';

/** The alert outbox on the CLI's store. */
export function alertOutboxOf(runtime: Runtime): DynamoAlertOutbox {
  return new DynamoAlertOutbox(runtime.doc, runtime.tableName, { maxTransactionItems: runtime.ledger.maxTransactionItems });
}

/**
 * Budget alerts for the CLI (`budget set`, `awards submit`, `awards cancel`). Locally there is no
 * queue or topic: alerts land in the outbox, and `bursar alerts list` shows them. An alert that
 * cannot be evaluated is reported on stderr and does not fail the command: the money change it
 * follows is already committed, and the next change (or `bursar reconcile`) evaluates it again.
 */
export const alertEvents = (runtime: Runtime): EnvelopeEvents => createBudgetAlerts({
  outbox: alertOutboxOf(runtime),
  clock: runtime.clock,
  onError: (error, context) => {
    process.stderr.write(`bursar: budget alerts for ${envelopeLabel(context.key)} not evaluated: ${error instanceof Error ? error.message : String(error)}\n`);
  },
});
