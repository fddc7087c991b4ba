import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Counts the write capacity units DynamoDB reports for every call of a client: it asks each
 * request for ReturnConsumedCapacity=TOTAL and adds up what comes back. Bench-only instrument.
 */
export class CapacityMeter {
  writeUnits = 0;
  readUnits = 0;
  calls = 0;
  /** Calls per operation, e.g. { TransactWriteItemsCommand: 120 }. */
  byCommand: Record<string, number> = {};

  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = String((context as { commandName?: string }).commandName);
        this.byCommand[name] = (this.byCommand[name] ?? 0) + 1;
        const input = args.input as Record<string, unknown>;
        input['ReturnConsumedCapacity'] = 'TOTAL';
        this.calls++;
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
        for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
          const cap = c as { WriteCapacityUnits?: number; ReadCapacityUnits?: number };
          this.writeUnits += cap.WriteCapacityUnits ?? 0;
          this.readUnits += cap.ReadCapacityUnits ?? 0;
        }
        return result;
      },
      { step: 'initialize', name: 'bursarCapacityMeter' },
    );
  }

  reset(): void {
    this.writeUnits = 0;
    this.readUnits = 0;
    this.calls = 0;
    this.byCommand = {};
  }
}
