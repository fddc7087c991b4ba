import type { AuditEntry, AuditKind, AuditLog, Principal } from '../ports/identity.ts';
import { backoff } from './backoff.ts';
import type { Clock } from './clock.ts';

/**
 * Writes an audit entry for an action just done, in the same request. The action and its entry are
 * two writes (the action's own services own its transaction); a failed append is retried, and if it
 * keeps failing the request fails loudly rather than pretend it was audited. The action's own
 * records (budget history, award history, run approvals) name the same signed-in user regardless.
 */
export async function recordAudit(log: AuditLog, clock: Clock, actor: Principal, kind: AuditKind, subject: string, detail: Record<string, unknown> = {}): Promise<AuditEntry> {
  const entry: AuditEntry = { at: clock.now(), actor: actor.id, kind, subject, detail: actor.id === actor.username ? detail : { ...detail, username: actor.username } };
  for (let attempt = 0; ; attempt++) {
    try {
      await log.append(entry);
      return entry;
    } catch (error) {
      if (attempt >= 4) throw error;
      await backoff(attempt + 1);
    }
  }
}
