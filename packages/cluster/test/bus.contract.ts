// Contract every Bus implementation must meet: keyed partitions, group sharing, commit-after-handle, redelivery.
import { afterEach, describe, expect, it } from 'vitest';
import type { Bus, ConsumedRecord, Consumer } from '../src/backends/bus/bus.js';
import { partitionFor } from '../src/backends/bus/bus.js';
import { waitFor } from './wait-for.js';
import { sleep } from '@logperf/core';

export interface BusContractOptions {
  /** How long a new group member needs before it owns partitions (Kafka's join/sync). */
  settleMs: number;
  /** Upper bound for deliveries to arrive. */
  deliveryTimeoutMs: number;
}

const records = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => ({ key: `${prefix}-${i}`, value: Buffer.from(JSON.stringify({ i })) }));

export function busContract(name: string, makeBus: () => Promise<Bus>, options: BusContractOptions): void {
  describe(`Bus contract: ${name}`, () => {
    const open: { bus: Bus; consumers: Consumer[] }[] = [];
    let groupSeq = 0;
    const newGroup = () => `contract-${process.pid}-${Date.now()}-${groupSeq++}`;
    const setup = async () => {
      const entry = { bus: await makeBus(), consumers: [] as Consumer[] };
      open.push(entry);
      return entry;
    };
    const collect = async (
      entry: { bus: Bus; consumers: Consumer[] },
      groupId: string,
      sink: ConsumedRecord[],
      fail?: () => boolean,
    ) => {
      const consumer = await entry.bus.consume({ groupId, maxBatchSize: 100, maxWaitMs: 20 }, async (batch) => {
        if (fail?.()) throw new Error('injected handler failure');
        sink.push(...batch);
        await Promise.resolve();
      });
      entry.consumers.push(consumer);
      return consumer;
    };

    afterEach(async () => {
      for (const { bus, consumers } of open.splice(0)) {
        await Promise.all(consumers.map((c) => c.close()));
        await bus.close();
      }
    });

    it('delivers every produced record once, keyed to a stable partition, in offset order', async () => {
      const entry = await setup();
      const seen: ConsumedRecord[] = [];
      await collect(entry, newGroup(), seen);
      await sleep(options.settleMs);
      await entry.bus.produce(records(500, 'a'));
      await waitFor(() => seen.length >= 500, options.deliveryTimeoutMs, '500 records');
      await sleep(300);
      expect(seen.length).toBe(500);
      expect(new Set(seen.map((r) => r.key)).size).toBe(500);
      for (const r of seen) expect(r.partition).toBe(partitionFor(r.key, entry.bus.partitions));
      for (let p = 0; p < entry.bus.partitions; p++) {
        const offsets = seen.filter((r) => r.partition === p).map((r) => r.offset);
        expect(offsets).toEqual([...offsets].sort((x, y) => x - y));
      }
      expect(JSON.parse(seen[0]!.value.toString())).toHaveProperty('i');
    });

    it('commits only handled batches: lag is the backlog before, zero after', async () => {
      const entry = await setup();
      const groupId = newGroup();
      await entry.bus.produce(records(300, 'b'));
      const before = await entry.bus.lag(groupId);
      expect(before.reduce((sum, p) => sum + p.lag, 0)).toBe(300);
      const seen: ConsumedRecord[] = [];
      await collect(entry, groupId, seen);
      await waitFor(() => seen.length >= 300, options.deliveryTimeoutMs, '300 records');
      await waitFor(
        async () => (await entry.bus.lag(groupId)).every((p) => p.lag === 0),
        options.deliveryTimeoutMs,
        'lag 0',
      );
    });

    it('retries a batch whose handler failed and never skips it', async () => {
      const entry = await setup();
      const seen: ConsumedRecord[] = [];
      let failuresLeft = 3;
      await collect(entry, newGroup(), seen, () => failuresLeft-- > 0);
      await sleep(options.settleMs);
      await entry.bus.produce(records(200, 'c'));
      await waitFor(
        () => new Set(seen.map((r) => r.key)).size >= 200,
        options.deliveryTimeoutMs,
        '200 distinct records',
      );
      expect(failuresLeft).toBeLessThan(0);
    });

    it('redelivers uncommitted records to the next member and committed ones to nobody', async () => {
      const entry = await setup();
      const groupId = newGroup();
      await entry.bus.produce(records(100, 'd1'));
      const first: ConsumedRecord[] = [];
      const consumer = await collect(entry, groupId, first);
      await waitFor(() => first.length >= 100, options.deliveryTimeoutMs, 'first 100');
      await consumer.close();
      entry.consumers.splice(entry.consumers.indexOf(consumer), 1);

      await entry.bus.produce(records(100, 'd2'));
      const failing = await collect(entry, groupId, [], () => true);
      await sleep(options.settleMs);
      await failing.close();
      entry.consumers.splice(entry.consumers.indexOf(failing), 1);

      const second: ConsumedRecord[] = [];
      await collect(entry, groupId, second);
      await waitFor(() => second.length >= 100, options.deliveryTimeoutMs, 'd2 redelivered');
      await sleep(200);
      expect(new Set(second.map((r) => r.key))).toEqual(new Set(records(100, 'd2').map((r) => r.key)));
    });

    it('shares partitions between the members of one group', async () => {
      const entry = await setup();
      const groupId = newGroup();
      const a: ConsumedRecord[] = [];
      const b: ConsumedRecord[] = [];
      await collect(entry, groupId, a);
      await collect(entry, groupId, b);
      await sleep(options.settleMs * 2);
      await entry.bus.produce(records(600, 'e'));
      await waitFor(
        () => new Set([...a, ...b].map((r) => r.key)).size >= 600,
        options.deliveryTimeoutMs,
        '600 across members',
      );
      expect(a.length).toBeGreaterThan(0);
      expect(b.length).toBeGreaterThan(0);
      const partitionsA = new Set(a.map((r) => r.partition));
      expect(b.some((r) => partitionsA.has(r.partition))).toBe(false);
    });
  });
}
