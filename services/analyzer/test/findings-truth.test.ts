// Findings tell the truth about themselves: the three wrong outputs of issue 19 reproduced from fixed inputs and shown
// gone — a value below its threshold ranked first, a sentence contradicting itself, a stalled store never named.
import { describe, expect, it } from 'vitest';
import { diagnose } from '../src/diagnosis.js';
import type { Finding } from '../src/finding.js';
import { recommend } from '../src/recommendations.js';
import { node, syntheticRun } from './runs.js';

const LOCK_FROM = 16;
const LOCK_UNTIL = 28;

/** PostgreSQL's events table locked 12 s in a 1,000 events/s run: writes wait, nothing is stored, lag piles up. */
const lockedStore = () =>
  syntheticRun({
    testId: 'locked-store',
    seconds: 60,
    rate: () => 1000,
    seed: 11,
    latencyMs: () => 5,
    storeMs: (s) =>
      s >= LOCK_FROM && s < LOCK_UNTIL ? [] : s === LOCK_UNTIL ? [12_000, 11_900, 6, 5, 5] : [5, 6, 5, 4, 5],
    storedPerSecond: (s) => (s >= LOCK_FROM && s < LOCK_UNTIL ? 0 : s === LOCK_UNTIL ? 6000 : 1000),
    queueDepth: (s) => (s >= LOCK_FROM && s <= LOCK_UNTIL ? 10 + (s - LOCK_FROM) * 1000 : 10),
  });

/** Every series finding's value is past its threshold and its evidence quotes that value and that threshold. */
function expectTruthful(findings: Finding[]) {
  for (const f of findings) {
    if (f.basis === 'count') continue;
    expect(f.value, f.evidence).toBeGreaterThan(f.threshold);
    expect(f.evidence).toContain(`${f.basis} ${Math.round(f.value * 10) / 10}`);
    expect(f.evidence).toContain(`${f.threshold}`);
    expect(f.lastSecond).toBeGreaterThanOrEqual(f.firstSecond!);
  }
}

describe('findings tell the truth about themselves', () => {
  it('a locked store is named first as the cause; the lag and staleness in front of it are symptoms of it', () => {
    const diagnosis = diagnose(lockedStore());
    const [first] = diagnosis.findings;
    // Was: "consumer lag reached 10 events and grew 12 events/s over the run, past 1000 from +16 s", store never named.
    expect(first).toMatchObject({ rule: 'store', role: 'cause', basis: 'peak', firstSecond: LOCK_FROM });
    expect(first!.value).toBeGreaterThanOrEqual(11_000);
    expect(first!.evidence).toMatch(/store writes slowed \(floor \d+(\.\d)? ms\): peak 1\d{4}(\.\d)? ms against/);
    const lag = diagnosis.findings.find((f) => f.rule === 'consumer-lag')!;
    expect(lag).toMatchObject({ role: 'symptom', basis: 'peak', value: 12_010 });
    expect(lag.evidence).toMatch(/^consumer lag: peak 12010 events against a threshold of 1000 events/);
    expect(lag.evidence).toMatch(/because the store: store write time p99 ms passed \d+ from \+16 s/);
    const stale = diagnosis.findings.find((f) => f.rule === 'staleness')!;
    expect(stale).toMatchObject({ role: 'symptom', value: LOCK_UNTIL - 1 - (LOCK_FROM - 1) });
    expect(diagnosis.summary).toMatch(/most likely limit: store store \(store writes slowed/);
    expectTruthful(diagnosis.findings);
    // The queue is not the cause, so no advice to add consumers or partitions in front of a stalled store.
    const recs = recommend(diagnosis, null, { partitions: 6, processorNodes: 2, redis: null, postgres: null });
    expect(recs[0]!.area).toBe('store');
    expect(recs.map((r) => r.area)).not.toContain('kafka');
    expect(recs.some((r) => /add processor instances/.test(r.action))).toBe(false);
    // With the monitor's live PostgreSQL waits, the lock itself is named.
    const waits = { locksNotGranted: 2, lockedRelations: ['log_events'], longestLockWaitMs: 9400 };
    const withWaits = recommend(diagnosis, null, {
      partitions: 6,
      processorNodes: 2,
      redis: null,
      postgres: { connections: 12, cacheHitRatio: 0.99, waits },
    });
    expect(withWaits.find((r) => r.area === 'postgresql')).toMatchObject({
      priority: 1,
      action: expect.stringContaining('holding the lock on log_events') as unknown,
      evidence: '2 lock request(s) not granted, the longest waiting 9400 ms, when the monitor last sampled',
    });
  });

  it('a host-CPU finding reports the seconds it was past 85 %, never a 68 % taken after them', () => {
    // 5 s at 95 % then 68 %: the old rule took the median from the first crossing to the end and reported 68 vs 85.
    const run = syntheticRun({
      testId: 'host-burst',
      seconds: 60,
      rate: () => 1000,
      seed: 12,
      latencyMs: () => 5,
      nodes: (s) => [node('processor-1', 'processor', { systemCpuPercent: s >= 10 && s < 15 ? 95 : 68 })],
    });
    const host = diagnose(run).findings.find((f) => f.rule === 'host-cpu')!;
    expect(host).toMatchObject({ basis: 'mean', value: 95, threshold: 85, firstSecond: 10, lastSecond: 14 });
    expect(host.secondsPast).toBe(5);
    expect(host.evidence).toContain('mean 95% against a threshold of 85%, past it 5 s between +10 s and +14 s');

    // Never three seconds in a row past 85 %: no finding at all, whatever the run's mean or peak.
    const blips = syntheticRun({
      testId: 'host-blips',
      seconds: 60,
      rate: () => 1000,
      seed: 13,
      latencyMs: () => 5,
      nodes: (s) => [node('processor-1', 'processor', { systemCpuPercent: s % 3 === 0 ? 99 : 68 })],
    });
    expect(diagnose(blips).findings).toEqual([]);
  });

  it('confidence is the stated sum of its stated terms', () => {
    for (const f of diagnose(lockedStore()).findings.filter((x) => x.basis !== 'count')) {
      const terms = [...f.confidenceFrom.matchAll(/(0\.\d+) × \w+ ([\d.]+)/g)].map((m) => Number(m[1]) * Number(m[2]));
      expect(terms).toHaveLength(3);
      // Equal to the sum up to the confidence's own rounding to two digits.
      expect(Math.abs(f.confidence - terms.reduce((a, b) => a + b, 0))).toBeLessThanOrEqual(0.005 + 1e-9);
    }
  });
});
