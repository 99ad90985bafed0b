// Consumer lag per partition from the bus (Kafka admin: end − committed offsets), its rate, lag in seconds, and a Burrow-style status.
import { recordSwallowedError } from '@logperf/core';
import type { Bus, PartitionLag } from '@logperf/cluster';
import type { LagStatus } from '@logperf/measurements';

export interface LagSample {
  atMs: number;
  partitions: PartitionLag[];
  total: number;
}

export interface LagView {
  group: string;
  total: number;
  partitions: PartitionLag[];
  /** Committed offsets per second over the last RATE_WINDOW samples. */
  consumeRatePerSecond: number | null;
  produceRatePerSecond: number | null;
  /** Lag divided by the consume rate (kafka-lag-exporter's estimate); null while nothing is consumed. */
  lagSeconds: number | null;
  status: LagStatus;
  statusReason: string;
}

const HISTORY = 3600;
const RATE_WINDOW = 10;
const sum = (partitions: PartitionLag[], pick: (p: PartitionLag) => number) =>
  partitions.reduce((total, p) => total + pick(p), 0);

/** Burrow's evaluation, on offsets alone: is the group keeping up, falling behind, or stuck? */
export function lagStatus(
  samples: readonly LagSample[],
  stopAfterMs = 60_000,
  stallAfterMs = 10_000,
): { status: LagStatus; reason: string } {
  const latest = samples.at(-1);
  if (!latest || latest.total === 0) return { status: 'OK', reason: 'no lag' };
  const committedAt = (s: LagSample) => sum(s.partitions, (p) => p.committedOffset);
  const lastMove = [...samples]
    .reverse()
    .find((s, i, all) => i + 1 < all.length && committedAt(s) !== committedAt(all[i + 1]!));
  const stillFor = latest.atMs - (lastMove?.atMs ?? samples[0]!.atMs);
  if (stillFor >= stopAfterMs)
    return {
      status: 'STOP',
      reason: `lag ${latest.total} and no offset committed for ${Math.round(stillFor / 1000)} s`,
    };
  if (stillFor >= stallAfterMs)
    return {
      status: 'STALL',
      reason: `lag ${latest.total} and committed offsets unchanged for ${Math.round(stillFor / 1000)} s`,
    };
  // Burrow: lag that keeps rising across the window. Commits make it dip now and then, so 3 of 4 steps up (or flat) will do.
  const recent = samples.slice(-RATE_WINDOW);
  const steps = recent.slice(1).map((s, i) => s.total - recent[i]!.total);
  const rising = steps.filter((d) => d >= 0).length;
  if (recent.length >= 3 && latest.total > recent[0]!.total && rising >= 0.75 * steps.length) {
    return {
      status: 'WARN',
      reason: `lag grew from ${recent[0]!.total} to ${latest.total} over the last ${recent.length} samples`,
    };
  }
  return { status: 'OK', reason: `lag ${latest.total}, consumers committing` };
}

export class LagWatcher {
  private readonly samples: LagSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  lastError: string | null = null;

  constructor(
    private readonly bus: Bus,
    readonly group: string,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.sample(), this.intervalMs);
    void this.sample();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async sample(nowMs = Date.now()): Promise<void> {
    try {
      const partitions = await this.bus.lag(this.group);
      this.samples.push({ atMs: nowMs, partitions, total: sum(partitions, (p) => p.lag) });
      if (this.samples.length > HISTORY) this.samples.shift();
      this.lastError = null;
    } catch (error) {
      this.lastError = (error as Error).message;
      recordSwallowedError('monitor.lag-read', error);
    }
  }

  view(): LagView | null {
    const latest = this.samples.at(-1);
    if (!latest) return null;
    const first = this.samples.at(-RATE_WINDOW) ?? latest;
    const seconds = (latest.atMs - first.atMs) / 1000;
    const rate = (pick: (p: PartitionLag) => number) =>
      seconds > 0 ? (sum(latest.partitions, pick) - sum(first.partitions, pick)) / seconds : null;
    const consumeRatePerSecond = rate((p) => p.committedOffset);
    const { status, reason } = lagStatus(this.samples);
    return {
      group: this.group,
      total: latest.total,
      partitions: latest.partitions,
      consumeRatePerSecond,
      produceRatePerSecond: rate((p) => p.endOffset),
      lagSeconds: latest.total === 0 ? 0 : consumeRatePerSecond ? latest.total / consumeRatePerSecond : null,
      status,
      statusReason: reason,
    };
  }
}
