import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  ControlTotals, checkBatchSize, checkRunId, compareBatches, cutoffDate, runIdFor, seriesOf, slotOf,
} from '../../../shared/domain/run-batching.ts';

describe('run naming and cut-off', () => {
  test('the run id is derived from the period', () => {
    expect(runIdFor('2025-04')).toBe('RUN-2025-04');
    expect(() => runIdFor('2025-4')).toThrow(expect.objectContaining({ code: 'BAD_PERIOD' }));
    expect(checkRunId('RUN-2025-12')).toBe('RUN-2025-12');
    for (const bad of ['RUN-2025-13', 'RUN-25-04', 'run-2025-04', 'RUN-2025-04-M07', '../RUN-2025-04']) {
      expect(() => checkRunId(bad)).toThrow(expect.objectContaining({ code: 'BAD_RUN_ID' }));
    }
  });

  test('the cut-off is the last calendar day of the period', () => {
    expect(cutoffDate('2024-02')).toBe('2024-02-29');
    expect(cutoffDate('2025-02')).toBe('2025-02-28');
    expect(cutoffDate('2025-12')).toBe('2025-12-31');
  });

  test('batch size is a setting between 1 and 10,000', () => {
    expect(checkBatchSize(500)).toBe(500);
    for (const bad of [0, -1, 1.5, 10_001]) expect(() => checkBatchSize(bad)).toThrow(expect.objectContaining({ code: 'BAD_BATCH_SIZE' }));
  });
});

describe('batching', () => {
  test('payment n of a series goes to batch ⌈n/size⌉ at sequence ((n−1) mod size)+1', () => {
    expect(seriesOf(7, 'EITB')).toBe('M07-EITB');
    expect(slotOf('RUN-2025-04', 'M07-EITB', 1, 500)).toEqual({ batch_id: 'RUN-2025-04-M07-EITB-001', seq: 1 });
    expect(slotOf('RUN-2025-04', 'M07-EITB', 500, 500)).toEqual({ batch_id: 'RUN-2025-04-M07-EITB-001', seq: 500 });
    expect(slotOf('RUN-2025-04', 'M07-EITB', 501, 500)).toEqual({ batch_id: 'RUN-2025-04-M07-EITB-002', seq: 1 });
  });

  test('property: slots are distinct, no batch exceeds the size, and batches fill in order', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 400 }), (size, count) => {
      const slots = Array.from({ length: count }, (_, i) => slotOf('RUN-2025-04', 'M01-EITB', i + 1, size));
      expect(new Set(slots.map((s) => `${s.batch_id}#${s.seq}`)).size).toBe(count);
      const perBatch = new Map<string, number>();
      for (const s of slots) perBatch.set(s.batch_id, (perBatch.get(s.batch_id) ?? 0) + 1);
      expect(Math.max(...perBatch.values())).toBeLessThanOrEqual(size);
      expect(perBatch.size).toBe(Math.ceil(count / size));
      // Only the last batch may be short.
      const counts = [...perBatch.values()];
      expect(counts.slice(0, -1).every((c) => c === size)).toBe(true);
    }));
  });

  test('control totals add up per batch; batches sort by measure, unit, then batch number past 999', () => {
    const totals = new ControlTotals();
    totals.add({ batch_id: 'RUN-2025-04-M07-EITB-1000', measure: 7, unit: 'EITB', amount_fen: 5 });
    totals.add({ batch_id: 'RUN-2025-04-M07-EITB-999', measure: 7, unit: 'EITB', amount_fen: 7 });
    totals.add({ batch_id: 'RUN-2025-04-M07-EITB-999', measure: 7, unit: 'EITB', amount_fen: 8 });
    totals.add({ batch_id: 'RUN-2025-04-M07-IPC-001', measure: 7, unit: 'IPC', amount_fen: 1 });
    totals.add({ batch_id: 'RUN-2025-04-M03-NRPB-001', measure: 3, unit: 'NRPB', amount_fen: 2 });
    expect(totals.batches().map((b) => [b.batch_id.slice(12), b.count, b.total_fen])).toEqual([
      ['M03-NRPB-001', 1, 2], ['M07-EITB-999', 2, 15], ['M07-EITB-1000', 1, 5], ['M07-IPC-001', 1, 1],
    ]);
    expect([totals.count, totals.total_fen]).toEqual([5, 23]);
    expect(compareBatches({ batch_id: 'x-002', measure: 1, unit: 'A' }, { batch_id: 'x-010', measure: 1, unit: 'A' })).toBeLessThan(0);
  });
});
