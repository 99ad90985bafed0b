// A load test's result as the generator stores it (loadtest_results.result) and serves it: one schema per part, the
// types inferred. The runner builds a LoadTestResultBody; readers of stored rows parse with storedLoadTestResultSchema,
// which reads every version ever written (rows without resultVersion are version 1).
import { z } from 'zod';

/**
 * 3: `generator` names its mode, segments and workers (threads or remote workers, per-worker breakdown);
 * 2: thresholds carry `source`, may be per phase (`phases.<name>.<key>`) and may have `actual: null`.
 */
export const RESULT_VERSION = 3;

const count = z.number();
/** A number of events: whole, never negative. */
const eventCount = z.number().int().min(0);
const errorsByKind = z.record(z.string(), z.number());

export const latencySummarySchema = z.object({
  count,
  minMs: z.number(),
  meanMs: z.number(),
  p50: z.number(),
  p90: z.number(),
  p95: z.number(),
  p99: z.number(),
  p999: z.number(),
  max: z.number(),
});

/**
 * What a generator counts, per second in a worker's report and summed per phase and test: whole events. One schema
 * for both, so a report and the result it adds into cannot disagree on a field.
 */
export const eventCountsSchema = z.object({
  intended: eventCount,
  sent: eventCount,
  acknowledged: eventCount,
  /** Sent later than the late threshold after the intended time, any cause (generatorLate: by its own doing). */
  late: eventCount,
  /** Of those, late for the generator's own reasons (its CPU, loop lag, payload preparation), not the in-flight cap. */
  generatorLate: eventCount,
  dropped: eventCount,
  generatorDropped: eventCount,
  errors: z.record(z.string(), eventCount),
});
export type EventCounts = z.output<typeof eventCountsSchema>;

/** The counts of a whole test or one phase, as the generator's recorder sums them. */
const totalsShape = {
  ...eventCountsSchema.shape,
  latencyMs: latencySummarySchema,
  serviceTimeMs: latencySummarySchema,
  scheduleLagMs: latencySummarySchema,
};

export const phaseResultSchema = z.object({
  name: z.string(),
  durationSeconds: z.number(),
  intendedRatePerSecond: z.number(),
  achievedRatePerSecond: z.number(),
  ...totalsShape,
});
export type PhaseResult = z.output<typeof phaseResultSchema>;

export const secondResultSchema = z.object({
  second: z.number(),
  intended: count,
  sent: count,
  acknowledged: count,
  errors: count,
  latencyMs: latencySummarySchema.pick({
    count: true,
    meanMs: true,
    p50: true,
    p90: true,
    p95: true,
    p99: true,
    max: true,
  }),
  serviceTimeMs: latencySummarySchema.pick({ p50: true, p99: true }),
});
export type SecondResult = z.output<typeof secondResultSchema>;

/** The clock correction of a figure taken on two hosts (core's clock-offset.ts), or why there is none. */
export const clockCorrectionSchema = z.object({
  offsetMs: z.number().nullable(),
  uncertaintyMs: z.number().nullable(),
  trustworthy: z.boolean(),
  reason: z.string().nullable(),
});

export const endToEndResultSchema = z.discriminatedUnion('available', [
  z.object({
    available: z.literal(true),
    attribution: z.enum(['test', 'window']),
    processors: z.array(z.string()),
    stored: count,
    /** Corrected for the hosts' clocks when the generator measured them (see `clock`), else as recorded. */
    latencyMs: latencySummarySchema,
    /** As the processors recorded it (present when a correction was attempted; absent in older results). */
    uncorrectedLatencyMs: latencySummarySchema.optional(),
    /** The correction applied (offsetMs subtracted, ± uncertaintyMs), or why none was; absent in older results. */
    clock: clockCorrectionSchema.optional(),
    /** The recorded histogram, not shifted. */
    histogram: z.string(),
  }),
  z.object({ available: z.literal(false), reason: z.string(), stored: count.optional(), missing: count.optional() }),
]);
export type EndToEndResult = z.output<typeof endToEndResultSchema>;
export type Attribution = Extract<EndToEndResult, { available: true }>['attribution'];

export const thresholdVerdictSchema = z.object({
  /** The limit's path in the request: `p95Ms`, `phases.burst.p95Ms`, `endToEndP99Ms`. */
  name: z.string(),
  limit: z.number(),
  /** Null when the figure was not measured (then the threshold fails, with `reason`). */
  actual: z.number().nullable(),
  passed: z.boolean(),
  /** `default` when the request did not set this limit. */
  source: z.enum(['request', 'default']),
  reason: z.string().optional(),
});
export type ThresholdVerdict = z.output<typeof thresholdVerdictSchema>;

export const testVerdictSchema = z.object({ status: z.enum(['passed', 'failed', 'invalid']), reason: z.string() });
export type TestVerdict = z.output<typeof testVerdictSchema>;
export type TestStatus = TestVerdict['status'];

