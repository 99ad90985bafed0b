// Realistic log events for a load test: a level mix, message sizes from a log-normal, sources and trace ids.
import { randomBytes, randomUUID } from 'node:crypto';
import { LOG_LEVELS, MAX_MESSAGE_BYTES, type LogLevel } from '@logperf/core';

export interface EventMix {
  /** Relative weights per level (need not sum to 1). */
  levels: Partial<Record<LogLevel, number>>;
  /** Median message size in bytes; sizes are log-normal around it. */
  messageMedianBytes: number;
  /** Spread of the log-normal (σ of ln size). */
  messageSigma: number;
  sources: number;
  /** Share of events that carry a traceId. */
  traceShare: number;
}

export const DEFAULT_MIX: EventMix = {
  levels: { TRACE: 5, DEBUG: 15, INFO: 60, WARN: 15, ERROR: 5 },
  messageMedianBytes: 160,
  messageSigma: 0.8,
  sources: 20,
  traceShare: 0.5,
};

const FILLER = 'abcdefghijklmnopqrstuvwxyz0123456789 '.repeat(2000);

/** Box–Muller: one standard normal draw. */
function normal(): number {
  return Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
}

export class EventFactory {
  private readonly cumulative: { level: LogLevel; upTo: number }[] = [];
  private readonly total: number;

  constructor(private readonly mix: EventMix = DEFAULT_MIX) {
    let sum = 0;
    for (const level of LOG_LEVELS) {
      sum += Math.max(0, mix.levels[level] ?? 0);
      this.cumulative.push({ level, upTo: sum });
    }
    this.total = sum;
    if (sum <= 0) throw new Error('event mix needs at least one level with a positive weight');
  }

  /** One event whose timestamp is its intended send time (so the cluster's end-to-end latency is corrected too). */
  create(intendedAtEpochMs: number, sequence: number): string {
    const pick = Math.random() * this.total;
    const level = this.cumulative.find((c) => pick < c.upTo)?.level ?? 'INFO';
    const size = Math.min(
      MAX_MESSAGE_BYTES,
      Math.max(16, Math.round(this.mix.messageMedianBytes * Math.exp(this.mix.messageSigma * normal()))),
    );
    const offset = sequence % 1000;
    const message = `${level.toLowerCase()} event ${sequence} ${FILLER.slice(offset, offset + size)}`.slice(0, size);
    const event = {
      id: randomUUID(),
      level,
      message,
      source: `service-${String(sequence % this.mix.sources).padStart(2, '0')}`,
      timestamp: Math.round(intendedAtEpochMs),
      ...(Math.random() < this.mix.traceShare ? { traceId: randomBytes(16).toString('hex') } : {}),
    };
    return JSON.stringify(event);
  }
}
