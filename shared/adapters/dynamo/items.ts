import type { Award, AwardStatus } from '../../domain/award.ts';
import type { Envelope, EnvelopeKey } from '../../domain/envelope.ts';
import { queueOrderKey } from '../../domain/reservation-plan.ts';
import type { Scheme } from '../../domain/scheme.ts';
import type { QueueEntry } from '../../ports/ledger.ts';

/** Key builders and item <-> domain mapping for the single table (layout in table-schema.ts). */
const pad = (n: number, width: number) => String(n).padStart(width, '0');

export const envelopePk = (k: EnvelopeKey) => `ENV#${k.fiscal_year}#${pad(k.measure, 3)}`;
export const ENVELOPE_SK = 'ENV';
export const QUEUE_PREFIX = 'Q#';
export const AUDIT_PREFIX = 'AUDIT#';
export const awardPk = (awardId: string) => `AWARD#${awardId}`;
export const AWARD_SK = 'AWARD';
export const schemePk = (schemeId: string) => `SCHEME#${schemeId}`;
export const SCHEME_SK = 'SCHEME';
export const intakePk = (submissionId: string) => `INTAKE#${submissionId}`;

/** GSI1: awards by status and envelope, in queue order. */
export const awardStatusPk = (status: AwardStatus, k: EnvelopeKey) => `AWST#${status}#${k.fiscal_year}#${pad(k.measure, 3)}`;
/** GSI2 partitions listing the few envelopes and schemes. */
export const ENVELOPE_LIST_PK = 'ENVELOPES';
export const envelopeListSk = (k: EnvelopeKey) => `${k.fiscal_year}#${pad(k.measure, 3)}`;
export const SCHEME_LIST_PK = 'SCHEMES';

export type Item = Record<string, unknown>;

export function awardToItem(award: Award): Item {
  return {
    pk: awardPk(award.award_id),
    sk: AWARD_SK,
    type: 'AWARD',
    ...award,
    gsi1pk: awardStatusPk(award.status, award),
    gsi1sk: queueOrderKey(award),
  };
}

export function itemToAward(item: Item): Award {
  const { pk: _pk, sk: _sk, type: _type, gsi1pk: _g1, gsi1sk: _g1s, ...rest } = item;
  return rest as unknown as Award;
}

export const queueSk = (e: Pick<QueueEntry, 'approved_date' | 'award_id'>) => `${QUEUE_PREFIX}${queueOrderKey(e)}`;

export function queueItem(key: EnvelopeKey, award: Award): Item {
  return {
    pk: envelopePk(key),
    sk: queueSk(award),
    type: 'QUEUE',
    award_id: award.award_id,
    approved_date: award.approved_date,
    amount_fen: award.amount_fen,
  };
}

export function itemToQueueEntry(item: Item): QueueEntry {
  return {
    award_id: String(item.award_id),
    approved_date: String(item.approved_date),
    amount_fen: Number(item.amount_fen),
  };
}

export function itemToEnvelope(item: Item): Envelope {
  const num = (name: string) => Number(item[name] ?? 0);
  return {
    measure: num('measure'),
    fiscal_year: num('fiscal_year'),
    budget_set: item.budget_set === true,
    budget_fen: num('budget_fen'),
    reserved_fen: num('reserved_fen'),
    batched_fen: num('batched_fen'),
    paid_fen: num('paid_fen'),
    returned_fen: num('returned_fen'),
    available_fen: num('available_fen'),
    waitlisted_fen: num('waitlisted_fen'),
    waitlisted_count: num('waitlisted_count'),
    held_fen: num('held_fen'),
    held_count: num('held_count'),
    ...(item.enterprise_cap_fen !== undefined ? { enterprise_cap_fen: num('enterprise_cap_fen') } : {}),
    alert_at: Array.isArray(item.alert_at) ? (item.alert_at as unknown[]).map(Number) : [],
    version: num('version'),
    queue_seq: num('queue_seq'),
    updated_at: String(item.updated_at ?? ''),
    status: item.status === 'CLOSED' ? 'CLOSED' : 'OPEN',
    carried_in_fen: num('carried_in_fen'),
    carried_out_fen: num('carried_out_fen'),
    lapsed_fen: num('lapsed_fen'),
    recovered_fen: num('recovered_fen'),
    refunded_fen: num('refunded_fen'),
  };
}

export function schemeToItem(scheme: Scheme): Item {
  return { pk: schemePk(scheme.scheme_id), sk: SCHEME_SK, type: 'SCHEME', ...scheme, gsi2pk: SCHEME_LIST_PK, gsi2sk: scheme.scheme_id };
}

export function itemToScheme(item: Item): Scheme {
  return {
    scheme_id: String(item.scheme_id),
    name: String(item.name),
    measures: (item.measures as unknown[]).map(Number),
    valid_from: String(item.valid_from),
    valid_to: String(item.valid_to),
    ...(item.enterprise_cap_fen !== undefined ? { enterprise_cap_fen: Number(item.enterprise_cap_fen) } : {}),
  };
}
