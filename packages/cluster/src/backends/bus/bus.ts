// The bus: a partitioned, keyed log with consumer groups whose offsets are committed only after a batch is handled.

export interface BusRecord {
  key: string;
  value: Buffer;
}

export interface ConsumedRecord {
  partition: number;
  offset: number;
  key: string;
  value: Buffer;
  /** When the broker (or memory log) appended the record, epoch ms. */
  timestampMs: number;
}

/** Handles one batch; the bus commits the batch's offsets only after this resolves. A rejection means "retry this batch". */
export type BatchHandler = (records: ConsumedRecord[]) => Promise<void>;

export interface ConsumeOptions {
  groupId: string;
  /** Most records handed to one handler call. */
  maxBatchSize: number;
  /** Longest wait for a batch to fill before handing over what is there. */
  maxWaitMs: number;
}

export interface Consumer {
  /** Stops fetching, lets the in-flight batch finish and commit, then leaves the group. */
  close(): Promise<void>;
  /** Liveness of this member, for /health and /api/node/stats. */
  status(): ConsumerStatus;
}

export interface ConsumerStatus {
  /** Assigned partitions with lag and no fetch or commit progress for longer than stallAfterMs; empty when live. */
  stalledPartitions: number[];
  stallAfterMs: number | null;
  /** Stalls detected since start (each one re-created the member's client). */
  stalls: number;
  /** Times the member replaced its client (lost broker or membership, or a stall). */
  recreations: number;
  /** Failed fetches, commits and client errors since start, by kind. */
  failures: Record<string, number>;
}

export interface PartitionLag {
  partition: number;
  endOffset: number;
  committedOffset: number;
  lag: number;
}

export interface Bus {
  readonly kind: 'memory' | 'kafka';
  readonly topic: string;
  readonly partitions: number;
  /** Resolves once every record is acknowledged (Kafka: acks=all); rejects if any is not. */
  produce(records: readonly BusRecord[]): Promise<void>;
  consume(options: ConsumeOptions, handler: BatchHandler): Promise<Consumer>;
  /** Per partition: end offset − committed offset of the group. */
  lag(groupId: string): Promise<PartitionLag[]>;
  /** Throws when the bus cannot serve requests. */
  health(): Promise<void>;
  close(): Promise<void>;
}

/** Partition of a key: the same key always lands on the same partition (FNV-1a). */
export function partitionFor(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
