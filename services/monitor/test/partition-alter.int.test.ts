// The seed's remedy for a queue bottleneck, `kafka-topics --alter --partitions 12`, under load on a private topic:
// producer, consumer group and the monitor's lag reader all follow the new count within seconds.
import { Admin } from '@platformatic/kafka';
import { afterAll, expect, it } from 'vitest';
import { LagWatcher } from '../src/lag-watcher.js';
import type { Bus, Consumer } from '../../../packages/cluster/src/backends/bus/bus.js';
import { createKafkaBus } from '../../../packages/cluster/src/backends/bus/kafka-bus.js';
import { describeReal, kafkaProbe, realServices } from '../../../packages/cluster/test/real-services.js';

import { sleep } from '@logperf/core';

describeReal('topic altered from 6 to 12 partitions under load', [kafkaProbe], () => {
  const topic = `alter-it-${Date.now()}-${process.pid}`;
  const group = `alter-it-${Date.now()}-${process.pid}`;
  const admin = new Admin({ clientId: 'alter-it-admin', bootstrapBrokers: [realServices.kafkaBroker] });
  const open: { close(): Promise<void> }[] = [];
  const bus = (clientId: string) =>
    createKafkaBus({ brokers: [realServices.kafkaBroker], topic, partitions: 6, clientId, metadataRefreshMs: 500 });

  afterAll(async () => {
    for (const closable of open.reverse()) await closable.close().catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.deleteGroups({ groups: [group] }).catch(() => undefined);
    await admin.close();
  });

  it('sends to, consumes from and reports lag on the 6 new partitions', async () => {
    const producerBus: Bus = await bus('alter-it-producer');
    open.push(producerBus);
    const consumerBus = await bus('alter-it-consumer');
    open.push(consumerBus);
    const lagBus = await bus('alter-it-lag');
    open.push(lagBus);
    const consumedPerPartition = new Map<number, number>();
    const consumer: Consumer = await consumerBus.consume(
      { groupId: group, maxBatchSize: 500, maxWaitMs: 20 },
      (records) => {
        for (const r of records)
          consumedPerPartition.set(r.partition, (consumedPerPartition.get(r.partition) ?? 0) + 1);
        return Promise.resolve();
      },
    );
    open.push(consumer);
    const lag = new LagWatcher(lagBus, group, 500);
    lag.start();
    open.push({ close: () => Promise.resolve(lag.stop()) });

    // Bounded load: 50 records every 20 ms for at most 45 s, stopped once the checks below pass.
    let producing = true;
    let seq = 0;
    let produceError: unknown;
    const load = (async () => {
      const deadline = Date.now() + 45_000;
      while (producing && Date.now() < deadline) {
        await producerBus.produce(
          Array.from({ length: 50 }, () => ({ key: `k-${seq++}`, value: Buffer.from(`{"n":${seq}}`) })),
        );
        await sleep(20);
      }
    })().catch((error: unknown) => void (produceError = error));
    open.push({ close: () => ((producing = false), load) });

    const waitUntil = async (check: () => boolean, ms: number) => {
      const deadline = Date.now() + ms;
      while (!check() && Date.now() < deadline) await sleep(100);
      return check();
    };
    expect(await waitUntil(() => consumedPerPartition.size === 6, 30_000)).toBe(true);
    expect(lag.view()?.partitions).toHaveLength(6);

    // Like `kafka-topics --alter --partitions 12`: no assignments, the controller places the new partitions.
    await admin.createPartitions({ topics: [{ name: topic, count: 12, assignments: null }] });
    const alteredAt = Date.now();
    const newPartitions = [6, 7, 8, 9, 10, 11];
    const followed = await waitUntil(
      () =>
        producerBus.partitions === 12 &&
        newPartitions.every((p) => (consumedPerPartition.get(p) ?? 0) > 0) &&
        newPartitions.every((p) => (lag.view()?.partitions.find((l) => l.partition === p)?.endOffset ?? 0) > 0),
      30_000,
    );
    const followMs = Date.now() - alteredAt;
    producing = false;
    await load;
    expect(produceError).toBeUndefined();
    expect({ followed, producer: producerBus.partitions, lagReader: lagBus.partitions }).toEqual({
      followed: true,
      producer: 12,
      lagReader: 12,
    });
    expect(lag.view()?.partitions.map((p) => p.partition)).toEqual([...Array(12).keys()]);
    // The new partitions were consumed and committed, not only written: their committed offsets moved too.
    expect(
      await waitUntil(() => newPartitions.every((p) => (lag.view()?.partitions[p]?.committedOffset ?? 0) > 0), 10_000),
    ).toBe(true);
    console.log(`[partition-alter] producer, consumers and lag reader on 12 partitions ${followMs} ms after the alter`);
  }, 90_000);
});
