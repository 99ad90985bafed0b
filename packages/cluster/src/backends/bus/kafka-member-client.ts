// What a Kafka group member asks of its client: the lag of its partitions as the coordinator sees it, commits with a
// deadline, and a bounded polite close.
import type { Consumer as KafkaConsumer, Message, MessagesStream } from '@platformatic/kafka';

export type KafkaMessage = Message<Buffer, Buffer, Buffer, Buffer>;
export type KafkaClient = KafkaConsumer<Buffer, Buffer, Buffer, Buffer>;
export type KafkaStream = MessagesStream<Buffer, Buffer, Buffer, Buffer>;

export const COMMIT_TIMEOUT_MS = 5000;
const CLOSE_TIMEOUT_MS = 5000;
const max0 = (offset: bigint) => (offset < 0n ? 0n : offset);

/**
 * Per partition: the group's committed offset as the coordinator holds it (another member's late commit may have set it
 * back; the client's own map would not show that), and the log end − that offset.
 */
export async function partitionLag(
  kafka: KafkaClient,
  topic: string,
  partitions: number[],
): Promise<Map<number, { committed: bigint; lag: number }>> {
  const [ends, committed] = await Promise.all([
    kafka.listOffsets({ topics: [topic] }),
    kafka.listCommittedOffsets({ topics: [{ topic, partitions }] }),
  ]);
  const end = ends.get(topic) ?? [];
  const done = committed.get(topic) ?? [];
  return new Map(
    partitions.map((p) => {
      const offset = max0(done[p] ?? 0n);
      return [p, { committed: offset, lag: Number((end[p] ?? 0n) - offset) }] as const;
    }),
  );
}

/** Commits each message's offset + 1; every outcome is told (a commit unanswered in COMMIT_TIMEOUT_MS is a failure). */
export function commitEach(
  messages: KafkaMessage[],
  told: (
    message: KafkaMessage,
    outcome: { kind: 'committed' } | { kind: 'commit' | 'commit-timeout'; error: Error },
  ) => void,
): Promise<void> {
  return Promise.all(
    messages.map(
      (m) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            told(m, { kind: 'commit-timeout', error: new Error(`commit not answered within ${COMMIT_TIMEOUT_MS} ms`) });
            resolve();
          }, COMMIT_TIMEOUT_MS);
          void m.commit((error) => {
            clearTimeout(timer);
            told(m, error ? { kind: 'commit', error } : { kind: 'committed' });
            resolve();
          });
        }),
    ),
  ).then(() => undefined);
}

/** Leaves the group politely (its partitions move at once) unless the broker does not answer within CLOSE_TIMEOUT_MS. */
export async function closeClient(kafka: KafkaClient, stream: KafkaStream | undefined): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), CLOSE_TIMEOUT_MS)));
  const polite = (async () => {
    await stream?.close().catch(() => undefined);
    await kafka.close();
  })().catch(() => 'failed' as const);
  const outcome = await Promise.race([polite, timeout]);
  clearTimeout(timer);
  if (outcome !== undefined) kafka.close(true, () => undefined);
}
