import { describe, expect, it } from 'vitest';
import { diagnose, findKnee } from '../src/diagnosis.js';
import { recommend } from '../src/recommendations.js';
import { node, syntheticRun } from './runs.js';

const ramp = (s: number) => 1000 + s * 100;

describe('bottleneck diagnosis', () => {
  it('names the processor CPU first when it saturates before latency leaves its floor, and the lag it causes after', () => {
    const run = syntheticRun({
      testId: 'cpu',
      seconds: 60,
      rate: ramp,
      seed: 1,
      latencyMs: (s) => (s < 33 ? 10 : 10 + (s - 33) * 8),
      nodes: (s) => [
        node('processor-1', 'processor', { cpuPercent: Math.min(99, 20 + s * 2) }),
        node('gateway-1', 'gateway', { cpuPercent: 30 }),
      ], // past 75% from s = 28
      queueDepth: (s) => (s < 36 ? 0 : (s - 36) * 900),
    });
    const diagnosis = diagnose(run);
    expect(diagnosis.knee?.leftFloorAtSecond).toBeGreaterThanOrEqual(33);
    expect(diagnosis.knee?.leftFloorAtSecond).toBeLessThanOrEqual(36);
    const [first, second] = diagnosis.findings;
    expect(first).toMatchObject({ rule: 'cpu', component: 'processor', firstSecond: 28 });
    expect(second?.rule).toBe('consumer-lag');
    expect(first!.role).toBe('cause');
    expect(second?.role).toBe('symptom');
    expect(second?.because).toMatch(/^processor cpu: .* from \+28 s/);
    expect(diagnosis.summary).toMatch(/processor cpu/);

    const recommendations = recommend(diagnosis, null, {
      partitions: 6,
      processorNodes: 1,
      redis: null,
      postgres: null,
    });
    expect(recommendations[0]).toMatchObject({ area: 'scaling' });
    expect(recommendations[0]!.action).toMatch(/add \d+ processor instance/);
    expect(recommendations[0]!.evidence).toMatch(
      /consumer lag: peak \d+ events .* growing \d+ events\/s .*processor-1 \(processor\) process CPU/,
    );
  });

  it('names the host when its cores are saturated while no single process reaches the per-process rule', () => {
    // Two processes at 45–60% of a core each, the machine's two cores busy with them, the brokers and the generator.
    const run = syntheticRun({
      testId: 'host',
      seconds: 60,
      rate: ramp,
      seed: 6,
      latencyMs: (s) => (s < 32 ? 10 : 10 + (s - 32) * 6),
      nodes: (s) => [
        node('processor-1', 'processor', { cpuPercent: 45 + s / 4, systemCpuPercent: Math.min(99, 40 + s * 2) }), // past 85% from s = 23
        node('gateway-1', 'gateway', { cpuPercent: 40, systemCpuPercent: Math.min(99, 38 + s * 2) }),
      ],
    });
    const diagnosis = diagnose(run);
    expect(diagnosis.findings[0]).toMatchObject({
      rule: 'host-cpu',
      component: 'host',
      firstSecond: 23,
      affectedNodes: ['processor-1', 'gateway-1'],
    });
    expect(diagnosis.findings.some((f) => f.rule === 'cpu')).toBe(false);
    expect(diagnosis.summary).toMatch(
      /host cpu \(the host's CPUs \(all cores\) were busy: mean 9\d(\.\d)?% against a threshold of 85%, past it \d+ s between \+23 s/,
    );
    const recommendations = recommend(diagnosis, null, {
      partitions: 6,
      processorNodes: 2,
      redis: null,
      postgres: null,
    });
    expect(recommendations[0]).toMatchObject({ area: 'scaling' });
    expect(recommendations[0]!.action).toMatch(/machines of their own, or add cores/);

    // The same busy host behind a processor that saturated its own core first: the processor is named, the host after it.
    const pegged = syntheticRun({
      testId: 'host-after-process',
      seconds: 60,
      rate: ramp,
      seed: 7,
      latencyMs: (s) => (s < 32 ? 10 : 10 + (s - 32) * 6),
      nodes: (s) => [
        node('processor-1', 'processor', {
          cpuPercent: Math.min(99, 30 + s * 3),
          systemCpuPercent: Math.min(99, 40 + s * 2),
        }),
      ], // past 75% from s = 16
    });
    const findings = diagnose(pegged).findings;
    expect(findings[0]).toMatchObject({ rule: 'cpu', component: 'processor', firstSecond: 16 });
    expect(findings.find((f) => f.rule === 'host-cpu')?.evidence).toMatch(
      /, because the processor cpu: .* from \+16 s/,
    );
  });

  it('names the store when writes slow down while CPU stays low', () => {
    const run = syntheticRun({
      testId: 'store',
      seconds: 50,
      rate: () => 3000,
      seed: 2,
      latencyMs: (s) => (s < 20 ? 8 : 40),
      storeMs: (s) => (s < 18 ? 5 : 120),
      queueDepth: (s) => (s < 22 ? 0 : (s - 22) * 400),
    });
    const diagnosis = diagnose(run);
    expect(diagnosis.findings[0]).toMatchObject({ rule: 'store', component: 'store', firstSecond: 18 });
    expect(diagnosis.findings.some((f) => f.rule === 'cpu')).toBe(false);
    const recommendations = recommend(diagnosis, null, {
      partitions: 6,
      processorNodes: 2,
      redis: null,
      postgres: null,
    });
    expect(recommendations.map((r) => r.area)).toContain('store');
  });

  it("names the gateway's refusals and the generator's saturation, and nothing on a healthy run", () => {
    const refused = syntheticRun({
      testId: 'refused',
      seconds: 20,
      rate: () => 5000,
      latencyMs: () => 5,
      seed: 3,
      errors: { http_429: 4000 },
      saturated: true,
    });
    const rules = diagnose(refused).findings.map((f) => f.rule);
    expect(rules).toEqual(expect.arrayContaining(['gateway-refusals', 'generator-saturated']));

    const healthy = syntheticRun({ testId: 'ok', seconds: 30, rate: () => 1000, latencyMs: () => 5, seed: 4 });
    const diagnosis = diagnose(healthy);
    expect(diagnosis.findings).toEqual([]);
    expect(findKnee(healthy)?.leftFloorAtSecond).toBeNull();
    expect(diagnosis.summary).toMatch(/stayed near its floor; no resource crossed its threshold/);
    expect(recommend(diagnosis, null, { partitions: null, processorNodes: 1, redis: null, postgres: null })).toEqual(
      [],
    );
  });

  it('recommends Redis and PostgreSQL settings only when their measurements call for it', () => {
    const healthy = diagnose(
      syntheticRun({ testId: 'ok', seconds: 10, rate: () => 1000, latencyMs: () => 5, seed: 5 }),
    );
    const recs = recommend(healthy, null, {
      partitions: 6,
      processorNodes: 1,
      redis: { memoryPercent: 93, evictedKeys: 1200, maxMemoryBytes: 1 << 30 },
      postgres: { connections: 10, cacheHitRatio: 0.82 },
    });
    expect(recs.map((r) => r.area).sort()).toEqual(['postgresql', 'redis']);
    expect(recs.find((r) => r.area === 'redis')!.evidence).toMatch(/1200 key\(s\) evicted/);
  });
});
