// Stalls named from the monitor's per-second waits: the stage whose own wait rose is the cause, the lag in front of it
// a symptom; the generator's own lateness never ranks above a cause in the cluster.
import { describe, expect, it } from 'vitest';
import { diagnose } from '../src/diagnosis.js';
import { node, syntheticRun } from './runs.js';

const FROM = 10;
const UNTIL = 22;
const stalled = (s: number) => s >= FROM && s < UNTIL;

/** Nothing finishes while the backend stalls: no store samples, and the oldest call in progress grows a second a second. */
const run = (wait: 'store' | 'cache' | 'bus', saturated = false) =>
  syntheticRun({
    testId: `stalled-${wait}`,
    seconds: 40,
    rate: () => 300,
    seed: 5,
    saturated,
    latencyMs: () => 5,
    storeMs: (s) => (stalled(s) ? [] : [5, 6, 5]),
    storedPerSecond: (s) => (stalled(s) ? 0 : 300),
    queueDepth: (s) => (stalled(s) ? (s - FROM + 1) * 300 : 10),
    nodes: (s) => {
      const age = stalled(s) ? (s - FROM + 1) * 1000 : 3;
      return [
        node('processor-1', 'processor', {
          waitsMs: { store: wait === 'store' ? age : 3, cache: wait === 'cache' ? age : 2 },
        }),
        node('gateway-1', 'gateway', { waitsMs: { bus: wait === 'bus' ? age : 1 } }),
      ];
    },
  });

describe('stalls from the waits in progress', () => {
  it.each([
    ['store', 'store'],
    ['cache', 'cache'],
    ['bus', 'broker'],
  ] as const)('a stalled %s is named first as %s, the lag in front of it is its symptom', (wait, rule) => {
    const { findings } = diagnose(run(wait));
    expect(findings[0]).toMatchObject({ rule, component: rule, role: 'cause', basis: 'peak', threshold: 2000 });
    // Past 2 s (strictly) from the sample whose oldest call had waited 3 s.
    expect(findings[0]!.firstSecond).toBe(FROM + 2);
    expect(findings[0]!.value).toBe(12_000);
    const lag = findings.find((f) => f.rule === 'consumer-lag');
    expect(lag).toMatchObject({ role: 'symptom' });
    expect(lag!.because).toMatch(new RegExp(`^${rule}`));
    expect(findings.filter((f) => f.rule === rule)).toHaveLength(1);
  });

  it("a lock wait on the store's table, seen by PostgreSQL, names the store when no write is in flight", () => {
    const base = run('cache');
    base.history.forEach((row, s) => {
      row.nodes = row.nodes.map((n) => ({ ...n, waitsMs: null }));
      row.postgres = {
        byEvent: stalled(s) ? { 'Lock:relation': 2 } : {},
        storeTableLocks: { waiting: stalled(s) ? 2 : 0, longestWaitMs: stalled(s) ? (s - FROM + 1) * 1000 : null },
      };
    });
    expect(diagnose(base).findings[0]).toMatchObject({ rule: 'store', role: 'cause' });
  });

  it("the generator's own lateness ranks after a cause in the cluster, and first only when there is none", () => {
    const withStall = diagnose(run('store', true)).findings.map((f) => f.rule);
    expect(withStall[0]).toBe('store');
    expect(withStall).toContain('generator-saturated');
    const alone = syntheticRun({
      testId: 'late',
      seconds: 30,
      rate: () => 300,
      seed: 2,
      saturated: true,
      latencyMs: () => 5,
    });
    expect(diagnose(alone).findings.map((f) => f.rule)).toEqual(['generator-saturated']);
  });
});
