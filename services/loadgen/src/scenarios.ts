// The seed's scenarios as validated requests (zod) and their schedules: burst = baseline → burst → recovery; ramp = ramp → hold.
// Every scenario field has the seed's value as its default, so the seed's bare `POST /api/loadtest/burst` runs its test.
import { boundedText } from '@logperf/core';
import { z } from 'zod';
import { constant, linear, Schedule } from './pacer.js';
import { thresholdsSchema, unknownPhases } from './thresholds.js';

export { thresholdsSchema, type Thresholds } from './thresholds.js';

const MAX_TEST_MS = 24 * 3600 * 1000;
const BURST_PHASES = ['baseline', 'burst', 'recovery'];
const RAMP_PHASES = ['ramp', 'hold'];
export const MAX_RATE_PER_SECOND = 1_000_000;

/** ISO-8601 duration (PnDTnHnMnS, fractional seconds allowed) → milliseconds, or undefined if it is not one. */
export function parseIsoDuration(text: string): number | undefined {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) return undefined;
  const [, d = '0', h = '0', m = '0', s = '0'] = match;
  return ((Number(d) * 24 + Number(h)) * 60 + Number(m)) * 60_000 + Number(s) * 1000;
}

const duration = z.string().transform((text, ctx) => {
  const ms = parseIsoDuration(text);
  if (ms === undefined)
    ctx.addIssue({ code: 'custom', message: `'${text}' is not an ISO-8601 duration such as PT2M or PT30S` });
  else if (ms <= 0) ctx.addIssue({ code: 'custom', message: 'duration must be positive' });
  else if (ms > MAX_TEST_MS) ctx.addIssue({ code: 'custom', message: 'duration must be at most 24 hours (PT24H)' });
  return ms ?? 0;
});

const rate = z
  .number()
  .positive('rate must be positive')
  .max(MAX_RATE_PER_SECOND, `rate must be at most ${MAX_RATE_PER_SECOND} events/s`);

export const eventMixSchema = z.strictObject({
  levels: z
    .partialRecord(z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']), z.number().min(0))
    .refine((l) => Object.values(l).some((w) => w > 0), 'at least one level needs a positive weight')
    .optional(),
  messageMedianBytes: z.number().int().min(16).max(65_536).optional(),
  messageSigma: z.number().min(0).max(3).optional(),
  sources: z.number().int().min(1).max(100_000).optional(),
  traceShare: z.number().min(0).max(1).optional(),
});

const common = {
  /** Overrides of the default event mix (levels, message sizes, sources, share with a traceId). */
  eventMix: eventMixSchema.optional(),
  /** `kafka` (the bus directly) or an http(s) URL on the allowlist; default the configured gateway. */
  target: z.string().min(1).max(2048).optional(),
  batchSize: z.number().int().min(1).max(10_000).default(100),
  thresholds: thresholdsSchema.default({}),
};
const name = (seedName: string) => boundedText('testName', 200).default(seedName);

/** The seed's burst: 5,000 events/s for 2 minutes, 20,000/s for 60 s, then 5,000/s for 2 minutes. */
export const SEED_BURST = {
  testName: 'seed-burst',
  baselineRatePerSecond: 5_000,
  burstRatePerSecond: 20_000,
  baselineDuration: 'PT2M',
  burstDuration: 'PT1M',
} as const;

/** The seed's ramp: 1,000 → 15,000 events/s over 10 minutes, then a hold the seed leaves open: we hold 1 minute. */
export const SEED_RAMP = {
  testName: 'seed-ramp',
  startRatePerSecond: 1_000,
  targetRatePerSecond: 15_000,
  rampDuration: 'PT10M',
  holdDuration: 'PT1M',
} as const;

/**
 * A strict object whose unknown-field error names the field and lists the accepted ones. A missing body (the seed's
 * bare POST) is read as `{}`, so every field takes its default.
 */
function request<Shape extends z.ZodRawShape>(shape: Shape) {
  const accepted = Object.keys(shape).join(', ');
  const object = z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}; accepted fields: ${accepted}`
        : undefined,
  });
  return z.preprocess((body) => body ?? {}, object);
}

export const burstRequestSchema = request({
  ...common,
  testName: name(SEED_BURST.testName),
  baselineRatePerSecond: rate.default(SEED_BURST.baselineRatePerSecond),
  burstRatePerSecond: rate.default(SEED_BURST.burstRatePerSecond),
  baselineDuration: duration.prefault(SEED_BURST.baselineDuration),
  burstDuration: duration.prefault(SEED_BURST.burstDuration),
  recoveryDuration: duration.optional().describe('default: baselineDuration'),
})
  .refine(
    (r) => r.baselineDuration + r.burstDuration + (r.recoveryDuration ?? r.baselineDuration) <= MAX_TEST_MS,
    'the whole test must last at most 24 hours',
  )
  .refine((r) => unknownPhases(r.thresholds, BURST_PHASES).length === 0, {
    path: ['thresholds', 'phases'],
    message: `thresholds.phases: a burst has the phases baseline, burst, recovery`,
  })
  .describe(
    'Burst test. Every field is optional; an empty body runs the seed burst: 5,000 events/s for PT2M, 20,000/s for PT1M, 5,000/s for PT2M.',
  );

export const rampRequestSchema = request({
  ...common,
  testName: name(SEED_RAMP.testName),
  startRatePerSecond: rate.default(SEED_RAMP.startRatePerSecond),
  targetRatePerSecond: rate.default(SEED_RAMP.targetRatePerSecond),
  rampDuration: duration.prefault(SEED_RAMP.rampDuration),
  holdDuration: duration
    .prefault(SEED_RAMP.holdDuration)
    .describe('default PT1M: the seed says "maintain peak load for observation" without a length'),
})
  .refine((r) => r.rampDuration + r.holdDuration <= MAX_TEST_MS, 'the whole test must last at most 24 hours')
  .refine((r) => unknownPhases(r.thresholds, RAMP_PHASES).length === 0, {
    path: ['thresholds', 'phases'],
    message: 'thresholds.phases: a ramp has the phases ramp, hold',
  })
  .describe(
    'Ramp test. Every field is optional; an empty body runs the seed ramp: 1,000 → 15,000 events/s over PT10M, then PT1M at 15,000/s.',
  );

export type BurstRequest = z.output<typeof burstRequestSchema>;
export type RampRequest = z.output<typeof rampRequestSchema>;
export type TestKind = 'burst' | 'ramp';

export interface Scenario {
  schedule: Schedule;
  /** Mean intended rate of each phase. */
  intendedRates: number[];
}

export function burstScenario(r: BurstRequest): Scenario {
  const recoveryMs = r.recoveryDuration ?? r.baselineDuration;
  return {
    schedule: new Schedule([
      { name: 'baseline', shape: constant(r.baselineRatePerSecond, r.baselineDuration) },
      { name: 'burst', shape: constant(r.burstRatePerSecond, r.burstDuration) },
      { name: 'recovery', shape: constant(r.baselineRatePerSecond, recoveryMs) },
    ]),
    intendedRates: [r.baselineRatePerSecond, r.burstRatePerSecond, r.baselineRatePerSecond],
  };
}

export function rampScenario(r: RampRequest): Scenario {
  return {
    schedule: new Schedule([
      { name: 'ramp', shape: linear(r.startRatePerSecond, r.targetRatePerSecond, r.rampDuration) },
      { name: 'hold', shape: constant(r.targetRatePerSecond, r.holdDuration) },
    ]),
    intendedRates: [(r.startRatePerSecond + r.targetRatePerSecond) / 2, r.targetRatePerSecond],
  };
}
