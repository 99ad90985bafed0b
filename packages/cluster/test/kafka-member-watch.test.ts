// The member's liveness rule with fixed clocks: a lagging partition without progress for longer than the limit is
// stalled (told once), it stays reported until it moves again, and failures are counted by kind and told at 1, 10, 100.
import { describe, expect, it } from 'vitest';
import { MemberWatch, type MemberEvent } from '../src/backends/bus/kafka-member-watch.js';

const lag = (entries: [number, number][]) => new Map(entries);

describe('MemberWatch', () => {
  it('finds a lagging partition without progress for longer than the limit, and tells it once', () => {
    const events: MemberEvent[] = [];
    const watch = new MemberWatch(1000, (e) => events.push(e));
    const both = lag([
      [0, 5],
      [1, 5],
    ]);
    expect(watch.check(both, 0)).toEqual([]); // clocks start when first seen
    watch.progress(1, 900);
    expect(watch.check(both, 1000)).toEqual([]);
    expect(watch.check(both, 1001)).toEqual([0]);
    expect(watch.check(both, 1901)).toEqual([0, 1]); // found again: the caller re-creates its client again
    expect(events.filter((e) => e.kind === 'stalled')).toEqual([
      { kind: 'stalled', partitions: [0], stallAfterMs: 1000 },
      { kind: 'stalled', partitions: [0, 1], stallAfterMs: 1000 },
    ]);
    expect(watch.status()).toMatchObject({ stalledPartitions: [0, 1], stalls: 2 });
  });

  it('never finds a partition without lag, nor one it no longer owns', () => {
    const watch = new MemberWatch(1000);
    watch.check(
      lag([
        [0, 0],
        [1, 3],
      ]),
      0,
    );
    expect(watch.check(lag([[0, 0]]), 5000)).toEqual([]);
    expect(
      watch.check(
        lag([
          [0, 0],
          [1, 3],
        ]),
        6000,
      ),
    ).toEqual([]); // assigned again: a new clock
  });

  it('keeps reporting a stalled partition across a new client until it moves, then tells the recovery once', () => {
    const events: MemberEvent[] = [];
    const watch = new MemberWatch(1000, (e) => events.push(e));
    watch.check(lag([[0, 5]]), 0);
    expect(watch.check(lag([[0, 5]]), 2000)).toEqual([0]);
    watch.recreated();
    expect(watch.check(lag([[0, 5]]), 2100)).toEqual([]);
    expect(watch.status()).toMatchObject({ stalledPartitions: [0], recreations: 1 });
    watch.progress(0, 2200);
    expect(watch.status().stalledPartitions).toEqual([]);
    expect(events.map((e) => e.kind)).toEqual(['stalled', 'recovered']);
    expect(watch.check(lag([[0, 5]]), 3000)).toEqual([]); // its new clock started at 2100, moved at 2200
    expect(watch.check(lag([[0, 5]]), 3201)).toEqual([0]);
    expect(watch.check(lag([[0, 0]]), 3300)).toEqual([]); // caught up: no lag, no stall
    expect(watch.status()).toMatchObject({ stalls: 2, stalledPartitions: [] });
  });

  it('a member busy with its handler is not stalled', () => {
    const watch = new MemberWatch(1000);
    watch.check(lag([[0, 5]]), 0);
    watch.progressAll(1500);
    expect(watch.check(lag([[0, 5]]), 2000)).toEqual([]);
  });

  it('counts failures by kind and tells the 1st, 10th and 100th', () => {
    const told: number[] = [];
    const watch = new MemberWatch(1000, (e) => e.kind === 'failure' && told.push(e.count));
    for (let i = 0; i < 120; i++) watch.failure('commit', new Error('refused'));
    watch.failure('fetch', new Error('closed'));
    expect(watch.status().failures).toEqual({ commit: 120, fetch: 1 });
    expect(told).toEqual([1, 10, 100, 1]);
  });
});
