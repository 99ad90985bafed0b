// The generator's line in reports: new results say which cause made events late; older ones only `saturated`.
import { describe, expect, it } from 'vitest';
import { generatorSummary, type ResultBody } from '../src/load-test-client.js';

/** Only the fields generatorSummary reads (older results lack the rest). */
const body = (fields: Record<string, unknown>) => fields as unknown as ResultBody;

describe('generatorSummary', () => {
  it('reads an older result by its saturated flag', () => {
    expect(generatorSummary(body({ saturated: true, saturatedAtSeconds: 12 }))).toContain(
      'fell behind its schedule at 12.0 s',
    );
    expect(generatorSummary(body({ saturated: false }))).toContain('kept its schedule');
  });

  it('names a target-limited run as such, with the generator’s CPU per event', () => {
    const text = generatorSummary(
      body({
        generatorLimited: false,
        generatorLimitedAtSeconds: null,
        targetLimitedAtSeconds: 4.5,
        generator: { cost: { cpuMicrosPerEvent: 11.25 } },
      }),
    );
    expect(text).toBe(
      'the generator kept its schedule; target-limited from 4.5 s (events waited at the in-flight cap; counted in corrected latency); generator CPU 11.3 µs per event',
    );
  });

  it('says a generator-limited run measures the generator', () => {
    const text = generatorSummary(
      body({ generatorLimited: true, generatorLimitedAtSeconds: 2, generator: { cost: null } }),
    );
    expect(text).toBe('generator-limited from 2.0 s: the run measures the generator (invalid)');
  });
});
