// One status per result with its reason: invalid when the generator limited the run, failed on a missed threshold.
import { describe, expect, it } from 'vitest';
import { verdictOf, type VerdictInput } from '../src/verdict.js';

const base: VerdictInput = {
  generatorFailures: [],
  intended: 10_000,
  late: 0,
  generatorLate: 0,
  generatorDropped: 0,
  targetLimitedAtSeconds: null,
  maxScheduleLagMs: 3,
  thresholds: [{ name: 'p95Ms', limit: 200, actual: 50, passed: true, source: 'request' }],
};

describe('verdictOf', () => {
  it('passes a clean run', () => {
    expect(verdictOf(base)).toEqual({ status: 'passed', reason: 'all 1 thresholds met' });
  });

  it('keeps a target-limited run valid and says so', () => {
    const v = verdictOf({ ...base, late: 4000, generatorLate: 50, targetLimitedAtSeconds: 3.25 });
    expect(v.status).toBe('passed');
    expect(v.reason).toContain('target-limited from +3.3 s: 3950 events waited at the in-flight cap');
  });

  it('makes a run invalid past 1 % late or dropped by the generator, whatever its thresholds', () => {
    expect(verdictOf({ ...base, generatorLate: 100 }).status).toBe('passed');
    const v = verdictOf({ ...base, generatorLate: 80, generatorDropped: 21, maxScheduleLagMs: 42.5 });
    expect(v.status).toBe('invalid');
    expect(v.reason).toContain('101 of 10000 events (1.01 %)');
    expect(v.reason).toContain('largest lag 42.5 ms');
  });

  it('makes a run with a crashed generator thread invalid, with the crash as the reason', () => {
    expect(verdictOf({ ...base, generatorFailures: ['generator worker 0 crashed: boom'] })).toEqual({
      status: 'invalid',
      reason: 'generator worker 0 crashed: boom',
    });
  });

  it('fails a missed threshold, naming it', () => {
    const v = verdictOf({
      ...base,
      thresholds: [{ name: 'p95Ms', limit: 200, actual: 250, passed: false, source: 'request' }],
    });
    expect(v).toEqual({ status: 'failed', reason: 'missed p95Ms (250, limit 200)' });
  });
});
