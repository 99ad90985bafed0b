// The bus on Apache Kafka (@platformatic/kafka): acks=all produce, consumer-group members committing after each batch.
import { AppError, withTimeout, sleep } from '@logperf/core';
import { Admin, Producer } from '@platformatic/kafka';
import { startKafkaMember, type KafkaMemberOptions } from './kafka-member.js';
import { watchPartitions } from './partition-watch.js';
import { SendQueue } from './send-queue.js';
import {
  partitionFor,
  type BatchHandler,
  type Bus,
  type BusRecord,
  type ConsumeOptions,
  type Consumer,
  type PartitionLag,
} from './bus.js';

export interface KafkaBusOptions {
  brokers: string[];
  topic?: string;
  partitions?: number;
  clientId?: string;
  /** Compression of produced batches (default none: on one host it costs the gateway CPU and saves no network). */
  compression?: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  /** A member that stops heart-beating loses its partitions after this long. */
  sessionTimeoutMs?: number;
  /** A member whose partitions have lag and no progress for this long re-creates its client (see kafka-member.ts). */
  stallAfterMs?: number;
  /** TEST ONLY: a member's first client stops fetching this long after it started (fault injection). */
  testFreezeFetchAfterMs?: number;
  /** Told when a consumer loses its Kafka client and has it back, stalls, recovers, or a fetch or commit fails. */
  onConsumerEvent?: KafkaMemberOptions['onEvent'];
  /** Most records in one produce request (default 10,000). */
  produceMaxRecords?: number;
  /** How often the topic's partition count is re-read (default 2000 ms). */
  metadataRefreshMs?: number;
}

const HEALTH_TIMEOUT_MS = 2000;
const isTopicExists = (error: unknown) =>
  /already exists/i.test(
    JSON.stringify((error as { errors?: unknown }).errors ?? '') + String((error as Error).message),
  );

