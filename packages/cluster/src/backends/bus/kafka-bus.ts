// The bus on Apache Kafka (@platformatic/kafka): acks=all produce, consumer-group members committing after each batch.
import { AppError, withTimeout } from '@logperf/core';
import { Admin, Consumer as KafkaConsumer, Producer, type Message, type MessagesStream } from '@platformatic/kafka';
import { SendQueue } from './send-queue.js';
import { partitionFor, type BatchHandler, type Bus, type BusRecord, type ConsumeOptions, type ConsumedRecord, type Consumer, type PartitionLag } from './bus.js';

export interface KafkaBusOptions {
  brokers: string[];
  topic?: string;
  partitions?: number;
  clientId?: string;
  /** A member that stops heart-beating loses its partitions after this long. */
  sessionTimeoutMs?: number;
}

const RETRY_BACKOFF_MS = [50, 100, 250, 500, 1000, 2000] as const;
const HEALTH_TIMEOUT_MS = 2000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const isTopicExists = (error: unknown) => /already exists/i.test(JSON.stringify((error as { errors?: unknown }).errors ?? '') + String((error as Error).message));

export async function createKafkaBus(options: KafkaBusOptions): Promise<Bus> {
  const topic = options.topic ?? 'log-events';
  const partitions = options.partitions ?? 6;
  const clientId = options.clientId ?? `logperf-${process.pid}`;
  const sessionTimeout = options.sessionTimeoutMs ?? 6000;
  const base = { bootstrapBrokers: options.brokers, retries: 3, retryDelay: 250, timeout: 10_000 };
  const admin = new Admin({ ...base, clientId: `${clientId}-admin` });
  const producer = new Producer({ ...base, clientId: `${clientId}-producer`, acks: -1, idempotent: true });
  const consumers = new Set<Consumer>();
  // One produce request in flight at a time: the idempotent producer's sequence numbers stay in order,
  // and records of concurrent callers share a request (Kafka's linger, without a timer).
  const sendQueue = new SendQueue((records) =>
    producer.send({ messages: records.map((r) => ({ topic, key: Buffer.from(r.key), value: r.value, partition: partitionFor(r.key, partitions) })) }).then(() => undefined),
  );

  const endOffsetsRequest = [{ name: topic, partitions: Array.from({ length: partitions }, (_, p) => ({ partitionIndex: p, timestamp: -1n })) }];
  try {
    await admin.createTopics({ topics: [topic], partitions, replicas: 1 }).catch((error: unknown) => {
      if (!isTopicExists(error)) throw error;
    });
    await waitForLeaders();
  } catch (error) {
    await Promise.allSettled([admin.close(), producer.close()]);
    throw new AppError('BACKEND_UNAVAILABLE', `kafka: topic ${topic} is not usable: ${(error as Error).message}`, { cause: error });
  }

  /** A topic answers produce requests only once every partition has a leader; earlier sends fail and are retried. */
  async function waitForLeaders(): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await admin.listOffsets({ topics: endOffsetsRequest });
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(100);
      }
    }
  }

  async function consume(consumeOptions: ConsumeOptions, handler: BatchHandler): Promise<Consumer> {
    const kafka = new KafkaConsumer({ ...base, clientId: `${clientId}-consumer`, groupId: consumeOptions.groupId, sessionTimeout, heartbeatInterval: 1000, rebalanceTimeout: sessionTimeout * 2 });
    const stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> = await kafka.consume({
      topics: [topic],
      autocommit: false,
      mode: 'committed',
      fallbackMode: 'earliest',
      maxWaitTime: Math.max(10, consumeOptions.maxWaitMs),
      sessionTimeout,
      heartbeatInterval: 1000,
    });
    const buffer: Message<Buffer, Buffer, Buffer, Buffer>[] = [];
    let notify: (() => void) | undefined;
    let running = true;
    stream.on('data', (message: Message<Buffer, Buffer, Buffer, Buffer>) => {
      buffer.push(message);
      if (buffer.length >= consumeOptions.maxBatchSize * 2) stream.pause();
      notify?.();
    });
    stream.on('error', () => undefined);
    const waitForData = (ms: number) => new Promise<void>((resolve) => {
      notify = resolve;
      setTimeout(resolve, ms);
    }).finally(() => (notify = undefined));

    const loop = (async () => {
      while (running) {
        if (buffer.length === 0) await waitForData(250);
        if (buffer.length === 0) continue;
        const deadline = Date.now() + consumeOptions.maxWaitMs;
        while (running && buffer.length < consumeOptions.maxBatchSize && Date.now() < deadline) await waitForData(deadline - Date.now());
        const batch = buffer.splice(0, consumeOptions.maxBatchSize);
        if (stream.isPaused() && buffer.length < consumeOptions.maxBatchSize) stream.resume();
        await handleUntilDone(batch);
      }
    })();

    /** The same batch is retried until the handler succeeds; only then are its offsets committed. */
    async function handleUntilDone(batch: Message<Buffer, Buffer, Buffer, Buffer>[]): Promise<void> {
      const records: ConsumedRecord[] = batch.map((m) => ({
        partition: m.partition,
        offset: Number(m.offset),
        key: m.key.toString(),
        value: m.value,
        timestampMs: Number(m.timestamp),
      }));
      for (let attempt = 0; ; attempt++) {
        try {
          await handler(records);
          break;
        } catch {
          if (!running) return; // closing: leave it uncommitted; the next owner gets it again
          await sleep(RETRY_BACKOFF_MS[Math.min(attempt, RETRY_BACKOFF_MS.length - 1)] ?? 2000);
        }
      }
      const lastPerPartition = new Map<number, Message<Buffer, Buffer, Buffer, Buffer>>();
      for (const message of batch) lastPerPartition.set(message.partition, message);
      // A commit refused after a rebalance is harmless: the new owner re-reads from the last commit, and writes are idempotent.
      await Promise.allSettled([...lastPerPartition.values()].map((m) => new Promise<void>((resolve, reject) => void m.commit((error) => (error ? reject(error) : resolve())))));
    }

    const member: Consumer = {
      async close() {
        running = false;
        notify?.();
        await loop;
        consumers.delete(member);
        await stream.close().catch(() => undefined);
        await kafka.close().catch(() => undefined);
      },
    };
    consumers.add(member);
    return member;
  }

  return {
    kind: 'kafka',
    topic,
    partitions,

    produce: (records: readonly BusRecord[]) => sendQueue.add(records),

    consume,

    async lag(groupId: string): Promise<PartitionLag[]> {
      const [ends, groups] = await Promise.all([admin.listOffsets({ topics: endOffsetsRequest }), admin.listConsumerGroupOffsets({ groups: [groupId] })]);
      const endByPartition = new Map((ends.find((t) => t.name === topic)?.partitions ?? []).map((p) => [p.partitionIndex, Number(p.offset)]));
      const committedByPartition = new Map(
        (groups[0]?.topics.find((t) => t.name === topic)?.partitions ?? []).map((p) => [p.partitionIndex, Math.max(0, Number(p.committedOffset))]),
      );
      return Array.from({ length: partitions }, (_, partition) => {
        const endOffset = endByPartition.get(partition) ?? 0;
        const committedOffset = committedByPartition.get(partition) ?? 0;
        return { partition, endOffset, committedOffset, lag: Math.max(0, endOffset - committedOffset) };
      });
    },

    async health() {
      try {
        await withTimeout(admin.listTopics(), HEALTH_TIMEOUT_MS, () => new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`));
      } catch (error) {
        throw new AppError('BACKEND_UNAVAILABLE', `kafka: ${(error as Error).message}`, { cause: error });
      }
    },

    async close() {
      await Promise.allSettled([...consumers].map((c) => c.close()));
      await Promise.allSettled([producer.close(), admin.close()]);
    },
  };
}
