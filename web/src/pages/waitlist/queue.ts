import type { Award } from '../../api/types.ts';
import { byQueueOrder } from '../../../../shared/domain/reservation-plan.ts';

export interface QueueRow { position: number; award: Award; running: bigint; extra: bigint }

/**
 * The waiting awards in the order the envelope serves them (the store's own queue order: approval
 * date, then award id), with the running total and, for each, how much more budget than is
 * available now would serve the queue down to it (the queue is served strictly from its head).
 */
export function queueRows(awards: readonly Award[], availableFen: number): QueueRow[] {
  const sorted = [...awards].sort(byQueueOrder);
  let running = 0n;
  const available = BigInt(availableFen);
  return sorted.map((award, i) => {
    running += BigInt(award.amount_fen);
    return { position: i + 1, award, running, extra: running > available ? running - available : 0n };
  });
}
