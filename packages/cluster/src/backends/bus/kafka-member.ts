// One consumer-group member on Kafka that outlives its client: when the stream or the group session dies (broker restart,
// lost membership) or its partitions stall (lag, and no fetch or commit progress), it drops what it buffered,
// re-creates the client with backoff and re-reads from the last commit.
import { recordSwallowedError, sleep } from '@logperf/core';
import { Consumer as KafkaConsumer, type ConsumerOptions } from '@platformatic/kafka';
import type { BatchHandler, ConsumeOptions, ConsumedRecord, Consumer } from './bus.js';
import {
  closeClient,
  COMMIT_TIMEOUT_MS,
  commitEach,
  partitionLag,
  type KafkaClient,
  type KafkaMessage,
  type KafkaStream,
} from './kafka-member-client.js';
import { MemberWatch, type MemberEvent } from './kafka-member-watch.js';

type KafkaClientOptions = Omit<ConsumerOptions<Buffer, Buffer, Buffer, Buffer>, 'groupId'>;

export interface KafkaMemberOptions extends ConsumeOptions {
  client: KafkaClientOptions;
  topic: string;
  sessionTimeoutMs: number;
  /**
   * A partition with lag and no fetch or commit progress for this long is stalled, and the member re-creates its client.
   * Default: the batch wait + the commit timeout + the session timeout (a rebalance waits up to a session for a dead member).
   */
  stallAfterMs?: number;
  /** TEST ONLY (fault injection): the member's first client stops fetching this long after it started. */
  testFreezeFetchAfterMs?: number;
  /** Told when the member lost its client and has it back, stalls and recovers, and on failures (for logs). */
  onEvent?: (event: MemberEvent) => void;
}

/** Both a failing store (batch retries) and a dead broker (client re-creation) back off the same way. */
export const RETRY_BACKOFF_MS = [50, 100, 250, 500, 1000, 2000] as const;
const RECONNECT_BACKOFF_MS = [250, 500, 1000, 2000, 4000, 5000] as const;
const backoff = (steps: readonly number[], attempt: number) => steps[Math.min(attempt, steps.length - 1)] ?? 5000;

interface Session {
  kafka: KafkaClient;
  stream: KafkaStream | undefined;
  dead: boolean;
  /** Per partition, the last offset this client handled: a rebalance makes the stream fetch from the last commit again. */
  handledUpTo: Map<number, bigint>;
  /** Fault injection: fetching stopped on purpose (testFreezeFetchAfterMs). */
  frozen: boolean;
  /** Last time the coordinator confirmed this member (joined, or a heartbeat answered). */
  confirmedAtMs: number;
  /** Per partition, the message with the highest offset whose commit this client saw succeed. */
  committed: Map<number, KafkaMessage>;
}