export const generatorCostSchema = z.object({
  /** CPU time of the generator threads per event they sent, µs; null where the thread's CPU cannot be read. */
  cpuMicrosPerEvent: z.number().nullable(),
  cpuMs: z.number().nullable(),
  sent: count,
  /** Largest event-loop utilisation among the threads, 0–1 (1 = never idle: it could not go faster). */
  maxEventLoopUtilization: z.number(),
  source: z.string(),
  /** Each thread's CPU priority. */
  priorities: z.array(z.string()),
});
export type GeneratorCost = z.output<typeof generatorCostSchema>;

/** One generator worker's share of a test (a local thread, or a remote `logperf worker` named by itself). */
export const workerSummarySchema = z.object({
  name: z.string(),
  segments: z.array(count),
  /** Where the worker answers HTTP, if it said (remote workers). */
  url: z.string().nullable(),
  intended: count,
  sent: count,
  late: count,
  generatorLate: count,
  /** Every event of its segments it did not send, including those lost with it at a takeover. */
  dropped: count,
  generatorDropped: count,
  /** Of `dropped`: events of the gap between its last counted report and the next owner's resume. */
  droppedAtTakeover: count,
  /** Late or dropped by its own doing above the allowed share of what it was given: the run is invalid. */
  generatorLimited: z.boolean(),
  /** Why it stopped holding a segment mid-test (its segments were taken over), else null. */
  lost: z.string().nullable(),
  maxScheduleLagMs: z.number(),
});
export type WorkerSummary = z.output<typeof workerSummarySchema>;

export const loadTestResultSchema = z.object({
  resultVersion: z.number().int(),
  target: z.string(),
  /** The request as the client sent it. */
  config: z.unknown(),
  failure: z.string().nullable(),
  durationSeconds: z.number(),
  scheduledSeconds: z.number(),
  ...totalsShape,
  intendedRatePerSecond: z.number(),
  achievedRatePerSecond: z.number(),
  /** Late or dropped by its own doing beyond the allowed share: the run is invalid. */
  generatorLimited: z.boolean(),
  generatorLimitedAtSeconds: z.number().nullable(),
  /** Due events waited at the in-flight cap: the target was slower than the schedule (a finding). */
  targetLimited: z.boolean(),
  targetLimitedAtSeconds: z.number().nullable(),
  generator: z.object({
    /** `threads` (local generator threads) or `kafka` (remote `logperf worker`s). */
    mode: z.enum(['threads', 'kafka']),
    segments: count,
    maxScheduleLagMs: z.number(),
    cost: generatorCostSchema.nullable(),
    /** Per worker (thread or remote process): its segments, sent, late, dropped, generator-limited or lost. */
    workers: z.array(workerSummarySchema),
    /** Per segment: how it ended (a crash names the segment and why). */
    segmentEnds: z.array(z.object({ index: count, crashed: z.string().nullable(), maxScheduleLagMs: z.number() })),
    lateReports: count,
    /** Worker reports not counted: fenced out (a segment's former owner or generation), refused or unreadable. */
    rejectedReports: count,
  }),
  phases: z.array(phaseResultSchema),
  timeline: z.array(secondResultSchema),
  /** HDR histograms of the whole test (compressed base64). */
  histograms: z.object({ latency: z.string(), serviceTime: z.string(), scheduleLag: z.string() }),
  endToEnd: endToEndResultSchema,
  thresholds: z.array(thresholdVerdictSchema),
  verdict: testVerdictSchema,
  /** Every threshold met and the generator ran (what `logperf burst|ramp` exits by); `verdict` says if it is valid. */
  passed: z.boolean(),
  /** Results before the generator split its lateness by cause: one flag for both (never written since). */
  saturated: z.boolean().optional(),
  saturatedAtSeconds: z.number().nullable().optional(),
});
/** The result the generator writes today (version RESULT_VERSION). */
export type LoadTestResultBody = z.output<typeof loadTestResultSchema>;

/**
 * What a reader of stored results relies on, in every version: the figures of the current schema that every version
 * had, defaults for those older versions lack, and the older flags. Other parts pass unread.
 */
export const storedLoadTestResultSchema = loadTestResultSchema
  .pick({
    target: true,
    durationSeconds: true,
    intendedRatePerSecond: true,
    achievedRatePerSecond: true,
    intended: true,
    acknowledged: true,
    sent: true,
    generatorLimited: true,
    generatorLimitedAtSeconds: true,
    generatorLate: true,
  })
  .partial({ target: true, sent: true, generatorLimited: true, generatorLimitedAtSeconds: true, generatorLate: true })
  .extend({
    resultVersion: z.number().int().default(1),
    dropped: count.default(0),
    late: count.default(0),
    errors: errorsByKind.default({}),
    saturated: z.boolean().default(false),
    saturatedAtSeconds: z.number().nullable().default(null),
    timeline: z
      .array(
        secondResultSchema.pick({ second: true, intended: true, acknowledged: true, errors: true }).extend({
          sent: count.optional(),
          latencyMs: secondResultSchema.shape.latencyMs.partial({ meanMs: true, p90: true, p95: true, max: true }),
        }),
      )
      .default([]),
    histograms: loadTestResultSchema.shape.histograms.pick({ latency: true }).optional(),
  });
export type StoredLoadTestResult = z.output<typeof storedLoadTestResultSchema>;
