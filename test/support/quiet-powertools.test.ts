import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

describe('quiet Powertools in tests (test/support/quiet-powertools.ts)', () => {
  let written: string[];
  beforeEach(() => {
    written = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => { written.push(String(chunk)); return true; });
  });
  afterEach(() => { jest.restoreAllMocks(); });

  const verbose = Boolean(process.env['BURSAR_TEST_VERBOSE']);

  test('a Logger and Metrics built as the handlers build them print nothing (all of it with BURSAR_TEST_VERBOSE)', () => {
    const logger = new Logger({ serviceName: 'quiet-test' });
    logger.info('should not appear');
    const metrics = new Metrics({ namespace: 'QuietTest', serviceName: 'quiet-test' });
    metrics.addMetric('Things', MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
    const out = written.join('');
    if (verbose) {
      expect(out).toContain('should not appear');
      expect(out).toContain('"Things"');
    } else {
      expect(logger.getLevelName()).toBe('SILENT');
      expect(out).toBe('');
    }
  });

  test('the settings stay in this process: a spawned CLI is not handed them', () => {
    const inherited = { ...process.env };
    if (!verbose) expect(process.env['POWERTOOLS_LOG_LEVEL']).toBe('SILENT');
    expect(inherited['POWERTOOLS_LOG_LEVEL']).toBeUndefined();
    expect(inherited['POWERTOOLS_METRICS_DISABLED']).toBeUndefined();
  });
});
