// Retention of the embedded store: log_events rotates whole, stays bounded by rate × window, dedupes across the
// rotation, and the processor's per-test counts stay right while rows are dropped under it.
import { createLogger, encodeBusRecord } from '@logperf/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryBus } from '../src/backends/bus/memory-bus.js';
import { createMemoryCache } from '../src/backends/cache/memory-cache.js';
import { createPgliteStore } from '../src/backends/store/pglite-store.js';
import type { Store, StoredEventInput } from '../src/backends/store/store.js';
import { NodeTelemetry } from '@logperf/platform';
import { Processor } from '../src/processor/processor.js';
import { makeEvent } from './events.js';
import { storeContract } from './store.contract.js';
import { waitFor } from './wait-for.js';

storeContract('pglite (rotating, in memory)', async () => createPgliteStore({ retentionMs: 600_000 }));

const row = (event: Record<string, unknown>): StoredEventInput => ({
  ...(event as Omit<StoredEventInput, 'ingestedAt'>),
  ingestedAt: Date.now(),
});

describe('pglite retention', () => {
  const stores: Store[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });
  const open = async (windowMs: number, clock: { nowMs: number }) => {
    const store = createPgliteStore({
      table: 'rotating',
      retentionMs: windowMs,
      redeliveryMs: windowMs / 2,
      now: () => clock.nowMs,
    });
    stores.push(store);
    await store.init();
    return store;
  };

  it('keeps a row at least one window, drops it whole after two, and stores a redelivery within the window once', async () => {
    const clock = { nowMs: 0 };
    const store = await open(1000, clock);
    const first = makeEvent();
    expect((await store.insertBatch([row(first)])).inserted).toBe(1);

    clock.nowMs = 1000; // the next write rotates: `first` moves to the previous segment
    const second = makeEvent();
    const redelivered = await store.insertBatch([row(first), row(second)]);
    expect(redelivered.inserted).toBe(1);
    expect(await store.counts()).toEqual({ rows: 2, distinctIds: 2 });
    expect(await store.existingIds([String(first.id), String(second.id)])).toEqual(new Set([first.id, second.id]));
    expect((await store.fetchByIds([String(first.id)])).map((e) => e.id)).toEqual([first.id]);

    clock.nowMs = 2000; // second rotation: the segment holding `first` is dropped
    await store.insertBatch([row(makeEvent())]);
    expect(await store.existingIds([String(first.id)])).toEqual(new Set());
    expect(await store.counts()).toEqual({ rows: 2, distinctIds: 2 });
    expect((await store.usage!()).retention).toMatchObject({ windowSeconds: 1, rotations: 2, segmentStartedAt: 2000 });
  });

  it('checks the previous segment only within the redelivery window after a rotation', async () => {
    const clock = { nowMs: 0 };
    const store = await open(1000, clock);
    const early = makeEvent();
    const late = makeEvent();
    await store.insertBatch([row(early), row(late)]);
    clock.nowMs = 1000;
    await store.insertBatch([]); // an empty batch writes nothing but rotates
    clock.nowMs = 1499; // within 500 ms of the rotation: the redelivery is found in the previous segment
    expect((await store.insertBatch([row(early)])).inserted).toBe(0);
    clock.nowMs = 1500; // later than any redelivery may come: not looked for (the config keeps this case impossible)
    expect((await store.insertBatch([row(late)])).inserted).toBe(1);
  });

  it('runs the embedded pipeline through 10 windows of events: the table holds at most two, the counts stay exact', async () => {
    const clock = { nowMs: 0 };
    const store = await open(1000, clock);
    const bus = createMemoryBus({ partitions: 6 });
    const cache = createMemoryCache();
    const telemetry = new NodeTelemetry('retention-test', 'processor');
    const processor = new Processor({
      bus,
      store,
      cache,
      telemetry,
      logger: createLogger('retention-test', 'silent'),
      instances: 2,
      maxBatchSize: 200,
      maxWaitMs: 5,
    });
    await processor.start();
    const perWindow = 500;
    const rowsSeen: number[] = [];
    let previous: Record<string, unknown>[] = [];
    try {
      for (let window = 0; window < 10; window++) {
        const events = Array.from({ length: perWindow }, () => makeEvent());
        // Half of the previous window's events come back, as a redelivery would, after the rotation between them.
        const again = previous.slice(0, perWindow / 2);
        const toRecord = (e: Record<string, unknown>) => ({
          key: String(e.id),
          value: encodeBusRecord(JSON.stringify(e), { acceptedAt: Date.now() }),
        });
        await bus.produce([...events, ...again].map(toRecord));
        await waitFor(
          async () => (await bus.lag('log-processors')).every((p) => p.lag === 0),
          10_000,
          `window ${window} drained`,
        );
        rowsSeen.push((await store.counts()).rows);
        previous = events;
        clock.nowMs += 1000;
      }
    } finally {
      await processor.stop();
      await bus.close();
      await cache.close();
    }
    const total = 10 * perWindow;
    expect(processor.counters.stored).toBe(total);
    expect(telemetry.eventsTotal('stored')).toBe(total);
    expect(processor.counters.redelivered).toBe(9 * (perWindow / 2));
    expect(Math.max(...rowsSeen)).toBe(2 * perWindow);
    expect(rowsSeen.at(-1)).toBeLessThan(total);
    expect(await store.counts()).toEqual({ rows: 2 * perWindow, distinctIds: 2 * perWindow });
  });
});