export async function createKafkaBus(options: KafkaBusOptions): Promise<Bus> {
  const topic = options.topic ?? 'log-events';
  // The configured count creates the topic; from then on the topic's real count rules (it may have been altered).
  let partitions = options.partitions ?? 6;
  const clientId = options.clientId ?? `logperf-${process.pid}`;
  const sessionTimeout = options.sessionTimeoutMs ?? 6000;
  const base = { bootstrapBrokers: options.brokers, retries: 3, retryDelay: 250, timeout: 10_000 };
  const admin = new Admin({ ...base, clientId: `${clientId}-admin` });
  const compression = options.compression ?? 'none';
  const newProducer = () =>
    new Producer({ ...base, clientId: `${clientId}-producer`, acks: -1, idempotent: true, compression });
  let producer = newProducer();
  let producerFailed = false;
  const consumers = new Set<Consumer>();
  // One produce request in flight at a time: the idempotent producer's sequence numbers stay in order,
  // and records of concurrent callers share a request (Kafka's linger, without a timer).
  // After a failed send the producer's sequence numbers may no longer match the broker's (a request the broker wrote but
  // never answered, before a restart): that producer would fail every later send. A fresh one starts a new sequence;
  // records it sends again may then be in the log twice, which the store's idempotent writes absorb.
  const sendQueue = new SendQueue(async (records) => {
    if (producerFailed) {
      producer.close(true, () => undefined);
      producer = newProducer();
      producerFailed = false;
    }
    try {
      await producer.send({
        messages: records.map((r) => ({
          topic,
          key: Buffer.from(r.key),
          value: r.value,
          partition: partitionFor(r.key, partitions),
        })),
      });
    } catch (error) {
      producerFailed = true;
      throw error;
    }
  }, options.produceMaxRecords);

  const endOffsetsRequest = () => [
    { name: topic, partitions: Array.from({ length: partitions }, (_, p) => ({ partitionIndex: p, timestamp: -1n })) },
  ];
  try {
    await admin.createTopics({ topics: [topic], partitions, replicas: 1 }).catch((error: unknown) => {
      if (!isTopicExists(error)) throw error;
    });
    partitions = (await admin.metadata({ topics: [topic] })).topics.get(topic)?.partitionsCount ?? partitions;
    await waitForLeaders();
  } catch (error) {
    await Promise.allSettled([admin.close(), producer.close()]);
    throw new AppError('BACKEND_UNAVAILABLE', `kafka: topic ${topic} is not usable: ${(error as Error).message}`, {
      cause: error,
    });
  }

  /** A topic answers produce requests only once every partition has a leader; earlier sends fail and are retried. */
  async function waitForLeaders(): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await admin.listOffsets({ topics: endOffsetsRequest() });
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(100);
      }
    }
  }

  // A group's leader assigns the partitions it knows of when the group (re)forms, and nothing re-forms it when a topic
  // grows: each member here is re-created on a change, and the leader's metadata is at most 1 s old when it assigns.
  const membersToRestart = new Set<() => void>();
  const watch = watchPartitions(admin, topic, partitions, options.metadataRefreshMs ?? 2000, (count) => {
    partitions = count;
    for (const restart of membersToRestart) restart();
  });

  async function consume(consumeOptions: ConsumeOptions, handler: BatchHandler): Promise<Consumer> {
    const client = {
      ...base,
      clientId: `${clientId}-consumer`,
      sessionTimeout,
      heartbeatInterval: 1000,
      rebalanceTimeout: sessionTimeout * 2,
      metadataMaxAge: 1000,
    };
    const start = () =>
      startKafkaMember(
        {
          ...consumeOptions,
          client,
          topic,
          sessionTimeoutMs: sessionTimeout,
          ...(options.stallAfterMs === undefined ? {} : { stallAfterMs: options.stallAfterMs }),
          ...(options.testFreezeFetchAfterMs === undefined
            ? {}
            : { testFreezeFetchAfterMs: options.testFreezeFetchAfterMs }),
          ...(options.onConsumerEvent ? { onEvent: options.onConsumerEvent } : {}),
        },
        handler,
      );
    let active: Consumer | undefined = await start();
    // While a partition change re-creates the member, stats show the figures of the member it replaces.
    let lastStatus = active.status();
    let closed = false;
    let restarting = Promise.resolve();
    // Chained, so two quick changes restart one after the other; a failed close does not stop later restarts.
    const restart = () => {
      restarting = restarting.then(async () => {
        if (active) lastStatus = active.status();
        await active?.close().catch(() => undefined);
        active = undefined;
        for (let attempt = 1; !closed && !active; attempt++) {
          try {
            active = await start();
          } catch (error) {
            options.onConsumerEvent?.({ kind: 'lost', error, attempt });
            await sleep(1000);
          }
        }
        if (closed && active) {
          await active.close();
          active = undefined;
        }
      });
    };
    membersToRestart.add(restart);
    const member: Consumer = {
      status: () => active?.status() ?? lastStatus,
      async close() {
        closed = true;
        membersToRestart.delete(restart);
        consumers.delete(member);
        await restarting;
        await active?.close();
      },
    };
    consumers.add(member);
    return member;
  }

  return {
    kind: 'kafka',
    topic,
    get partitions() {
      return partitions;
    },

    produce: (records: readonly BusRecord[]) => sendQueue.add(records),

    consume,

    async lag(groupId: string): Promise<PartitionLag[]> {
      const [ends, groups] = await Promise.all([
        admin.listOffsets({ topics: endOffsetsRequest() }),
        admin.listConsumerGroupOffsets({ groups: [groupId] }),
      ]);
      const endByPartition = new Map(
        (ends.find((t) => t.name === topic)?.partitions ?? []).map((p) => [p.partitionIndex, Number(p.offset)]),
      );
      const committedByPartition = new Map(
        (groups[0]?.topics.find((t) => t.name === topic)?.partitions ?? []).map((p) => [
          p.partitionIndex,
          Math.max(0, Number(p.committedOffset)),
        ]),
      );
      return Array.from({ length: partitions }, (_, partition) => {
        const endOffset = endByPartition.get(partition) ?? 0;
        const committedOffset = committedByPartition.get(partition) ?? 0;
        return { partition, endOffset, committedOffset, lag: Math.max(0, endOffset - committedOffset) };
      });
    },

    async health() {
      try {
        await withTimeout(
          admin.listTopics(),
          HEALTH_TIMEOUT_MS,
          () => new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`),
        );
      } catch (error) {
        throw new AppError('BACKEND_UNAVAILABLE', `kafka: ${(error as Error).message}`, { cause: error });
      }
    },

    async close() {
      watch.stop();
      await Promise.allSettled([...consumers].map((c) => c.close()));
      await Promise.allSettled([producer.close(), admin.close()]);
    },
  };
}
