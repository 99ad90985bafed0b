// Realistic log events for a load test: a level mix, message sizes from a log-normal, sources and trace ids.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
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

/** Distinct bodies per factory: enough for a realistic level, size, source and trace mix; built once, off the hot path. */
const TEMPLATES = 4096;

/**
 * Events from prepared templates: each template is a serialised event missing only its id and timestamp, so making
 * one is a string concatenation (no object graph, no JSON.stringify per event).
 */
export class EventFactory {
  private readonly templates: string[] = [];
  /** Set by identify(): ids are this prefix + the event's number in the schedule. */
  private idPrefix: string | undefined;

  constructor(mix: EventMix = DEFAULT_MIX) {
    const cumulative: { level: LogLevel; upTo: number }[] = [];
    let total = 0;
    for (const level of LOG_LEVELS) {
      total += Math.max(0, mix.levels[level] ?? 0);
      cumulative.push({ level, upTo: total });
    }
    if (total <= 0) throw new Error('event mix needs at least one level with a positive weight');
    for (let n = 0; n < TEMPLATES; n++) {
      const pick = Math.random() * total;
      const level = cumulative.find((c) => pick < c.upTo)?.level ?? 'INFO';
      const size = Math.min(
        MAX_MESSAGE_BYTES,
        Math.max(16, Math.round(mix.messageMedianBytes * Math.exp(mix.messageSigma * normal()))),
      );
      const offset = n % 1000;
      const message = `${level.toLowerCase()} event ${n} ${FILLER.slice(offset, offset + size)}`.slice(0, size);
      const rest = JSON.stringify({
        level,
        message,
        source: `service-${String(n % mix.sources).padStart(2, '0')}`,
        ...(Math.random() < mix.traceShare ? { traceId: randomBytes(16).toString('hex') } : {}),
      });
      // `","level":…,"timestamp":` — the id goes before it, the timestamp after it.
      this.templates.push(`",${rest.slice(1, -1)},"timestamp":`);
    }
  }

  /**
   * From now on every event's id is a UUID (version 4 layout) made of a hash of `runKey` and the event's number in the
   * whole schedule: every worker of one run (same key) gives event n the same id, so a sink can count each event once
   * and see one sent twice; different runs never share ids.
   */
  identify(runKey: string): void {
    const h = createHash('sha256').update(runKey).digest('hex');
    this.idPrefix = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(12, 15)}-8${h.slice(15, 18)}-`;
  }

  /** One event whose timestamp is its intended send time (so the cluster's end-to-end latency is corrected too). */
  create(intendedAtEpochMs: number, sequence: number): string {
    const template = this.templates[sequence % TEMPLATES]!;
    const id = this.idPrefix === undefined ? randomUUID() : this.idPrefix + sequence.toString(16).padStart(12, '0');
    return '{"id":"' + id + template + Math.round(intendedAtEpochMs) + '}';
  }
}
