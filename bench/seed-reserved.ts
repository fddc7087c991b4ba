import { BatchWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awardToItem, envelopePk } from '../shared/adapters/dynamo/items.ts';
import type { DynamoLedger } from '../shared/adapters/dynamo/dynamo-ledger.ts';
import type { Award } from '../shared/domain/award.ts';
import { MEASURES } from '../shared/domain/catalog.ts';
import { setBudget } from '../shared/services/budget.ts';
import { systemClock } from '../shared/services/clock.ts';

/**
 * Bench fixture: `count` RESERVED awards across all 27 measures written straight into the table
 * (BatchWriteItem, streamed), and each envelope's figures set to match, so a run or a
 * reconciliation can be measured at scale without first paying for intake (benchmarked apart).
 */
export async function seedReservedAwards(doc: DynamoDBDocumentClient, ledger: DynamoLedger, tableName: string, count: number): Promise<void> {
  for (const m of MEASURES) await setBudget(ledger, systemClock, { measure: m.number, fiscal_year: 2025, amount_fen: 1e13, by: 'bench' });
  const sums = new Map<number, number>();
  const now = new Date().toISOString();
  const flush = async (chunk: Award[]) => {
    let items = chunk.map((a) => ({ PutRequest: { Item: awardToItem(a) } }));
    while (items.length > 0) {
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: items } }));
      items = (out.UnprocessedItems?.[tableName] ?? []) as typeof items;
    }
  };
  let batch: Award[] = [];
  const pending: Promise<void>[] = [];
  for (let n = 1; n <= count; n++) {
    const m = MEASURES[n % MEASURES.length]!;
    const amount = 100_000 + (n % 997) * 100;
    sums.set(m.number, (sums.get(m.number) ?? 0) + amount);
    batch.push({
      award_id: `B-${String(n).padStart(7, '0')}`, measure: m.number, recipient_name: `宁波奉化精工智造有限公司${n}`, recipient_uscc: '91330213000000001C',
      amount_fen: amount, qualifying_date: '2025-03-01', approved_date: `2025-04-${String((n % 28) + 1).padStart(2, '0')}`,
      approving_unit: m.units[n % m.units.length]!, payee_bank: '中国银行宁波奉化支行', payee_account: `62170000${String(n).padStart(8, '0')}`,
      fiscal_year: 2025, status: 'RESERVED',
      trace: [
        { rule: 'KNOWN_MEASURE', ok: true, detail: `measure ${m.number} (section ${m.section}): ${m.titleZh}` },
        { rule: 'UNIT_RESPONSIBLE', ok: true, detail: `${m.units[0]} is responsible for measure ${m.number}` },
        { rule: 'IN_WINDOW', ok: true, detail: 'qualifying_date 2025-03-01 within 2024-01-01..2026-12-31 (default window of 奉政办发〔2025〕2号)' },
      ],
      content_hash: 'bench', submission_id: 'bench', line: n + 1, intake_outcome: 'RESERVED', created_at: now, updated_at: now,
      history: [{ at: now, status: 'RESERVED' }],
    });
    if (batch.length === 25) {
      pending.push(flush(batch));
      batch = [];
      if (pending.length >= 8) await Promise.all(pending.splice(0));
    }
  }
  if (batch.length > 0) pending.push(flush(batch));
  await Promise.all(pending);
  for (const [measure, sum] of sums) {
    await doc.send(new UpdateCommand({
      TableName: tableName, Key: { pk: envelopePk({ measure, fiscal_year: 2025 }), sk: 'ENV' },
      UpdateExpression: 'SET reserved_fen = reserved_fen + :s, available_fen = available_fen - :s ADD version :one',
      ExpressionAttributeValues: { ':s': sum, ':one': 1 },
    }));
  }
}
