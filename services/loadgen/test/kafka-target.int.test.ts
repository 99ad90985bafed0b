// The bus target on real Kafka: every acknowledged event is on the topic, stamped as the gateway would stamp it.
import { busEventSchema, loadConfig } from '@logperf/core';
import { createBus } from '@logperf/cluster';
import { expect, it } from 'vitest';
import { describeReal, kafkaProbe, realServices } from '../../../packages/cluster/test/real-services.js';
import { attack } from '../src/attack.js';
import { EventFactory } from '../src/event-factory.js';
import { constant, Schedule } from '../src/pacer.js';
import { ResultRecorder } from '../src/results.js';
import { busTarget } from '../src/target.js';

describeReal('load generator → Kafka', [kafkaProbe], () => {
  it('produces every event of a 2 s, 1,000/s schedule straight onto the topic', async () => {
    const topic = `loadgen-target-${Date.now()}-${process.pid}`;
    const bus = await createBus(
      loadConfig(
        { LOGPERF_PGLITE_DIR: 'memory://' },
        { bus: 'kafka', 'kafka-brokers': realServices.kafkaBroker, 'kafka-topic': topic },
      ),
    );
    const recorder = new ResultRecorder(['constant']);
    const outcome = await attack({
      schedule: new Schedule([{ name: 'constant', shape: constant(1000, 2000) }]),
      target: busTarget(bus, { timeoutMs: 10_000 }),
      factory: new EventFactory(),
      recorder,
      batchSize: 50,
      maxLingerMs: 5,
      maxInFlight: 16,
      lateThresholdMs: 10,
      dropAfterMs: 5000,
      timeoutMs: 10_000,
      signal: new AbortController().signal,
    });
    expect(recorder.totals()).toMatchObject({ intended: 2000, acknowledged: 2000, dropped: 0, errors: {} });
    expect(outcome.stoppedEarly).toBe(false);
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
    while (seen.length < 2000 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await consumer.close();
    expect(seen).toHaveLength(2000);
    expect(seen.every((event) => busEventSchema.safeParse(event).success)).toBe(true);
    await bus.close();
  }, 60_000);
});
