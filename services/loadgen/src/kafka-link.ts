// The Kafka side of coordinator ↔ worker: topics made and removed, JSON records sent to a topic (or one partition),
// and group members whose records and group (re)joins are handed to callbacks. Both sides use the repo's client.
import { sleep } from '@logperf/core';
import { Admin, Consumer, Producer, type Message } from '@platformatic/kafka';

type Raw = Message<Buffer, Buffer, Buffer, Buffer>;

export interface Join {
  memberId: string;
  generation: number;
  /** Partitions of the member's topic it holds in this generation. */
  partitions: number[];
}

export interface MemberOptions {
  groupId: string;
  topic: string;
  /** `earliest`: every record of the topic (each new group reads all); `latest`: only those written from now. */
  mode: 'earliest' | 'latest';
  sessionTimeoutMs: number;
  onRecord: (value: Buffer, partition: number) => void;
  onJoin?: (join: Join) => void;
  /** Each answered heartbeat: the member still holds its partitions. */
  onHeartbeat?: () => void;
  onError?: (error: unknown) => void;
}

export interface Member {
  close(): Promise<void>;
}

export interface KafkaLink {
  createTopic(name: string, partitions: number): Promise<void>;
  deleteTopics(names: string[]): Promise<void>;
  send(topic: string, value: unknown, partition?: number): Promise<void>;
  join(options: MemberOptions): Promise<Member>;
  close(): Promise<void>;
}

const alreadyExists = (error: unknown) =>
  /already exists/i.test(JSON.stringify((error as { errors?: unknown }).errors ?? '') + String(error));

export function kafkaLink(brokers: readonly string[], clientId: string): KafkaLink {
  const base = { bootstrapBrokers: [...brokers], retries: 3, retryDelay: 250, timeout: 10_000 };
  const admin = new Admin({ ...base, clientId: `${clientId}-admin` });
  const producer = new Producer({ ...base, clientId: `${clientId}-producer`, acks: -1 });
  const members = new Set<Member>();
  return {
    async createTopic(name, partitions) {
      await admin.createTopics({ topics: [name], partitions, replicas: 1 }).catch((error: unknown) => {
        if (!alreadyExists(error)) throw error;
      });
      // Produce requests fail until every partition has a leader.
      const topics = [
        { name, partitions: Array.from({ length: partitions }, (_, p) => ({ partitionIndex: p, timestamp: -1n })) },
      ];
      for (let deadline = Date.now() + 30_000; ; await sleep(100)) {
        try {
          await admin.listOffsets({ topics });
          return;
        } catch (error) {
          if (Date.now() > deadline) throw error;
        }
      }
    },
    async deleteTopics(names) {
      await admin.deleteTopics({ topics: names });
    },
    async send(topic, value, partition) {
      await producer.send({
        messages: [
          { topic, value: Buffer.from(JSON.stringify(value)), ...(partition === undefined ? {} : { partition }) },
        ],
      });
    },
    async join(options) {
      const consumer = new Consumer<Buffer, Buffer, Buffer, Buffer>({
        ...base,
        clientId: `${clientId}-member`,
        groupId: options.groupId,
      });
      consumer.on('error', (error: unknown) => options.onError?.(error));
      consumer.on('consumer:group:join', (event: { memberId: string; generationId: number; assignments?: unknown }) => {
        const assignments = (event.assignments ?? []) as { topic: string; partitions: number[] }[];
        options.onJoin?.({
          memberId: event.memberId,
          generation: event.generationId,
          partitions: assignments.filter((a) => a.topic === options.topic).flatMap((a) => a.partitions),
        });
      });
      consumer.on('consumer:heartbeat:end', () => options.onHeartbeat?.());
      const stream = await consumer.consume({
        topics: [options.topic],
        autocommit: false,
        mode: options.mode,
        maxWaitTime: 100,
        sessionTimeout: options.sessionTimeoutMs,
        rebalanceTimeout: options.sessionTimeoutMs * 2,
        heartbeatInterval: Math.max(200, Math.floor(options.sessionTimeoutMs / 6)),
      });
      stream.on('data', (record: Raw) => options.onRecord(record.value, record.partition));
      stream.on('error', (error: unknown) => options.onError?.(error));
      const member: Member = {
        async close() {
          members.delete(member);
          await stream.close().catch(() => undefined);
          await new Promise<void>((resolve) => consumer.close(true, () => resolve()));
        },
      };
      members.add(member);
      return member;
    },
    async close() {
      await Promise.allSettled([...members].map((m) => m.close()));
      await Promise.allSettled([producer.close(), admin.close()]);
    },
  };
}
