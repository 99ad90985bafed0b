// In-process partitioned log with consumer groups and committed offsets: the embedded bus.
import { AppError, recordSwallowedError, sleep } from '@logperf/core';
import {
  partitionFor,
  type BatchHandler,
  type Bus,
  type BusRecord,
  type ConsumeOptions,
  type ConsumedRecord,
  type Consumer,
  type PartitionLag,
} from './bus.js';

export interface MemoryBusOptions {
  topic?: string;
  partitions?: number;
  /** Records held but not yet committed by every group; past it produce() rejects (backpressure). */
  maxBacklog?: number;
  /** The same bound in bytes of keys and values (default 256 MiB): what the backlog costs in memory is its bytes. */
  maxBacklogBytes?: number;
}

interface Partition {
  /** Offset of records[0]; earlier records were trimmed after every group committed them. */
  baseOffset: number;
  records: ConsumedRecord[];
  /** Bytes of the keys and values in records. */
  bytes: number;
}

interface Group {
  committed: number[];
  members: Member[];
}

interface Member {
  assigned: number[];
  /** Next offset to read, per assigned partition. */
  positions: Map<number, number>;
}

const RETRY_BACKOFF_MS = [50, 100, 250, 500, 1000] as const;

export function createMemoryBus(options: MemoryBusOptions = {}): Bus {
  const topic = options.topic ?? 'log-events';
  const partitionCount = options.partitions ?? 6;
  const maxBacklog = options.maxBacklog ?? 2_000_000;
  const maxBacklogBytes = options.maxBacklogBytes ?? 256 * 1024 * 1024;
  const partitions: Partition[] = Array.from({ length: partitionCount }, () => ({
    baseOffset: 0,
    records: [],
    bytes: 0,
  }));
  const groups = new Map<string, Group>();
  let waiters: (() => void)[] = [];
  let closed = false;

  const endOffset = (p: Partition) => p.baseOffset + p.records.length;
  const backlog = () => partitions.reduce((sum, p) => sum + p.records.length, 0);
  const backlogBytes = () => partitions.reduce((sum, p) => sum + p.bytes, 0);
  const recordBytes = (record: BusRecord) => record.key.length + record.value.length;
  const wake = () => {
    const woken = waiters;
    waiters = [];
    for (const resolve of woken) resolve();
  };

  function rebalance(group: Group): void {
    group.members.forEach((member) => {
      member.assigned = [];
      member.positions.clear();
    });
    if (group.members.length === 0) return;
    for (let p = 0; p < partitionCount; p++) {
      const member = group.members[p % group.members.length];
      member?.assigned.push(p);
      member?.positions.set(p, group.committed[p] ?? 0);
    }
  }

  /** Drops records every group has committed, so memory follows the slowest group. */
  function trim(): void {
    if (groups.size === 0) return;
    partitions.forEach((partition, p) => {
      const minCommitted = Math.min(...[...groups.values()].map((g) => g.committed[p] ?? 0));
      const drop = minCommitted - partition.baseOffset;
      if (drop > 0) {
        for (const record of partition.records.splice(0, drop)) partition.bytes -= recordBytes(record);
        partition.baseOffset = minCommitted;
      }
    });
  }

  function take(member: Member, max: number): ConsumedRecord[] {
    const batch: ConsumedRecord[] = [];
    for (const p of member.assigned) {
      const partition = partitions[p];
      const position = member.positions.get(p);
      if (!partition || position === undefined) continue;
      const from = Math.max(0, position - partition.baseOffset);
      batch.push(...partition.records.slice(from, from + (max - batch.length)));
      if (batch.length >= max) break;
    }
    return batch;
  }

  async function waitForRecords(
    member: Member,
    options: ConsumeOptions,
    isRunning: () => boolean,
  ): Promise<ConsumedRecord[]> {
    const deadline = Date.now() + options.maxWaitMs;
    let batch = take(member, options.maxBatchSize);
    while (isRunning() && batch.length < options.maxBatchSize && Date.now() < deadline) {
      await Promise.race([new Promise<void>((resolve) => waiters.push(resolve)), sleep(deadline - Date.now())]);
      batch = take(member, options.maxBatchSize);
    }
    return batch;
  }

  return {
    kind: 'memory',
    topic,
    partitions: partitionCount,

    async produce(records: readonly BusRecord[]) {
      if (closed) throw new AppError('BACKEND_UNAVAILABLE', 'memory bus is closed', { retryAfterSeconds: 1 });
      if (backlog() + records.length > maxBacklog) {
        throw new AppError('OVERLOADED', `memory bus backlog above ${maxBacklog} records`, { retryAfterSeconds: 1 });
      }
      const bytes = records.reduce((sum, record) => sum + recordBytes(record), 0);
      if (backlogBytes() + bytes > maxBacklogBytes) {
        throw new AppError('OVERLOADED', `memory bus backlog above ${maxBacklogBytes} bytes`, { retryAfterSeconds: 1 });
      }
      const timestampMs = Date.now();
      for (const record of records) {
        const partition = partitionFor(record.key, partitionCount);
        const log = partitions[partition];
        if (!log) continue;
        log.records.push({ partition, offset: endOffset(log), key: record.key, value: record.value, timestampMs });
        log.bytes += recordBytes(record);
      }
      wake();
    },

    async consume(options: ConsumeOptions, handler: BatchHandler): Promise<Consumer> {
      const group = groups.get(options.groupId) ?? {
        committed: new Array<number>(partitionCount).fill(0),
        members: [],
      };
      groups.set(options.groupId, group);
      const member: Member = { assigned: [], positions: new Map() };
      group.members.push(member);
      rebalance(group);
      let running = true;
      const isRunning = () => running && !closed;

      const loop = (async () => {
        let failures = 0;
        while (isRunning()) {
          const batch = await waitForRecords(member, options, isRunning);
          if (batch.length === 0) continue;
          try {
            await handler(batch);
            failures = 0;
          } catch (error) {
            recordSwallowedError('memory-bus.handler', error);
            // Not committed: rewind to the committed offsets and try the same records again.
            for (const p of member.assigned) member.positions.set(p, group.committed[p] ?? 0);
            await sleep(RETRY_BACKOFF_MS[Math.min(failures++, RETRY_BACKOFF_MS.length - 1)] ?? 1000);
            continue;
          }
          for (const record of batch) {
            group.committed[record.partition] = Math.max(group.committed[record.partition] ?? 0, record.offset + 1);
            if (member.positions.has(record.partition)) member.positions.set(record.partition, record.offset + 1);
          }
          trim();
        }
      })();

      return {
        async close() {
          running = false;
          wake();
          await loop;
          group.members = group.members.filter((m) => m !== member);
          rebalance(group);
        },
        // An in-process log has no fetch, commit or client that could stall or fail on its own.
        status: () => ({ stalledPartitions: [], stallAfterMs: null, stalls: 0, recreations: 0, failures: {} }),
      };
    },

    async lag(groupId: string): Promise<PartitionLag[]> {
      const group = groups.get(groupId);
      return partitions.map((partition, p) => {
        const committedOffset = group?.committed[p] ?? 0;
        return {
          partition: p,
          endOffset: endOffset(partition),
          committedOffset,
          lag: endOffset(partition) - committedOffset,
        };
      });
    },

    async health() {
      if (closed) throw new AppError('BACKEND_UNAVAILABLE', 'memory bus is closed');
    },

    async close() {
      closed = true;
      wake();
    },
  };
}
