import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { freshTable, type TestTable } from '../support/dynamo.ts';
import { ledgerOn, tickingClock } from '../support/records.ts';
import { budget } from '../support/runs.ts';
import { DEMO_HOLDS, demoHolds } from '../../cli/demo/demo-holds.ts';
import { alertOutboxOf } from '../../cli/alert-events.ts';
import { DeadLetterStore } from '../../cli/local/dead-letters.ts';
import type { Output } from '../../cli/output.ts';
import type { Runtime } from '../../cli/runtime.ts';
import type { Alert } from '../../shared/domain/alert.ts';
import { listHolds } from '../../shared/services/holds.ts';

process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';

let table: TestTable;
let runtime: Runtime;
const lines: string[] = [];
const out: Output = { json: false, result: () => {}, info: (line) => lines.push(line) };

beforeAll(async () => {
  table = await freshTable();
  const ledger = ledgerOn(table);
  const clock = tickingClock(Date.parse('2025-07-01T02:00:00Z'));
  runtime = {
    ledger, doc: table.doc, tableName: table.tableName, clock, deadLetters: new DeadLetterStore(table.doc, table.tableName),
    location: { mode: 'external', tableName: table.tableName }, close: async () => {},
  };
  await budget(ledger, clock, 8, 2025, 3_000_000);
  await budget(ledger, clock, 14, 2025, 3_000_000);
});
afterAll(async () => { await table.drop(); });

describe('demoHolds (issue 14: the demo shows one of each hold)', () => {
  test('leaves one HELD award of each reason, the credit hold from a restriction loaded through the credit service', async () => {
    const shown = await demoHolds(runtime, out);

    const held = await listHolds(runtime.ledger);
    expect(Object.fromEntries(held.map((a) => [a.hold!.reason, a.award_id]))).toEqual(DEMO_HOLDS);
    expect(shown.map((a) => a.award_id).sort()).toEqual(Object.values(DEMO_HOLDS).sort());
    expect((await runtime.ledger.controls.listRestrictions()).map((r) => r.recipient_uscc)).toEqual([held.find((a) => a.hold!.reason === 'CREDIT_RESTRICTED')!.recipient_uscc]);
    // The awards they repeat are live and keep their money; a held award commits none.
    for (const id of ['FH2025-H00002', 'FH2025-H00004']) expect((await runtime.ledger.getAward(id))!.status).toBe('RESERVED');
    expect(await runtime.ledger.getEnvelope({ measure: 14, fiscal_year: 2025 })).toMatchObject({ reserved_fen: 5_000_000, held_count: 2, held_fen: 0 });
    // Each hold raised its HOLD alert.
    const alerts: Alert[] = [];
    for await (const a of alertOutboxOf(runtime).listAlerts({})) alerts.push(a);
    expect(alerts.filter((a) => a.kind === 'HOLD')).toHaveLength(3);
    const text = lines.join('\n');
    for (const reason of Object.keys(DEMO_HOLDS)) expect(text).toContain(reason);
    expect(text).toContain('3 held for a person to decide');
  });
});
