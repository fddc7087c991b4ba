import { createHash } from 'node:crypto';
import { AWARD_COLUMNS, type AwardRecord } from './award.ts';
import { normaliseProjectRef } from './project-ref.ts';

/**
 * A fingerprint of an award's meaning, not its spelling: it is taken over the parsed record, so
 * "100" and "100.00", or a unit's code and its Chinese name, are the same award. Equal fingerprints
 * make a resubmission a DUPLICATE; different ones under the same award_id make it a CONFLICT.
 */
export function awardContentHash(record: AwardRecord): string {
  const canonical: (string | number)[] = AWARD_COLUMNS.filter((c) => c !== 'project_ref').map((column) => {
    if (column === 'amount_yuan') return record.amount_fen;
    return record[column as Exclude<typeof column, 'amount_yuan' | 'project_ref'>] ?? '';
  });
  // Added later and optional: only an award that has one hashes it, so earlier awards keep their hash.
  if (record.project_ref !== undefined) canonical.push(normaliseProjectRef(record.project_ref));
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url').slice(0, 32);
}
