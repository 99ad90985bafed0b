// Processor: consumer-group members that write batches to the store, then the cache, then commit offsets.
import { decodeBusRecord, type BusEnvelope } from '@logperf/core';
import type { Logger } from 'pino';
import type { Bus, ConsumedRecord, Consumer, ConsumerStatus } from '../backends/bus/bus.js';
import type { Cache } from '../backends/cache/cache.js';
import type { Store, StoredEventInput } from '../backends/store/store.js';
import type { NodeTelemetry } from '@logperf/platform';
import { TestStats } from './test-stats.js';

export const PROCESSOR_GROUP = 'log-processors';

export interface ProcessorOptions {
  bus: Bus;
  store: Store;
  cache: Cache;
  telemetry: NodeTelemetry;
  logger: Logger;
  groupId?: string;
  /** Consumer-group members in this process. */
  instances?: number;
  maxBatchSize?: number;
  maxWaitMs?: number;
  /**
   * Update the cache of batch k while batch k+1 is fetched and stored (default true), instead of before committing
   * batch k. The cache is an accelerator, so only its freshness moves; at most one update per member is in flight.
   */
  overlapCache?: boolean;
}

/** One consumer-group member's cache updates, chained so they stay in batch order. */
interface Lane {
  cacheTail: Promise<void>;
}

export interface ProcessorCounters {
  stored: number;
  redelivered: number;
  poison: number;
  cacheErrors: number;
}

export class Processor {
  readonly counters: ProcessorCounters = { stored: 0, redelivered: 0, poison: 0, cacheErrors: 0 };
  /** Stored counts and end-to-end latency per load test (the envelope's test id). */
  readonly tests = new TestStats();
  private consumers: Consumer[] = [];
  private lanes: Lane[] = [];
  /** The last store failure logged (each distinct one is logged once, and the recovery once). */
  private storeFailure: string | null = null;

  constructor(private readonly options: ProcessorOptions) {}

  async start(): Promise<void> {
    const { bus, groupId = PROCESSOR_GROUP, instances = 1, maxBatchSize = 1000, maxWaitMs = 5 } = this.options;
    for (let i = 0; i < instances; i++) {
      const lane: Lane = { cacheTail: Promise.resolve() };
      this.lanes.push(lane);
      this.consumers.push(
        await bus.consume({ groupId, maxBatchSize, maxWaitMs }, (records) => this.handle(records, lane)),
      );
    }
  }

  /** Liveness of each consumer-group member of this process (stalled partitions, re-creations, failures). */
  members(): ConsumerStatus[] {
    return this.consumers.map((c) => c.status());
  }

  /** Drains in-flight batches and commits their offsets. */
  async stop(): Promise<void> {
    const consumers = this.consumers;
    this.consumers = [];
    await Promise.all(consumers.map((c) => c.close()));
    const lanes = this.lanes;
    this.lanes = [];
    await Promise.all(lanes.map((lane) => lane.cacheTail));
  }

  /** Throws only when the store write failed: the bus then retries the batch, and nothing is committed. */
  private async handle(records: ConsumedRecord[], lane: Lane): Promise<void> {
    const ingestedAt = Date.now();
    const envelopes = this.decode(records, ingestedAt);
    if (envelopes.length === 0) return;
    // One write per test in the batch (one in the usual case), so each test's stored count is exact.
    const byTest = new Map<string | undefined, BusEnvelope[]>();
    for (const envelope of envelopes) {
      const group = byTest.get(envelope.testId);
      if (group) group.push(envelope);
      else byTest.set(envelope.testId, [envelope]);
    }
    for (const [testId, group] of byTest) await this.store(testId, group, ingestedAt);
    // The previous batch's update has had this batch's fetch and store write to finish; waiting for it bounds the lane to one.
    await lane.cacheTail;
    lane.cacheTail = this.updateCache(envelopes);
    if (this.options.overlapCache === false) await lane.cacheTail;
  }

  private async store(testId: string | undefined, envelopes: BusEnvelope[], ingestedAt: number): Promise<void> {
    const { store, telemetry } = this.options;
    const rows: StoredEventInput[] = envelopes.map(({ event }) => ({ ...event, ingestedAt }));
    const writeStart = performance.now();
    const { inserted, storedAt } = await telemetry.waits
      .around('store', () => store.insertBatch(rows))
      .then(
        (result) => {
          if (this.storeFailure !== null)
            this.options.logger.info({ was: this.storeFailure }, 'the store writes again');
          this.storeFailure = null;
          return result;
        },
        (error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          if (message !== this.storeFailure)
            this.options.logger.error({ err: error }, 'store write failed: the batch stays on the bus and is retried');
          this.storeFailure = message;
          throw error;
        },
      );
    telemetry.recordLatency('store', performance.now() - writeStart);
    const timestamps = envelopes.map(({ event }) => event.timestamp);
    for (const ts of timestamps) telemetry.recordLatency('end-to-end', storedAt - ts);
    if (testId !== undefined) this.tests.record(testId, timestamps, inserted, storedAt);
    telemetry.countEvents('stored', inserted);
    this.counters.stored += inserted;
    this.counters.redelivered += envelopes.length - inserted;
  }

  /** Each record's value is parsed and validated once, here. */
  private decode(records: ConsumedRecord[], ingestedAt: number): BusEnvelope[] {
    const envelopes: BusEnvelope[] = [];
    for (const record of records) {
      this.options.telemetry.recordLatency('queue', ingestedAt - record.timestampMs);
      const envelope = decodeBusRecord(record.value);
      if (envelope) {
        envelopes.push(envelope);
      } else {
        // A record no schema accepts can never be stored; retrying it would stall its partition forever.
        this.counters.poison++;
        this.options.logger.warn(
          { partition: record.partition, offset: record.offset },
          'skipping a bus record that is not a valid envelope',
        );
      }
    }
    return envelopes;
  }

  /** The cache is an accelerator: its failure is counted and logged, never a reason to hold back stored events. */
  private async updateCache(envelopes: BusEnvelope[]): Promise<void> {
    const { cache, logger, telemetry } = this.options;
    try {
      await telemetry.waits.around('cache', () =>
        cache.record(
          envelopes.map(({ event }) => ({ id: event.id, source: event.source, toJson: () => JSON.stringify(event) })),
        ),
      );
    } catch (error) {
      this.counters.cacheErrors++;
      logger.warn({ err: error }, 'cache update failed; events are stored, cache is behind');
    }
  }
}
