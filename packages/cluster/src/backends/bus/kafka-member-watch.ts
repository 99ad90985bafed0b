// Liveness of one Kafka group member: when each assigned partition last made progress (a record fetched, an offset
// committed), which partitions are stalled (lag and no progress for longer than the stall limit), and its failures by kind.
import type { Logger } from '@logperf/core';
import type { ConsumerStatus } from './bus.js';

export type MemberEvent =
  | { kind: 'lost'; error?: unknown; attempt?: number }
  | { kind: 'restored'; attempt: number }
  | { kind: 'stalled'; partitions: number[]; stallAfterMs: number }
  | { kind: 'recovered'; partitions: number[] }
  /** A failure of one kind: told on the first one and again at 10, 100, 1000, … with the count so far. */
  | { kind: 'failure'; failure: string; count: number; error: unknown };

export class MemberWatch {
  private readonly lastProgressMs = new Map<number, number>();
  /** Reported as stalled until they move again (progress, no lag, or no longer assigned), across a client re-creation. */
  private readonly stalled = new Set<number>();
  private stalls = 0;
  private recreations = 0;
  private readonly failures: Record<string, number> = {};

  constructor(
    readonly stallAfterMs: number,
    private readonly tell: (event: MemberEvent) => void = () => undefined,
  ) {}

  progress(partition: number, nowMs = Date.now()): void {
    if (this.lastProgressMs.has(partition)) this.lastProgressMs.set(partition, nowMs);
    this.moved([partition]);
  }

  /** Busy with its handler (a slow or failing store, or catching up after a stall): that is not a stalled consumer. */
  progressAll(nowMs = Date.now()): void {
    for (const partition of this.lastProgressMs.keys()) this.lastProgressMs.set(partition, nowMs);
    this.moved([...this.stalled]);
  }

  /** A new client: every partition's clock starts again when it is assigned; a stalled one stays so until it moves. */
  recreated(): void {
    this.recreations++;
    this.lastProgressMs.clear();
  }

  failure(kind: string, error: unknown): void {
    const count = (this.failures[kind] ?? 0) + 1;
    this.failures[kind] = count;
    if (Number.isInteger(Math.log10(count))) this.tell({ kind: 'failure', failure: kind, count, error });
  }

  /**
   * Given each assigned partition's lag (log end − committed offset), returns the partitions found stalled now (lag and
   * no progress for longer than the limit since their clock started): the caller re-creates its client. Told once each.
   */
  check(lagByPartition: ReadonlyMap<number, number>, nowMs = Date.now()): number[] {
    for (const partition of [...this.lastProgressMs.keys()])
      if (!lagByPartition.has(partition)) this.lastProgressMs.delete(partition);
    this.moved([...this.stalled].filter((p) => (lagByPartition.get(p) ?? 0) <= 0));
    const found: number[] = [];
    for (const [partition, lag] of lagByPartition) {
      const last = this.lastProgressMs.get(partition);
      if (last === undefined) this.lastProgressMs.set(partition, nowMs);
      else if (lag > 0 && nowMs - last > this.stallAfterMs) found.push(partition);
    }
    if (found.length === 0) return found;
    found.sort((a, b) => a - b);
    for (const partition of found) this.stalled.add(partition);
    this.stalls++;
    this.tell({ kind: 'stalled', partitions: found, stallAfterMs: this.stallAfterMs });
    return found;
  }

  private moved(partitions: number[]): void {
    if (this.stalled.size === 0) return;
    const before = [...this.stalled].sort((a, b) => a - b);
    for (const partition of partitions) this.stalled.delete(partition);
    if (this.stalled.size === 0) this.tell({ kind: 'recovered', partitions: before });
  }

  status(): ConsumerStatus {
    return {
      stalledPartitions: [...this.stalled].sort((a, b) => a - b),
      stallAfterMs: this.stallAfterMs,
      stalls: this.stalls,
      recreations: this.recreations,
      failures: { ...this.failures },
    };
  }
}

/** How a member's events read in the processor's log: a stall and every failure kind are warnings. */
export function logMemberEvent(logger: Logger, event: MemberEvent): void {
  switch (event.kind) {
    case 'lost':
      return logger.warn(
        { err: event.error, attempt: event.attempt },
        'kafka consumer lost its client; re-creating it',
      );
    case 'restored':
      return logger.info({ attempt: event.attempt }, 'kafka consumer reading again');
    case 'stalled':
      return logger.warn(
        { partitions: event.partitions, stallAfterMs: event.stallAfterMs },
        'kafka consumer stalled: partitions with lag and no fetch or commit progress; re-creating its client',
      );
    case 'recovered':
      return logger.info({ partitions: event.partitions }, 'kafka consumer no longer stalled');
    case 'failure':
      return logger.warn(
        { err: event.error, failure: event.failure, count: event.count },
        `kafka consumer ${event.failure} failed (${event.count} so far; logged at 1, 10, 100, …)`,
      );
  }
}
