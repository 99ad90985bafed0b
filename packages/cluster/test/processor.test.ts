import { createLogger, encodeBusRecord } from '@logperf/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { Bus } from '../src/backends/bus/bus.js';
import { createMemoryBus } from '../src/backends/bus/memory-bus.js';
import { createMemoryCache } from '../src/backends/cache/memory-cache.js';
import { createPgliteStore } from '../src/backends/store/pglite-store.js';
import type { Store } from '../src/backends/store/store.js';
import { NodeTelemetry } from '@logperf/platform';
import { Processor } from '../src/processor/processor.js';
import { makeEvent } from './events.js';
import { waitFor } from './wait-for.js';

const logger = createLogger('processor-test', 'silent');
const toRecords = (events: Record<string, unknown>[], testId?: string) =>
  events.map((e) => ({
    key: String(e.id),
    value: encodeBusRecord(JSON.stringify(e), { acceptedAt: Date.now(), testId }),
  }));

describe('processor', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function setup(store?: Store) {
    const bus: Bus = createMemoryBus({ partitions: 6 });
    const realStore = store ?? createPgliteStore();
    await realStore.init();
    const cache = createMemoryCache();
    const telemetry = new NodeTelemetry('processor-test', 'processor');
    cleanup.push(
      () => bus.close(),
      () => realStore.close(),
      () => cache.close(),
    );
    const start = async (instances = 2) => {
      const processor = new Processor({
        bus,
        store: realStore,
        cache,
        telemetry,
        logger,
        instances,
        maxBatchSize: 200,
        maxWaitMs: 5,
      });
      await processor.start();
      cleanup.push(() => processor.stop());
      return processor;
    };
    return { bus, store: realStore, cache, telemetry, start };
  }

  it('stores every event once, records per-stage latency and fills the recent cache', async () => {
    const { bus, store, cache, telemetry, start } = await setup();
    await start(3);
    const events = Array.from({ length: 2000 }, (_, i) => makeEvent({ source: `svc-${i % 4}` }));
    await bus.produce(toRecords(events));
    await waitFor(async () => (await store.counts()).rows === 2000, 10_000, '2000 rows');
    expect(await store.counts()).toEqual({ rows: 2000, distinctIds: 2000 });
    await waitFor(async () => (await bus.lag('log-processors')).every((p) => p.lag === 0), 5_000, 'lag 0');
    const latency = telemetry.latency();
    expect(latency['end-to-end']?.summary.count).toBe(2000);
    expect(latency['queue']?.summary.count).toBe(2000);
    expect(latency['store']?.summary.count).toBeGreaterThan(0);
    expect(telemetry.eventsTotal('stored')).toBe(2000);
    const recent = await cache.recent('svc-0', 1000);
    expect(recent.length).toBeGreaterThan(0);
    expect(recent.length).toBeLessThanOrEqual(100);
  });

  it('keeps stored counts and end-to-end latency per test id, redeliveries counted as received only', async () => {
    const { bus, start } = await setup();
    const processor = await start(2);
    const a = Array.from({ length: 300 }, () => makeEvent());
    await bus.produce(toRecords(a, 'test-a'));
    await bus.produce(toRecords(a.slice(0, 50), 'test-a'));
    await bus.produce(
      toRecords(
        Array.from({ length: 120 }, () => makeEvent()),
        'test-b',
      ),
    );
    await bus.produce(toRecords([makeEvent()]));
    await waitFor(() => processor.counters.stored === 421, 10_000, '421 stored');
    const tests = processor.tests.snapshot();
    expect(Object.keys(tests).sort()).toEqual(['test-a', 'test-b']);
    expect(tests['test-a']).toMatchObject({ stored: 300, received: 350 });
    expect(tests['test-b']).toMatchObject({ stored: 120, received: 120 });
    expect(tests['test-b']?.endToEnd.summary.count).toBe(120);
  });

  it('redelivered events are not stored twice and are counted as redelivered', async () => {
    const { bus, store, start } = await setup();
    const processor = await start(1);
    const events = Array.from({ length: 300 }, () => makeEvent());
    await bus.produce(toRecords(events));
    await bus.produce(toRecords(events.slice(0, 100)));
    await waitFor(() => processor.counters.stored + processor.counters.redelivered === 400, 10_000, '400 handled');
    expect(processor.counters).toMatchObject({ stored: 300, redelivered: 100 });
    expect(await store.counts()).toEqual({ rows: 300, distinctIds: 300 });
  });

  it('retries a batch whose store write failed, losing nothing and committing nothing early', async () => {
    const real = createPgliteStore();
    let failuresLeft = 3;
    const flaky: Store = {
      ...real,
      kind: real.kind,
      init: () => real.init(),
      insertBatch: async (rows) => {
        if (failuresLeft-- > 0) throw new Error('injected store failure');
        return real.insertBatch(rows);
      },
      counts: () => real.counts(),
      close: () => real.close(),
    };
    const { bus, store, start } = await setup(flaky);
    await start(1);
    await bus.produce(toRecords(Array.from({ length: 500 }, () => makeEvent())));
    await waitFor(async () => (await store.counts()).rows === 500, 15_000, '500 rows after retries');
    expect(failuresLeft).toBeLessThan(0);
  });

  it('skips records that are not valid events instead of stalling the partition', async () => {
    const { bus, store, start } = await setup();
    const processor = await start(1);
    await bus.produce([
      { key: 'junk', value: Buffer.from('not json') },
      { key: 'bad', value: Buffer.from('{"id":"x"}') },
      ...toRecords([makeEvent()]),
    ]);
    await waitFor(
      async () => (await store.counts()).rows === 1 && processor.counters.poison === 2,
      5_000,
      'one stored, two poison',
    );
  });

  it('a member stopped mid-stream hands its partitions over with nothing lost', async () => {
    const { bus, store, start } = await setup();
    const first = await start(2);
    const events = Array.from({ length: 5000 }, () => makeEvent());
    const half = events.length / 2;
    await bus.produce(toRecords(events.slice(0, half)));
    await first.stop();
    await start(2);
    await bus.produce(toRecords(events.slice(half)));
    await waitFor(async () => (await store.counts()).rows === 5000, 15_000, '5000 rows');
    expect(await store.existingIds(events.map((e) => String(e.id)))).toHaveProperty('size', 5000);
  });
});
