/**
 * The enterprise controls record (issue 14): pk ENT#<uscc>, sk CONTROLS. Attributes `g:<guard>` are
 * string sets of live award ids, `t:<scope>` running totals in fen. Credit restrictions live in the
 * same partition (sk CREDIT#<list>#<from>), so one query reads all an intake needs of an enterprise.
 */
import type { Award } from '../../domain/award.ts';
import type { CreditRestriction } from '../../domain/credit-restriction.ts';
import { controlledFrom, controlledKeys, type EnterpriseControls, type EnterpriseGate } from '../../domain/enterprise-controls.ts';
import type { TxItem } from './transaction.ts';
import type { Item } from './items.ts';

export const enterprisePk = (uscc: string) => `ENT#${uscc}`;
export const CONTROLS_SK = 'CONTROLS';
export const CREDIT_PREFIX = 'CREDIT#';
export const creditSk = (r: Pick<CreditRestriction, 'list_name' | 'restricted_from'>) => `${CREDIT_PREFIX}${r.list_name}#${r.restricted_from}`;
export const CREDIT_LIST_PK = 'CREDITS';

const G = 'g:';
const T = 't:';

/** Count an award in its enterprise's record, re-checking the gate (guards empty, totals within room). */
export function enterpriseCountItem(tableName: string, award: Award, gate: EnterpriseGate): TxItem {
  const { guards, scopes } = controlledKeys(controlledFrom(award));
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':id': new Set([award.award_id]), ':amt': award.amount_fen, ':u': award.recipient_uscc, ':type': 'ENTERPRISE' };
  const adds: string[] = [];
  guards.forEach((g, i) => { names[`#g${i}`] = G + g; adds.push(`#g${i} :id`); });
  scopes.forEach((s, i) => { names[`#t${i}`] = T + s; adds.push(`#t${i} :amt`); });
  const conditions: string[] = [];
  gate.emptyGuards.forEach((g, i) => { names[`#e${i}`] = G + g; conditions.push(`attribute_not_exists(#e${i})`); });
  gate.caps.forEach((c, i) => {
    names[`#c${i}`] = T + c.scope;
    values[`:r${i}`] = c.room_fen;
    conditions.push(`(attribute_not_exists(#c${i}) OR #c${i} <= :r${i})`);
  });
  return {
    Update: {
      TableName: tableName,
      Key: { pk: enterprisePk(award.recipient_uscc), sk: CONTROLS_SK },
      ...(conditions.length > 0 ? { ConditionExpression: conditions.join(' AND ') } : {}),
      UpdateExpression: `SET uscc = :u, #type = :type ADD ${adds.join(', ')}`,
      ExpressionAttributeNames: { ...names, '#type': 'type' },
      ExpressionAttributeValues: values,
    },
  };
}

/** Take an award that stops being live (cancelled, rejected) out of its enterprise's record: its room is freed. */
export function enterpriseReleaseItem(tableName: string, award: Award): TxItem {
  const { guards, scopes } = controlledKeys(controlledFrom(award));
  const names: Record<string, string> = {};
  guards.forEach((g, i) => { names[`#g${i}`] = G + g; });
  scopes.forEach((s, i) => { names[`#t${i}`] = T + s; });
  return {
    Update: {
      TableName: tableName,
      Key: { pk: enterprisePk(award.recipient_uscc), sk: CONTROLS_SK },
      ConditionExpression: 'attribute_exists(pk)',
      UpdateExpression: `ADD ${scopes.map((_, i) => `#t${i} :neg`).join(', ')} DELETE ${guards.map((_, i) => `#g${i} :id`).join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ':neg': -award.amount_fen, ':id': new Set([award.award_id]) },
    },
  };
}

export function itemsToControls(uscc: string, items: readonly Item[]): EnterpriseControls {
  const controls: EnterpriseControls = { uscc, guards: new Map(), totals: new Map(), restrictions: [] };
  for (const item of items) {
    if (item.sk === CONTROLS_SK) {
      for (const [name, value] of Object.entries(item)) {
        if (name.startsWith(G) && value instanceof Set) controls.guards.set(name.slice(G.length), [...value].map(String).sort());
        else if (name.startsWith(T)) controls.totals.set(name.slice(T.length), Number(value));
      }
    } else if (String(item.sk).startsWith(CREDIT_PREFIX)) {
      controls.restrictions.push(itemToRestriction(item));
    }
  }
  return controls;
}

export function restrictionToItem(r: CreditRestriction): Item {
  return {
    pk: enterprisePk(r.recipient_uscc), sk: creditSk(r), type: 'CREDIT', ...r,
    gsi2pk: CREDIT_LIST_PK, gsi2sk: `${r.recipient_uscc}#${r.list_name}#${r.restricted_from}`,
  };
}

export function itemToRestriction(item: Item): CreditRestriction {
  const { pk: _pk, sk: _sk, type: _t, gsi2pk: _g, gsi2sk: _gs, ...rest } = item;
  return rest as unknown as CreditRestriction;
}

/** An award that stops being live frees its enterprise's room and duplicate guards (only if it was counted). */
export function releaseControls(tableName: string, award: Award): { role: 'enterprise'; id: string; item: TxItem }[] {
  return award.controls_counted ? [{ role: 'enterprise', id: award.award_id, item: enterpriseReleaseItem(tableName, award) }] : [];
}
