// Re-reads a topic's partition count every few seconds, so the bus follows `kafka-topics --alter --partitions N`:
// Kafka never tells a producer or a consumer group that a topic grew, each has to look.
import type { Admin } from '@platformatic/kafka';

export interface PartitionWatch {
  stop(): void;
}

/**
 * Polls the topic's metadata every `intervalMs`; calls `onChange(count)` when the count differs from the last one.
 * A failed read keeps the last count: a broker that is away shows in the bus's health and the consumers' events.
 */
export function watchPartitions(
  admin: Admin,
  topic: string,
  initial: number,
  intervalMs: number,
  onChange: (partitions: number) => void,
): PartitionWatch {
  let partitions = initial;
  let reading = false;
  const timer = setInterval(() => {
    if (reading) return;
    reading = true;
    admin
      .metadata({ topics: [topic], forceUpdate: true })
      .then((metadata) => {
        const count = metadata.topics.get(topic)?.partitionsCount;
        if (count !== undefined && count > 0 && count !== partitions) {
          partitions = count;
          onChange(count);
        }
      })
      .catch(() => undefined)
      .finally(() => (reading = false));
  }, intervalMs).unref();
  return {
    stop: () => clearInterval(timer),
  };
}
