import { describe, expect, it } from 'vitest';
import { TestStats } from '../src/processor/test-stats.js';

describe('TestStats', () => {
  it('evicts the least recently seen test past the bound', () => {
    const stats = new TestStats(2);
    stats.record('a', [1000], 1, 1010);
    stats.record('b', [1000], 1, 1010);
    stats.record('a', [1000], 1, 1020);
    stats.record('c', [1000], 1, 1030);
    expect(Object.keys(stats.snapshot()).sort()).toEqual(['a', 'c']);
    expect(stats.snapshot().a).toMatchObject({ stored: 2, received: 2 });
  });

  it('records end-to-end as stored time − event timestamp', () => {
    const stats = new TestStats();
    stats.record('t', [1000, 990], 2, 1010);
    const summary = stats.snapshot().t?.endToEnd.summary;
    expect(summary?.count).toBe(2);
    expect(summary?.max).toBeCloseTo(20, 1);
  });
});
