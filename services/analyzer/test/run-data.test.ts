// Stored results as the analyzer reads them: the generator's own lateness, from new results and from older ones that
// had one `saturated` flag for both causes.
import { describe, expect, it } from 'vitest';
import { toRunData } from '../src/run-data.js';

const stored = (result: Record<string, unknown>) => ({
  testId: '00000000-0000-4000-8000-000000000001',
  testName: 't',
  kind: 'burst',
  status: 'completed',
  startedAt: 1_000,
  finishedAt: 11_000,
  passed: true,
  result: {
    durationSeconds: 10,
    intendedRatePerSecond: 1000,
    achievedRatePerSecond: 1000,
    intended: 10_000,
    acknowledged: 10_000,
    sent: 10_000,
    ...result,
  },
});

describe('toRunData', () => {
  it('reads an older result: saturated and late as they were stored', () => {
    const run = toRunData(stored({ late: 700, saturated: true, saturatedAtSeconds: 3 }), []);
    expect(run).toMatchObject({ saturated: true, saturatedAtSeconds: 3, late: 700 });
  });

  it('a target-limited run (late only at the in-flight cap) is not the generator’s lateness', () => {
    const run = toRunData(
      stored({ late: 5000, generatorLate: 0, generatorLimited: false, generatorLimitedAtSeconds: null }),
      [],
    );
    expect(run).toMatchObject({ saturated: false, saturatedAtSeconds: null, late: 0 });
  });

  it('a generator-limited run keeps its own late count and when it began', () => {
    const run = toRunData(
      stored({ late: 5000, generatorLate: 300, generatorLimited: true, generatorLimitedAtSeconds: 2.5 }),
      [],
    );
    expect(run).toMatchObject({ saturated: true, saturatedAtSeconds: 2.5, late: 300 });
  });
});
