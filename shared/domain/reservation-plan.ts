import type { Envelope } from './envelope.ts';
import type { WaitReason } from './award.ts';

export interface Pending {
  award_id: string;
  approved_date: string;
  amount_fen: number;
}

/** The waitlist's order: oldest approved_date first, ties by award_id. Also used as the queue sort key. */
export function queueOrderKey(p: Pick<Pending, 'approved_date' | 'award_id'>): string {
  return `${p.approved_date}#${p.award_id}`;
}

export function byQueueOrder<T extends Pick<Pending, 'approved_date' | 'award_id'>>(a: T, b: T): number {
  const ka = queueOrderKey(a);
  const kb = queueOrderKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export interface Plan<T extends Pending> {
  reserve: T[];
  waitlist: { award: T; reason: WaitReason }[];
}

/**
 * Decide, from one snapshot of an envelope, which of a group of new eligible awards to reserve and
 * which must wait. Awards are taken in queue order; the strict queue means that once one award must
 * wait (or any award already waits), every later one waits behind it even if it would fit. No award
 * is ever partly funded. The store re-checks the snapshot when it writes, so a stale plan fails safe.
 */
export function planReservation<T extends Pending>(envelope: Envelope | undefined, awards: readonly T[]): Plan<T> {
  const ordered = [...awards].sort(byQueueOrder);
  if (envelope === undefined || !envelope.budget_set) {
    return { reserve: [], waitlist: ordered.map((award) => ({ award, reason: 'NO_ENVELOPE' })) };
  }
  const reserve: T[] = [];
  const waitlist: Plan<T>['waitlist'] = [];
  let available = envelope.available_fen;
  let queueOpen = envelope.waitlisted_count > 0;
  for (const award of ordered) {
    if (!queueOpen && award.amount_fen <= available) {
      reserve.push(award);
      available -= award.amount_fen;
    } else {
      queueOpen = true;
      waitlist.push({ award, reason: 'BUDGET_EXHAUSTED' });
    }
  }
  return { reserve, waitlist };
}

/** The longest head of the queue that the available money covers, at most `limit` awards. */
export function affordableHead<T extends Pending>(available: number, head: readonly T[], limit: number): T[] {
  const taken: T[] = [];
  let left = available;
  for (const entry of head) {
    if (taken.length >= limit || entry.amount_fen > left) break;
    taken.push(entry);
    left -= entry.amount_fen;
  }
  return taken;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (size < 1) throw new RangeError('chunk size must be at least 1');
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
