// The bus target on real Kafka: every acknowledged event is on the topic, stamped as the gateway would stamp it.
import { busEnvelopeSchema, loadConfig, sleep } from '@logperf/core';
import { createBus } from '@logperf/cluster';
import { expect, it } from 'vitest';
import { describeReal, kafkaProbe, realServices } from '../../../packages/cluster/test/real-services.js';
import { constant, Schedule } from '../src/pacer.js';
import { runOnThreads } from './run-generator.js';

describeReal('load generator → Kafka', [kafkaProbe], () => {
  it('produces every event of a 2 s, 1,000/s schedule straight onto the topic, from a generator thread', async () => {
    const topic = `loadgen-target-${Date.now()}-${process.pid}`;
    const config = loadConfig(
      { LOGPERF_PGLITE_DIR: 'memory://' },
      { bus: 'kafka', 'kafka-brokers': realServices.kafkaBroker, 'kafka-topic': topic },
    );
    const bus = await createBus(config);
    const { totals, ends } = await runOnThreads(new Schedule([{ name: 'constant', shape: constant(1000, 2000) }]), {
      url: '',
      target: { kind: 'kafka', bus: config, timeoutMs: 10_000 },
      batchSize: 50,
      maxInFlight: 16,
    });
    expect(totals).toMatchObject({ intended: 2000, acknowledged: 2000, dropped: 0, errors: {} });
    expect(ends[0]).toMatchObject({ crashed: null, stoppedEarly: false });
    const lag = await bus.lag(`nobody-${topic}`);
    expect(lag.reduce((sum, p) => sum + p.endOffset, 0)).toBe(2000);
    const seen: unknown[] = [];
    const consumer = await bus.consume(
      { groupId: `check-${topic}`, maxBatchSize: 500, maxWaitMs: 20 },
      async (records) => {
        seen.push(...records.map((r) => JSON.parse(r.value.toString()) as unknown));
      },
    );
    const deadline = Date.now() + 20_000;
    while (seen.length < 2000 && Date.now() < deadline) await sleep(50);
    await consumer.close();
    expect(seen).toHaveLength(2000);
    expect(seen.every((event) => busEnvelopeSchema.safeParse(event).success)).toBe(true);
    await bus.close();
  }, 60_000);
});
