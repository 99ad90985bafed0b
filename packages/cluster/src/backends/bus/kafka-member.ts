// One consumer-group member on Kafka that outlives its client: when the stream or the group session dies (broker restart,
// lost membership), it drops what it buffered, re-creates the client with backoff and re-reads from the last commit.
import { recordSwallowedError } from '@logperf/core';
import {
  Consumer as KafkaConsumer,
  type ConsumerOptions,
  type Message,
  type MessagesStream,
} from '@platformatic/kafka';
import type { BatchHandler, ConsumeOptions, ConsumedRecord, Consumer } from './bus.js';

type KafkaMessage = Message<Buffer, Buffer, Buffer, Buffer>;
type KafkaClientOptions = Omit<ConsumerOptions<Buffer, Buffer, Buffer, Buffer>, 'groupId'>;

export interface KafkaMemberOptions extends ConsumeOptions {
  client: KafkaClientOptions;
  topic: string;
  sessionTimeoutMs: number;
  /** Told each time the member lost its client and when it is back (for logs and counters). */
  onEvent?: (event: { kind: 'lost' | 'restored'; error?: unknown; attempt?: number }) => void;
}

/** Both a failing store (batch retries) and a dead broker (client re-creation) back off the same way. */
export const RETRY_BACKOFF_MS = [50, 100, 250, 500, 1000, 2000] as const;
const RECONNECT_BACKOFF_MS = [250, 500, 1000, 2000, 4000, 5000] as const;
const COMMIT_TIMEOUT_MS = 5000;
const CLOSE_TIMEOUT_MS = 5000;
const backoff = (steps: readonly number[], attempt: number) => steps[Math.min(attempt, steps.length - 1)] ?? 5000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Session {
  kafka: KafkaConsumer<Buffer, Buffer, Buffer, Buffer>;
  stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  dead: boolean;
  /** Per partition, the last offset this client handled: a rebalance makes the stream fetch from the last commit again. */
  handledUpTo: Map<number, bigint>;
}

export async function startKafkaMember(options: KafkaMemberOptions, handler: BatchHandler): Promise<Consumer> {
  const buffer: KafkaMessage[] = [];
  let notify: (() => void) | undefined;
  let running = true;
  let reconnecting: Promise<void> | undefined;

  async function open(): Promise<Session> {
    const kafka = new KafkaConsumer<Buffer, Buffer, Buffer, Buffer>({ ...options.client, groupId: options.groupId });
    const session: Session = { kafka, stream: undefined, dead: false, handledUpTo: new Map() };
    // An 'error' event without a listener would kill the process; here it only means "this client is done".
    kafka.on('error', (error: unknown) => lose(session, error));
    try {
      session.stream = await kafka.consume({
        topics: [options.topic],
        autocommit: false,
        mode: 'committed',
        fallbackMode: 'earliest',
        maxWaitTime: Math.max(10, options.maxWaitMs),
        sessionTimeout: options.sessionTimeoutMs,
        heartbeatInterval: 1000,
      });
    } catch (error) {
      session.dead = true;
      kafka.close(true, () => undefined);
      throw error;
    }
    const { stream } = session;
    // After a rebalance the stream fetches again from the committed offsets: what it buffered before would come twice.
    kafka.on('consumer:group:join', () => {
      if (!session.dead) buffer.length = 0;
    });
    stream.on('data', (message: KafkaMessage) => {
      if (session.dead) return;
      buffer.push(message);
      if (buffer.length >= options.maxBatchSize * 2) stream.pause();
      notify?.();
    });
    stream.on('error', (error: unknown) => lose(session, error));
    stream.on('close', () => lose(session, new Error('kafka message stream closed')));
    return session;
  }

  let session = await open();

  /** The client is gone: forget its uncommitted messages (the next client re-reads them) and build a new one. */
  function lose(lost: Session, error: unknown): void {
    if (lost.dead || !running) return;
    lost.dead = true;
    if (lost === session) buffer.length = 0;
    options.onEvent?.({ kind: 'lost', error });
    void lost.stream?.close().catch(() => undefined);
    lost.kafka.close(true, () => undefined);
    reconnecting ??= reconnect().finally(() => (reconnecting = undefined));
    notify?.();
  }

  async function reconnect(): Promise<void> {
    for (let attempt = 0; running; attempt++) {
      await sleep(backoff(RECONNECT_BACKOFF_MS, attempt));
      if (!running) return;
      try {
        const next = await open();
        if (!running) {
          await closeSession(next);
          return;
        }
        session = next;
        options.onEvent?.({ kind: 'restored', attempt: attempt + 1 });
        return;
      } catch (error) {
        options.onEvent?.({ kind: 'lost', error, attempt: attempt + 1 });
      }
    }
  }

  const waitForData = (ms: number) =>
    new Promise<void>((resolve) => {
      notify = resolve;
      setTimeout(resolve, ms);
    }).finally(() => (notify = undefined));

  const loop = (async () => {
    while (running) {
      if (buffer.length === 0) await waitForData(250);
      if (buffer.length === 0) continue;
      const owner = session;
      const deadline = Date.now() + options.maxWaitMs;
      while (running && !owner.dead && buffer.length < options.maxBatchSize && Date.now() < deadline)
        await waitForData(deadline - Date.now());
      if (owner.dead) continue;
      const taken = buffer.splice(0, options.maxBatchSize);
      if (owner.stream?.isPaused() && buffer.length < options.maxBatchSize) owner.stream.resume();
      // Records this client already stored (fetched again after a rebalance, before their commit landed) are not handed over twice.
      const batch = taken.filter((m) => m.offset > (owner.handledUpTo.get(m.partition) ?? -1n));
      if (batch.length > 0) await handleUntilDone(batch, owner);
    }
  })();

  /** The same batch is retried until the handler succeeds; only then are its offsets committed, by the client that read them. */
  async function handleUntilDone(batch: KafkaMessage[], owner: Session): Promise<void> {
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
      } catch (error) {
        // Closing, or the client that read the batch is gone: leave it uncommitted; it is read again.
        if (!running || owner.dead) return;
        recordSwallowedError('kafka-bus.handler', error);
        await sleep(backoff(RETRY_BACKOFF_MS, attempt));
      }
    }
    if (owner.dead) return;
    for (const m of batch)
      if (m.offset > (owner.handledUpTo.get(m.partition) ?? -1n)) owner.handledUpTo.set(m.partition, m.offset);
    const lastPerPartition = new Map<number, KafkaMessage>();
    for (const message of batch) lastPerPartition.set(message.partition, message);
    // A commit refused after a rebalance is harmless: the new owner re-reads from the last commit, and writes are idempotent.
    await Promise.allSettled(
      [...lastPerPartition.values()].map(
        (m) =>
          new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error('commit timed out')), COMMIT_TIMEOUT_MS);
            void m.commit((error) => {
              clearTimeout(timer);
              if (error) reject(error);
              else resolve();
            });
          }),
      ),
    );
  }

  /** Leaves the group politely (its partitions move at once) unless the broker does not answer within CLOSE_TIMEOUT_MS. */
  async function closeSession(s: Session): Promise<void> {
    s.dead = true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), CLOSE_TIMEOUT_MS)),
    );
    const polite = (async () => {
      await s.stream?.close().catch(() => undefined);
      await s.kafka.close();
    })().catch(() => 'failed' as const);
    const outcome = await Promise.race([polite, timeout]);
    clearTimeout(timer);
    if (outcome !== undefined) s.kafka.close(true, () => undefined);
  }

  return {
    async close() {
      running = false;
      notify?.();
      await loop;
      await reconnecting;
      await closeSession(session);
    },
  };
}
