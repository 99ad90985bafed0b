// A full disk under the embedded store, for real: PGlite in a small tmpfs (mounted here, which needs root), written
// until the disk guard refuses. The refusal is one clear error (the write, health, the store's usage for
// /api/node/stats), every acknowledged write is stored, the gateway answers 503 with Retry-After meanwhile, and writes
// resume once there is room again. Without root (mount refused) it is skipped, except under CI=true, where it fails.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { createLogger } from '@logperf/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMemoryBus } from '../src/backends/bus/memory-bus.js';
import { createPgliteStore } from '../src/backends/store/pglite-store.js';
import type { Store, StoredEventInput } from '../src/backends/store/store.js';
import { buildGatewayApp } from '../src/gateway/gateway-app.js';
import { NodeRuntime } from '@logperf/platform';
import { describeReal, type ServiceProbe } from './real-services.js';

const MOUNT = `/tmp/logperf-disk-full-${process.pid}`;
// PGlite's new database takes ~39 MiB; the default guard keeps 64 MiB free, so about 9 MiB of writes fit.
const SIZE_MIB = 112;
const mount = (size: number, remount = false) =>
  execFileSync('mount', ['-t', 'tmpfs', '-o', `${remount ? 'remount,' : ''}size=${size}m`, 'tmpfs', MOUNT]);
const unmount = () => {
  try {
    execFileSync('umount', [MOUNT]);
  } catch {
    // not mounted
  }
  rmSync(MOUNT, { recursive: true, force: true });
};

const tmpfsProbe: ServiceProbe = {
  name: 'a tmpfs mount (needs root)',
  async check() {
    mkdirSync(MOUNT, { recursive: true });
    try {
      mount(SIZE_MIB);
    } finally {
      unmount();
    }
    await Promise.resolve();
  },
};

const batch = (n: number): StoredEventInput[] =>
  Array.from({ length: n }, () => ({
    id: randomUUID(),
    level: 'INFO' as const,
    message: `disk full test ${'x'.repeat(300)}`,
    source: 'disk-full',
    timestamp: Date.now(),
    ingestedAt: Date.now(),
  }));

describeReal('the embedded store on a full disk', tmpfsProbe, () => {
  let store: Store;
  const acknowledged: string[] = [];
  let refusal: Error | undefined;

  beforeAll(async () => {
    mkdirSync(MOUNT, { recursive: true });
    mount(SIZE_MIB);
    store = createPgliteStore({ dataDir: `${MOUNT}/store`, retentionMs: 600_000, redeliveryMs: 120_000 });
    await store.init();
    // Bounded: 400 batches of 500 events (~70 MiB of rows) is far more than the room left.
    for (let i = 0; i < 400 && refusal === undefined; i++) {
      const events = batch(500);
      try {
        await store.insertBatch(events);
        acknowledged.push(...events.map((e) => e.id));
      } catch (error) {
        refusal = error as Error;
      }
    }
  }, 240_000);
  afterAll(async () => {
    await store?.close();
    unmount();
  });

  it('refuses writes with one clear error naming the folder and what to do, in health and usage too', async () => {
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(refusal?.message).toMatch(
      new RegExp(
        `^the disk holding the embedded store ${MOUNT}/store is full \\(\\d+ MiB free on its disk, below the 64 MiB kept\\); free space`,
      ),
    );
    expect(store.writeFailure?.()).toBe(refusal?.message);
    await expect(store.health()).rejects.toThrow(refusal!.message);
    expect((await store.usage?.())?.writeError).toBe(refusal?.message);
  });

  it('keeps every acknowledged write, and claims none it refused', async () => {
    expect(await store.counts()).toEqual({ rows: acknowledged.length, distinctIds: acknowledged.length });
    expect((await store.existingIds(acknowledged.slice(-500))).size).toBe(500);
  });

  it('has the gateway of the same process answer 503 with Retry-After while the store cannot write', async () => {
    const app = buildGatewayApp({
      bus: createMemoryBus({ partitions: 2 }),
      node: new NodeRuntime('gateway-disk-full', 'gateway', 'accepted'),
      logger: createLogger('gateway-disk-full', 'silent'),
      storeFailure: () => store.writeFailure?.() ?? null,
    });
    try {
      const res = await app.inject({ method: 'POST', url: '/api/logs', payload: batch(1) });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json()).toMatchObject({ error: { code: 'BACKEND_UNAVAILABLE' } });
      expect(JSON.stringify(res.json())).toContain('is full');
    } finally {
      await app.close();
    }
  });

  it('writes again once the disk has room (a bigger tmpfs), and health recovers', async () => {
    mount(SIZE_MIB + 64, true);
    // The guard reads the free space at most once a second.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const events = batch(500);
    expect((await store.insertBatch(events)).inserted).toBe(500);
    expect(store.writeFailure?.()).toBeNull();
    await expect(store.health()).resolves.toBeUndefined();
    expect((await store.counts()).rows).toBe(acknowledged.length + 500);
  });
});
