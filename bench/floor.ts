import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The floor: plain PutItem calls per second on the same DynamoDB Local, with `concurrency` calls in
 * flight (the intake's own concurrency), items shaped and sized like award items. Every other
 * figure is reported as a ratio to this one, since absolute speed on shared machines drifts.
 */
export async function measurePutFloor(doc: DynamoDBDocumentClient, tableName: string, count: number, concurrency: number): Promise<number> {
  let next = 0;
  const filler = '宁波奉化精工机械有限公司'.repeat(3);
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await doc.send(new PutCommand({
        TableName: tableName,
        Item: {
          pk: `FLOOR#${i}`, sk: 'AWARD', type: 'FLOOR', award_id: `F-${i}`, recipient_name: filler, amount_fen: 100_000 + i,
          qualifying_date: '2025-03-01', approved_date: '2025-04-01', payee_bank: '中国银行宁波奉化支行', payee_account: '6217000000000000',
          gsi1pk: `FLOOR#${i % 27}`, gsi1sk: `2025-04-01#F-${i}`,
        },
      }));
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return count / seconds;
}
