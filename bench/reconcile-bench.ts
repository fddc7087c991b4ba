/**
 * How fast `reconcile` reads the whole table, and how much memory it holds, on DynamoDB Local.
 *
 *   npx tsx bench/reconcile-bench.ts [awards=20000,50000] [segments=1,4,8]
 *
 * Seeds full-size award items (record, rule trace, history) across 27 measures × 2 fiscal years by
 * BatchWriteItem, with consistent envelopes and waitlist entries, then times checkLedger per segment
 * count. Prints one JSON line per measurement.
 */
import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import '../cli/node-warnings.ts';
import { createDynamoClients } from '../shared/adapters/dynamo/client.ts';
import { DynamoLedger } from '../shared/adapters/dynamo/dynamo-ledger.ts';
import { DynamoReconciliationStore } from '../shared/adapters/dynamo/dynamo-reconciliation-store.ts';
import { ENVELOPE_LIST_PK, ENVELOPE_SK, awardToItem, envelopeListSk, envelopePk, queueItem, type Item } from '../shared/adapters/dynamo/items.ts';
import { ensureTable, startDynamoLocal } from '../cli/local/dynamo-local.ts';
import { MEASURES } from '../shared/domain/catalog.ts';
import type { Award, AwardStatus } from '../shared/domain/award.ts';
import { checkLedger } from '../shared/services/reconcile.ts';
import { systemClock } from '../shared/services/clock.ts';

const sizes = (process.argv[2] ?? '20000,50000').split(',').map(Number);
const segmentCounts = (process.argv[3] ?? '1,4,8').split(',').map(Number);

const STATUSES: AwardStatus[] = ['RESERVED', 'RESERVED', 'RESERVED', 'RESERVED', 'RESERVED', 'RESERVED', 'WAITLISTED', 'REJECTED', 'CANCELLED', 'RESERVED'];

function award(n: number): Award {
  const m = MEASURES[n % MEASURES.length]!;
  const fy = n % 2 === 0 ? 2025 : 2024;
  const status = STATUSES[n % STATUSES.length]!;
  const at = '2025-05-01T00:00:00.000Z';
  return {
    award_id: `B-${String(n).padStart(7, '0')}`, measure: m.number, recipient_name: `宁波奉化精工智造有限公司${n}`, recipient_uscc: '91330213MA2CXXXX0X',
    amount_fen: 100_000 + (n % 997) * 100, qualifying_date: `${fy}-03-01`, approved_date: `${fy}-04-${String(1 + (n % 28)).padStart(2, '0')}`,
    approving_unit: m.units[0]!, payee_bank: '中国银行宁波奉化支行', payee_account: `6217000${String(n).padStart(10, '0')}`,
    fiscal_year: fy, status, ...(status === 'WAITLISTED' ? { reason: 'BUDGET_EXHAUSTED' } : {}),
    trace: [
      { rule: 'MEASURE_KNOWN', ok: true, detail: `measure ${m.number} is in the catalog` },
      { rule: 'UNIT_RESPONSIBLE', ok: true, detail: `${m.units[0]} is responsible for measure ${m.number}` },
      { rule: 'WINDOW', ok: true, detail: 'qualifying date within 2024-01-01..2026-12-31' },
    ] as never,
    content_hash: 'x'.repeat(64), submission_id: 'bench', line: n + 2, intake_outcome: status === 'WAITLISTED' ? 'WAITLISTED' : 'RESERVED',
    created_at: at, updated_at: at, history: [{ at, status }],
  };
}

async function main(): Promise<void> {
  const local = await startDynamoLocal({ inMemory: true });
  const { doc } = createDynamoClients({ endpoint: local.endpoint });
  const { client } = createDynamoClients({ endpoint: local.endpoint });
  try {
    for (const size of sizes) {
      const tableName = `reconcile-bench-${size}`;
      await ensureTable(client, tableName);
      const started = Date.now();
      const envelopes = new Map<string, { measure: number; fiscal_year: number; reserved: number; waitlisted: number; count: number }>();
      let batch: Item[] = [];
      const flush = async () => {
        let items = batch.map((Item) => ({ PutRequest: { Item } }));
        batch = [];
        while (items.length > 0) {
          const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: items } }));
          items = (out.UnprocessedItems?.[tableName] ?? []) as typeof items;
        }
      };
      const pending: Promise<void>[] = [];
      for (let n = 0; n < size; n++) {
        const a = award(n);
        const key = `${a.fiscal_year}#${a.measure}`;
        const e = envelopes.get(key) ?? { measure: a.measure, fiscal_year: a.fiscal_year, reserved: 0, waitlisted: 0, count: 0 };
        if (a.status === 'RESERVED') e.reserved += a.amount_fen;
        if (a.status === 'WAITLISTED') { e.waitlisted += a.amount_fen; e.count += 1; }
        envelopes.set(key, e);
        batch.push(awardToItem(a));
        if (a.status === 'WAITLISTED') batch.push(queueItem(a, a));
        if (batch.length >= 24) {
          pending.push(flush());
          if (pending.length >= 8) await Promise.all(pending.splice(0));
        }
      }
      pending.push(flush());
      await Promise.all(pending);
      for (const e of envelopes.values()) {
        const budget = e.reserved; // fully committed, so no waitlist head is affordable
        await doc.send(new PutCommand({
          TableName: tableName,
          Item: {
            pk: envelopePk(e), sk: ENVELOPE_SK, type: 'ENVELOPE', measure: e.measure, fiscal_year: e.fiscal_year, budget_set: true,
            budget_fen: budget, reserved_fen: e.reserved, batched_fen: 0, paid_fen: 0, available_fen: 0,
            waitlisted_fen: e.waitlisted, waitlisted_count: e.count, alert_at: [80, 90, 100], version: 1, queue_seq: e.count,
            updated_at: '2025-05-01T00:00:00.000Z', gsi2pk: ENVELOPE_LIST_PK, gsi2sk: envelopeListSk(e),
          },
        }));
      }
      const seedMs = Date.now() - started;
      const ledger = new DynamoLedger(doc, tableName, { maxTransactionItems: 10 });
      const store = new DynamoReconciliationStore(doc, tableName);
      for (const segments of segmentCounts) {
        global.gc?.();
        const heapBefore = process.memoryUsage().heapUsed;
        let peak = heapBefore;
        const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().heapUsed); }, 20);
        const t0 = Date.now();
        const { report } = await checkLedger({ ledger, store, clock: systemClock }, { segments });
        const ms = Date.now() - t0;
        clearInterval(sampler);
        console.log(JSON.stringify({
          awards: size, segments, clean: report.clean, checked_awards: report.checked_awards, checked_envelopes: report.checked_envelopes,
          ms, awards_per_s: Math.round(size / (ms / 1000)), seed_ms: seedMs, heap_growth_mb: Math.round((peak - heapBefore) / 1e5) / 10,
          mismatches: report.mismatches.length, stuck: report.stuck.length,
        }));
      }
    }
  } finally {
    doc.destroy();
    client.destroy();
    await local.stop();
  }
}

await main();