export async function startKafkaMember(options: KafkaMemberOptions, handler: BatchHandler): Promise<Consumer> {
  const buffer: KafkaMessage[] = [];
  let notify: (() => void) | undefined;
  let running = true;
  let reconnecting: Promise<void> | undefined;
  let handling = false;
  const tell = options.onEvent ?? (() => undefined);
  const watch = new MemberWatch(
    options.stallAfterMs ?? options.maxWaitMs + COMMIT_TIMEOUT_MS + options.sessionTimeoutMs,
    tell,
  );

  async function open(): Promise<Session> {
    const kafka = new KafkaConsumer<Buffer, Buffer, Buffer, Buffer>({ ...options.client, groupId: options.groupId });
    const session: Session = {
      kafka,
      stream: undefined,
      dead: false,
      handledUpTo: new Map(),
      frozen: false,
      confirmedAtMs: Date.now(),
      committed: new Map(),
    };
    const confirmed = () => (session.confirmedAtMs = Date.now());
    kafka.on('consumer:group:join', confirmed);
    kafka.on('consumer:heartbeat:end', confirmed);
    // An 'error' event without a listener would kill the process; here it only means "this client is done".
    kafka.on('error', (error: unknown) => lose(session, error, 'client-error'));
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
    // A rebalance makes the stream fetch again from the committed offsets, so some records arrive twice; they are
    // filtered at hand-over (handledUpTo). Nothing buffered is dropped on a rebalance: dropping it once left a paused
    // stream with an empty buffer that nothing resumed (issue 13), and dropping records the stream would not fetch
    // again (a partition without a committed offset keeps its fetch position) let a later commit skip them.
    stream.on('data', (message: KafkaMessage) => {
      if (session.dead) return;
      buffer.push(message);
      watch.progress(message.partition);
      if (buffer.length >= options.maxBatchSize * 2) stream.pause();
      notify?.();
    });
    stream.on('error', (error: unknown) => lose(session, error, 'fetch'));
    stream.on('close', () => lose(session, new Error('kafka message stream closed'), 'stream-closed'));
    return session;
  }

  let session = await open();
  if (options.testFreezeFetchAfterMs !== undefined) {
    const first = session;
    setTimeout(() => {
      first.frozen = true;
      first.stream?.pause();
    }, options.testFreezeFetchAfterMs).unref();
  }

  /** The client is gone: forget its uncommitted messages (the next client re-reads them) and build a new one. */
  function lose(lost: Session, error: unknown, failure: string | undefined): void {
    if (lost.dead || !running) return;
    lost.dead = true;
    if (lost === session) buffer.length = 0;
    if (failure) watch.failure(failure, error);
    watch.recreated();
    tell({ kind: 'lost', error });
    void lost.stream?.close().catch(() => undefined);
    lost.kafka.close(true, () => undefined); // force: it still leaves the group, after closing its stream
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
        tell({ kind: 'restored', attempt: attempt + 1 });
        return;
      } catch (error) {
        watch.failure('reconnect', error);
        tell({ kind: 'lost', error, attempt: attempt + 1 });
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
      if (session.stream?.isPaused() && !session.frozen && buffer.length < options.maxBatchSize)
        session.stream.resume();
      if (buffer.length === 0) await waitForData(250);
      if (buffer.length === 0) continue;
      const owner = session;
      const deadline = Date.now() + options.maxWaitMs;
      while (running && !owner.dead && buffer.length < options.maxBatchSize && Date.now() < deadline)
        await waitForData(deadline - Date.now());
      if (owner.dead) continue;
      const taken = buffer.splice(0, options.maxBatchSize);
      if (owner.stream?.isPaused() && !owner.frozen && buffer.length < options.maxBatchSize) owner.stream.resume();
      // Records this client already stored (fetched again after a rebalance, before their commit landed) are not
      // handed over twice, but their offsets are committed: a refused commit is only made good by a later one.
      const batch = taken.filter((m) => m.offset > (owner.handledUpTo.get(m.partition) ?? -1n));
      handling = true;
      try {
        if (batch.length > 0 && !(await handleUntilDone(batch, owner))) continue;
        await commit(taken, owner);
      } finally {
        handling = false;
      }
    }
  })();

  /** Every checkEveryMs: the assigned partitions' lag against their progress; a stall re-creates the client. */
  const checkEveryMs = Math.max(100, Math.min(1000, watch.stallAfterMs / 4));
  let checking = false;
  const checker = setInterval(() => {
    if (checking) return;
    checking = true;
    void checkProgress().finally(() => (checking = false));
  }, checkEveryMs);
  checker.unref();

  async function checkProgress(): Promise<void> {
    const s = session;
    if (s.dead || !s.stream || !running) return;
    if (handling) return watch.progressAll();
    const assigned = s.kafka.assignments?.find((a) => a.topic === options.topic)?.partitions ?? [];
    if (assigned.length === 0) return void watch.check(new Map());
    const oursBefore = new Map(s.committed); // a commit confirmed during the lookup is not a set-back
    let offsets: Map<number, { committed: bigint; lag: number }>;
    try {
      offsets = await partitionLag(s.kafka, options.topic, assigned);
    } catch (error) {
      watch.failure('list-offsets', error);
      return;
    }
    if (s !== session || s.dead || handling) return;
    // A partition of ours whose group offset is behind what this client committed was set back by another member's late
    // commit (the client retries a refused commit after a rejoin). Ours covers only stored records: commit it again.
    const setBack = [...offsets].flatMap(([p, o]) => {
      const ours = oursBefore.get(p);
      return ours && o.committed < ours.offset + 1n ? [ours] : [];
    });
    if (setBack.length > 0) {
      watch.failure('offset-set-back', new Error(`partitions ${setBack.map((m) => m.partition).join(', ')}`));
      await commitMessages(setBack, s);
    }
    const stalled = watch.check(new Map([...offsets].map(([p, o]) => [p, o.lag] as const)));
    if (stalled.length > 0)
      lose(
        s,
        new Error(`partitions ${stalled.join(', ')}: lag and no fetch or commit progress for ${watch.stallAfterMs} ms`),
        undefined, // counted as a stall
      );
  }

  /** The same batch is retried until the handler succeeds; false when the client that read it is gone (it is read again). */
  async function handleUntilDone(batch: KafkaMessage[], owner: Session): Promise<boolean> {
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
        if (!running || owner.dead) return false;
        recordSwallowedError('kafka-bus.handler', error);
        await sleep(backoff(RETRY_BACKOFF_MS, attempt));
      }
    }
    if (owner.dead) return false;
    for (const m of batch)
      if (m.offset > (owner.handledUpTo.get(m.partition) ?? -1n)) owner.handledUpTo.set(m.partition, m.offset);
    return true;
  }

  /**
   * Commits, per partition, the offset after the last record taken, by the client that read it. Records are handed over
   * in fetch order and none is dropped, so every earlier record of the partition is stored: a commit never skips one,
   * even a late one. A partition the client no longer owns is not committed (its owner re-reads from the last commit).
   */
  async function commit(taken: KafkaMessage[], owner: Session): Promise<void> {
    if (owner.dead) return;
    // Not confirmed for a whole session (the process was frozen, or the coordinator unreachable): the group may have
    // given these partitions away. The client would rejoin and retry a refused commit in the new generation, so the
    // fence is here: such a member commits nothing until it is confirmed again.
    if (Date.now() - owner.confirmedAtMs > options.sessionTimeoutMs) {
      watch.failure('commit-fenced', new Error(`not confirmed by the coordinator for ${options.sessionTimeoutMs} ms`));
      return;
    }
    const owned = new Set(owner.kafka.assignments?.find((a) => a.topic === options.topic)?.partitions ?? []);
    const lastPerPartition = new Map<number, KafkaMessage>();
    for (const m of taken) if (owned.has(m.partition)) lastPerPartition.set(m.partition, m);
    // A refused commit is made good by the next one of the partition (its owner re-reads from the last commit).
    await commitMessages([...lastPerPartition.values()], owner);
  }

  function commitMessages(messages: KafkaMessage[], owner: Session): Promise<void> {
    return commitEach(messages, (m, outcome) => {
      if (outcome.kind !== 'committed') return watch.failure(outcome.kind, outcome.error);
      watch.progress(m.partition);
      if (m.offset > (owner.committed.get(m.partition)?.offset ?? -1n)) owner.committed.set(m.partition, m);
    });
  }

  async function closeSession(s: Session): Promise<void> {
    s.dead = true;
    await closeClient(s.kafka, s.stream);
  }

  return {
    status: () => watch.status(),
    async close() {
      running = false;
      clearInterval(checker);
      notify?.();
      await loop;
      await reconnecting;
      await closeSession(session);
    },
  };
}
